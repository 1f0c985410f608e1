// member_report_input: one member's report from the store (see member.h).
#include "report/member.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/time.h"
#include "report/services.h"

namespace cyberalarm::report {
namespace {

constexpr std::size_t kTopShown = 10;
// Asked of the store: more than shown, so that internal sources can be dropped and the
// rest still fill the list.
constexpr std::size_t kTopAsked = 50;

// Keys in `now` missing from `before`.
std::vector<std::string> missing_from(const std::vector<Count>& now,
                                      const std::vector<Count>& before) {
    std::set<std::string> old;
    for (const auto& c : before) {
        old.insert(c.key);
    }
    std::vector<std::string> out;
    for (const auto& c : now) {
        if (!old.contains(c.key)) {
            out.push_back(c.key);
        }
    }
    return out;
}

std::vector<std::string> kinds_of(const std::vector<store::FindingRecord>& records) {
    std::set<std::string> kinds;
    for (const auto& r : records) {
        kinds.insert(std::string(kind_label(r.finding.kind)));
    }
    return {kinds.begin(), kinds.end()};
}

std::vector<std::string> set_minus(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
    std::vector<std::string> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

core::Result<store::EventSummary> summarize(store::Store& store, store::TenantId member,
                                            std::int64_t from_ns, std::int64_t to_ns,
                                            std::int64_t bucket_ns) {
    store::EventQuery q;
    q.member = member;
    q.from_ns = from_ns;
    q.to_ns = to_ns;
    return store.summarize_events(store::Scope::service(), q, bucket_ns, kTopAsked);
}

}  // namespace

std::int64_t bucket_for(std::int64_t from_ns, std::int64_t to_ns) {
    constexpr std::int64_t kMin = 60 * core::kNanosPerSecond;
    static constexpr std::int64_t kWidths[] = {5 * kMin,      15 * kMin,     60 * kMin,
                                               180 * kMin,    360 * kMin,    1440 * kMin,
                                               7 * 1440 * kMin};
    for (auto w : kWidths) {
        if ((to_ns - from_ns + w - 1) / w <= 192) {
            return w;
        }
    }
    // Longer than 192 weeks: as wide as it takes.
    return (to_ns - from_ns + 191) / 192;
}

EventSummary from_store_summary(const store::EventSummary& s, std::int64_t from_ns,
                                std::int64_t to_ns, std::int64_t bucket_ns, std::size_t top_n) {
    EventSummary out;
    out.alerts_counted = false;
    out.events = s.events;
    out.blocked = s.denied;
    out.first_ns = from_ns;
    out.last_ns = to_ns;
    out.timeline_start_ns = from_ns;
    out.bucket_ns = bucket_ns;
    if (s.events > 0) {
        const auto n = static_cast<std::size_t>((to_ns - from_ns + bucket_ns - 1) / bucket_ns);
        out.timeline_total.assign(n, 0);
        for (const auto& [start, count] : s.per_bucket) {
            auto i = (start - from_ns) / bucket_ns;
            if (i >= 0 && static_cast<std::size_t>(i) < n) {
                out.timeline_total[static_cast<std::size_t>(i)] += count;
            }
        }
    }
    for (const auto& [ip, n] : s.top_sources) {
        if (out.top_sources.size() < top_n && is_public_address(ip)) {
            out.top_sources.push_back({ip.to_string(), n});
        }
    }
    for (const auto& [port, n] : s.top_ports) {
        if (out.top_ports.size() < top_n) {
            out.top_ports.push_back({std::to_string(port), n});
        }
    }
    return out;
}

core::Result<std::vector<store::FindingRecord>> read_findings(store::Store& store,
                                                              store::FindingQuery query,
                                                              std::size_t cap) {
    std::vector<store::FindingRecord> out;
    query.limit = store::kMaxPageSize;
    for (;;) {
        auto page = store.search_findings(store::Scope::service(), query);
        if (!page) {
            return core::fail(std::move(page.error()));
        }
        for (auto& r : page->items) {
            if (out.size() == cap) {
                return out;
            }
            out.push_back(std::move(r));
        }
        if (page->next_cursor.empty()) {
            return out;
        }
        query.cursor = std::move(page->next_cursor);
    }
}

core::Result<ReportInput> member_report_input(store::Store& store, store::TenantId member,
                                              const MemberReportOptions& o) {
    if (o.from_ns >= o.to_ns) {
        return core::fail(core::Error::invalid_argument("the report's period is empty"));
    }
    auto tenant = store.get_tenant(member);
    if (!tenant) {
        return core::fail(std::move(tenant.error()));
    }
    if (tenant->level != store::TenantLevel::kMember) {
        return core::fail(core::Error::invalid_argument(
            fmt::format("tenant {} is a {}, not a member", member, store::to_string(tenant->level))));
    }
    ReportInput in;
    in.title = o.to_ns - o.from_ns == kWeekNs ? "Weekly security report" : "Security report";
    in.member = tenant->name;
    in.generated_ns = o.now_ns;
    in.period_from_ns = o.from_ns;
    in.period_to_ns = o.to_ns;
    const auto bucket = bucket_for(o.from_ns, o.to_ns);
    auto now = summarize(store, member, o.from_ns, o.to_ns, bucket);
    if (!now) {
        return core::fail(std::move(now.error()));
    }
    in.summary = from_store_summary(*now, o.from_ns, o.to_ns, bucket, kTopShown);

    store::FindingQuery fq;
    fq.member = member;
    fq.from_ns = o.from_ns;
    fq.to_ns = o.to_ns;
    auto findings = read_findings(store, fq, kMaxFindings);
    if (!findings) {
        return core::fail(std::move(findings.error()));
    }
    for (const auto& r : *findings) {
        in.findings.push_back(r.finding);
    }

    auto scans = store.scan_results(store::Scope::service(), member, std::nullopt);
    if (!scans) {
        return core::fail(std::move(scans.error()));
    }
    in.scanner_section = true;
    for (auto& r : *scans) {
        // "service" results only say a port is open; the report lists weaknesses.
        if (r.seen_ns >= o.from_ns && r.seen_ns < o.to_ns && r.check != "service" &&
            in.vulnerabilities.size() < kMaxScanResults) {
            in.vulnerabilities.push_back(std::move(r));
        }
    }

    if (o.geo != nullptr) {
        for (const auto& c : in.summary.top_sources) {
            auto ip = core::IpAddress::parse(c.key);
            auto info = ip ? o.geo->lookup(*ip) : GeoInfo{};
            if (!info.empty()) {
                in.source_origin[c.key] = info.describe();
            }
        }
    }

    if (o.compare_previous) {
        const auto len = o.to_ns - o.from_ns;
        auto before = summarize(store, member, o.from_ns - len, o.from_ns, bucket);
        if (!before) {
            return core::fail(std::move(before.error()));
        }
        auto prev = from_store_summary(*before, o.from_ns - len, o.from_ns, bucket, kTopShown);
        fq.from_ns = o.from_ns - len;
        fq.to_ns = o.from_ns;
        auto prev_findings = read_findings(store, fq, kMaxFindings);
        if (!prev_findings) {
            return core::fail(std::move(prev_findings.error()));
        }
        PeriodChange c;
        c.events_before = prev.events;
        c.blocked_before = prev.blocked;
        c.findings_before = prev_findings->size();
        c.findings_now = findings->size();
        c.new_sources = missing_from(in.summary.top_sources, prev.top_sources);
        c.gone_sources = missing_from(prev.top_sources, in.summary.top_sources);
        c.new_ports = missing_from(in.summary.top_ports, prev.top_ports);
        c.gone_ports = missing_from(prev.top_ports, in.summary.top_ports);
        auto kinds_now = kinds_of(*findings);
        auto kinds_before = kinds_of(*prev_findings);
        c.new_kinds = set_minus(kinds_now, kinds_before);
        c.gone_kinds = set_minus(kinds_before, kinds_now);
        in.change = std::move(c);
    }
    return in;
}

}  // namespace cyberalarm::report
