// analyst_report: gathering across members (see analyst.h).
#include "report/analyst.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/cidr_set.h"
#include "report/member.h"
#include "report/report.h"
#include "report/services.h"

namespace cyberalarm::report {
namespace {

constexpr std::size_t kMaxCampaigns = 20;
constexpr std::size_t kMaxRising = 15;
constexpr std::size_t kMaxAffected = 10;
constexpr std::size_t kMaxFindingsPerMember = 1000;
constexpr std::int64_t kDayNs = 24LL * 3600 * 1'000'000'000;

struct SourceTally {
    std::uint32_t members = 0;
    std::uint64_t events = 0;
};

struct PortTally {
    std::uint64_t now = 0;
    std::uint64_t before = 0;
    std::uint32_t members = 0;
};

// Everything read for one member, folded into the report's tallies.
class Tallies {
public:
    Tallies(const AnalystOptions& o, std::int64_t bucket_ns, std::size_t buckets)
        : o_(o), bucket_ns_(bucket_ns), buckets_(buckets) {}

    core::CidrSet internal;  // every member's declared networks

    void add_summary(const store::EventSummary& now, const store::EventSummary& before) {
        for (const auto& [ip, n] : now.top_sources) {
            if (is_public_address(ip) && !internal.contains(ip)) {
                auto& t = sources_[ip];
                ++t.members;
                t.events += n;
            }
        }
        for (const auto& [port, n] : now.top_ports) {
            auto& t = ports_[port];
            t.now += n;
            ++t.members;
        }
        for (const auto& [port, n] : before.top_ports) {
            ports_[port].before += n;
        }
    }

    void add_finding(const detect::Finding& f) {
        auto& series = kinds_[std::string(kind_label(f.kind))];
        series.resize(buckets_);
        auto i = (f.last_seen_ns - o_.from_ns) / bucket_ns_;
        if (i >= 0 && static_cast<std::size_t>(i) < buckets_) {
            ++series[static_cast<std::size_t>(i)];
        }
    }

    void finish(AnalystReport& r) const {
        for (const auto& [ip, t] : sources_) {
            if (t.members >= 2) {
                r.campaigns.push_back({ip.to_string(), t.members, t.events});
            }
        }
        std::sort(r.campaigns.begin(), r.campaigns.end(), [](const auto& a, const auto& b) {
            return a.members != b.members ? a.members > b.members : a.events > b.events;
        });
        if (r.campaigns.size() > kMaxCampaigns) {
            r.campaigns.resize(kMaxCampaigns);
        }
        for (const auto& [port, t] : ports_) {
            // Rising: at least half again as many events as before, or new; and not noise.
            if (t.now >= 10 && (t.before == 0 || t.now * 2 >= t.before * 3)) {
                r.rising.push_back({port, t.now, t.before, t.members});
            }
        }
        std::sort(r.rising.begin(), r.rising.end(), [](const auto& a, const auto& b) {
            return a.events_now - a.events_before > b.events_now - b.events_before;
        });
        if (r.rising.size() > kMaxRising) {
            r.rising.resize(kMaxRising);
        }
        for (const auto& [kind, counts] : kinds_) {
            KindSeries s{kind, counts, 0};
            for (auto n : counts) {
                s.total += n;
            }
            r.kinds.push_back(std::move(s));
        }
        std::sort(r.kinds.begin(), r.kinds.end(),
                  [](const auto& a, const auto& b) { return a.total > b.total; });
    }

private:
    const AnalystOptions& o_;
    std::int64_t bucket_ns_;
    std::size_t buckets_;
    std::unordered_map<core::IpAddress, SourceTally, internal::IpHash> sources_;
    std::map<std::uint16_t, PortTally> ports_;
    std::map<std::string, std::vector<std::uint64_t>> kinds_;
};

bool more_affected(const MemberRow& a, const MemberRow& b) {
    return a.serious != b.serious ? a.serious > b.serious : a.events > b.events;
}

core::Result<store::EventSummary> summarize(store::Store& store, store::TenantId member,
                                            std::int64_t from, std::int64_t to, std::size_t top) {
    store::EventQuery q;
    q.member = member;
    q.from_ns = from;
    q.to_ns = to;
    return store.summarize_events(store::Scope::service(), q, to - from, top);
}

std::string title_for(store::TenantLevel level) {
    switch (level) {
        case store::TenantLevel::kNation:
            return "National threat picture";
        case store::TenantLevel::kRegion:
            return "Regional threat picture";
        default:
            return "Force threat picture";
    }
}

}  // namespace

std::string member_pseudonym(std::string_view key, store::TenantId member) {
    return "Member " + store::token_hash(fmt::format("{}:{}", key, member)).substr(0, 8);
}

core::Result<AnalystReport> analyst_report(store::Store& store, store::TenantId tenant,
                                           const AnalystOptions& o) {
    if (o.from_ns >= o.to_ns) {
        return core::fail(core::Error::invalid_argument("the report's period is empty"));
    }
    auto top = store.get_tenant(tenant);
    if (!top) {
        return core::fail(std::move(top.error()));
    }
    if (top->level == store::TenantLevel::kMember) {
        return core::fail(core::Error::invalid_argument(
            fmt::format("tenant {} is a member: analyst reports cover a force, region or nation",
                        tenant)));
    }
    auto ids = store.members_under(tenant);
    if (!ids) {
        return core::fail(std::move(ids.error()));
    }
    AnalystReport r;
    r.title = title_for(top->level);
    r.tenant = top->name;
    r.level = top->level;
    r.from_ns = o.from_ns;
    r.to_ns = o.to_ns;
    r.now_ns = o.now_ns;
    r.names_shown = o.show_names;
    r.members = static_cast<std::uint32_t>(ids->size());
    const std::int64_t len = o.to_ns - o.from_ns;
    r.kind_bucket_ns = len <= 31 * kDayNs ? kDayNs : 7 * kDayNs;
    const auto buckets = static_cast<std::size_t>((len + r.kind_bucket_ns - 1) / r.kind_bucket_ns);
    Tallies tallies(o, r.kind_bucket_ns, buckets);

    // First pass: names, forces and every member's networks (so that no member's internal
    // address is ever listed, even as another member's attacker).
    std::vector<store::Tenant> members;
    std::map<store::TenantId, std::string> forces;
    for (auto id : *ids) {
        auto t = store.get_tenant(id);
        if (!t) {
            return core::fail(std::move(t.error()));
        }
        (void)tallies.internal.add_list(t->networks);  // a bad list only means none to hide
        if (!forces.contains(t->parent)) {
            auto f = store.get_tenant(t->parent);
            forces[t->parent] = f ? f->name : "";
        }
        members.push_back(std::move(*t));
    }
    tallies.internal.seal();

    std::map<std::string, SectorRow> sectors;
    std::vector<MemberRow> rows;
    for (const auto& m : members) {
        auto now = summarize(store, m.id, o.from_ns, o.to_ns, o.member_top);
        auto before = summarize(store, m.id, o.from_ns - len, o.from_ns, o.member_top);
        if (!now || !before) {
            return core::fail(std::move(now ? before.error() : now.error()));
        }
        tallies.add_summary(*now, *before);
        r.events += now->events;
        r.events_before += before->events;
        r.members_reporting += now->events > 0;

        store::FindingQuery fq;
        fq.member = m.id;
        fq.from_ns = o.from_ns;
        fq.to_ns = o.to_ns;
        auto findings = read_findings(store, fq, kMaxFindingsPerMember);
        if (!findings) {
            return core::fail(std::move(findings.error()));
        }
        MemberRow row;
        row.label = o.show_names ? m.name : member_pseudonym(o.pseudonym_key, m.id);
        row.force = forces[m.parent];
        row.sector = m.sector.empty() ? "unknown" : m.sector;
        row.events = now->events;
        row.findings = findings->size();
        std::uint64_t serious = 0;
        for (const auto& f : *findings) {
            tallies.add_finding(f.finding);
            serious += f.finding.severity >= core::Severity::kHigh;
        }
        auto& sector = sectors[row.sector];
        sector.sector = row.sector;
        ++sector.members;
        sector.events += now->events;
        sector.findings += findings->size();
        sector.serious += serious;
        r.findings += findings->size();

        // Unaddressed: still open, whenever it was last seen.
        store::FindingQuery open;
        open.member = m.id;
        open.status = store::FindingStatus::kOpen;
        open.min_severity = core::Severity::kCritical;
        auto critical = read_findings(store, open, kMaxFindingsPerMember);
        if (!critical) {
            return core::fail(std::move(critical.error()));
        }
        row.open_critical = critical->size();
        if (!critical->empty()) {
            row.worst = critical->front().finding.title;
            MemberRow contact = row;
            // The force's own members are named for it: it is the one to call them.
            if (top->level == store::TenantLevel::kForce) {
                contact.label = m.name;
            }
            r.contact.push_back(std::move(contact));
        }
        row.serious = serious;
        rows.push_back(std::move(row));
        if (rows.size() > 4 * kMaxAffected) {  // keep the candidates bounded
            std::sort(rows.begin(), rows.end(), more_affected);
            rows.resize(kMaxAffected);
        }
    }
    tallies.finish(r);
    std::sort(rows.begin(), rows.end(), more_affected);
    rows.resize(std::min(rows.size(), kMaxAffected));
    r.most_affected = std::move(rows);
    for (auto& [_, s] : sectors) {
        r.sectors.push_back(std::move(s));
    }
    std::sort(r.sectors.begin(), r.sectors.end(), [](const auto& a, const auto& b) {
        return a.serious != b.serious ? a.serious > b.serious : a.findings > b.findings;
    });
    std::sort(r.contact.begin(), r.contact.end(),
              [](const auto& a, const auto& b) { return a.open_critical > b.open_critical; });
    return r;
}

}  // namespace cyberalarm::report
