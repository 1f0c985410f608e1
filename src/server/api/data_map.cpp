// The data map and access review (data_map.h).
#include "server/api/data_map.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "server/api/secrets.h"

namespace cyberalarm::server::api {

namespace {

constexpr std::int64_t kNsPerDay = 86'400'000'000'000;

std::string days(int d) { return d <= 0 ? "kept for good" : std::to_string(d) + " days"; }

std::string stamp(std::int64_t ns) { return ns == 0 ? "never" : core::format_iso8601(ns); }

// Which data class an audit record's target is about ("" none).
std::string class_of(const std::string& target) {
    static const std::pair<const char*, const char*> kPrefixes[] = {
        {"events", "event metadata"},         {"finding", "findings"},
        {"report", "reports"},                {"scan", "scan results"},
        {"asset", "member assets"},           {"user", "user credentials"},
        {"collector", "collector identities"}, {"enroll", "collector identities"},
        {"audit", "audit log"},               {"access-log", "audit log"},
        {"tenant", "member contact details"},
    };
    for (const auto& [prefix, name] : kPrefixes) {
        if (target.rfind(prefix, 0) == 0) {
            return name;
        }
    }
    return {};
}

core::Result<std::map<std::string, std::int64_t>> last_reads(store::Store& store,
                                                             std::int64_t lookback) {
    std::map<std::string, std::int64_t> last;
    auto head = store.audit_head();
    if (!head) {
        return core::fail(std::move(head.error()));
    }
    constexpr std::size_t kPage = 10'000;
    for (std::int64_t next = std::max<std::int64_t>(1, head->seq - lookback + 1);
         next <= head->seq; next += static_cast<std::int64_t>(kPage)) {
        auto page = store.read_audit(next, kPage, std::nullopt);
        if (!page) {
            return core::fail(std::move(page.error()));
        }
        for (const auto& r : *page) {
            if (r.action != "read" && r.action != "export") {
                continue;
            }
            if (auto c = class_of(r.target); !c.empty()) {
                last[c] = std::max(last[c], r.time_ns);
            }
        }
    }
    return last;
}

std::string file(const DataMapOptions& o, std::string_view name) {
    return o.data_dir.empty() ? std::string(name) : o.data_dir + "/" + std::string(name);
}

void add_classes(DataMap& map, const DataMapOptions& o,
                 const std::map<std::string, std::int64_t>& last) {
    const std::string db = map.backend + " " + map.location + ": ";
    const std::string members = "member_viewer/member_admin of the member; analysts with a live "
                                "grant for it; not the operator";
    auto add = [&](std::string name, std::string stored, std::string retention,
                   std::string reach) {
        DataClass c{name, std::move(stored), std::move(retention), std::move(reach), 0, -1, {}};
        if (const auto it = last.find(name); it != last.end()) {
            c.last_used_ns = it->second;
        }
        map.classes.push_back(std::move(c));
    };
    add("member contact details",
        db + "tenants (name, sector, networks); users (email, display_name)",
        "until an operator removes the member or user",
        "the operator (runs the service); member admins for their member's users");
    add("user credentials",
        db + "users (login secret as an Argon2id digest; second-factor seed sealed with " +
            file(o, kSecretsKeyFile) + "), api_tokens (SHA-256 digests); sessions and reset "
            "links in server memory (SHA-256 digests)",
        "while the user exists; sessions 12 h at most, reset links 1 h",
        "nobody reads them back: verified only (no route returns them)");
    add("collector identities",
        db + "collectors, enroll_tokens (SHA-256); CA key " + file(o, "ca/ca.key") +
            "; collector keys stay on the collectors",
        "until revoked or removed", "member admins of the member; the operator");
    add("member assets", db + "assets", "until deleted by the member admin", members);
    add("event metadata", db + "event_blocks", days(o.retention.events_days), members);
    add("findings", db + "findings, finding_addresses, finding_ports",
        days(o.retention.findings_days), members);
    add("scan results", db + "scan_runs, scan_results", days(o.retention.scan_results_days),
        members);
    add("reports", db + "reports", days(o.retention.reports_days),
        members + "; analyst reports: analysts of that tenant");
    add("audit log",
        db + "audit, audit_head; checkpoint signing key " + file(o, kAuditKeyFile),
        days(o.retention.audit_days),
        "the operator (all); member admins (records about their member); members (accesses "
        "to their data, GET /api/v1/members/{id}/access-log)");
}

// Scan results, reports (per tenant) and the audit log (its first record): the classes the
// store has no time-range search for.
template <typename Flag>
core::Status flag_other_retention(store::Store& store, const DataMapOptions& o,
                                  std::int64_t now_ns, Flag flag) {
    const store::Scope all = store::Scope::service();
    auto cutoff = [&](int d) { return now_ns - d * kNsPerDay; };
    auto tenants = store.list_tenants(std::nullopt);
    if (!tenants) {
        return core::fail(std::move(tenants.error()));
    }
    bool old_results = false;
    bool old_reports = false;
    for (const auto& t : *tenants) {
        if (o.retention.scan_results_days > 0 && !old_results &&
            t.level == store::TenantLevel::kMember) {
            auto results = store.scan_results(all, t.id, std::nullopt);
            if (!results) {
                return core::fail(std::move(results.error()));
            }
            old_results = std::any_of(results->begin(), results->end(), [&](const auto& r) {
                return r.seen_ns < cutoff(o.retention.scan_results_days);
            });
        }
        if (o.retention.reports_days > 0 && !old_reports) {
            auto reports = store.list_reports(all, t.id);
            if (!reports) {
                return core::fail(std::move(reports.error()));
            }
            old_reports = std::any_of(reports->begin(), reports->end(), [&](const auto& r) {
                return r.created_ns < cutoff(o.retention.reports_days);
            });
        }
    }
    if (old_results) {
        flag("scan results", o.retention.scan_results_days);
    }
    if (old_reports) {
        flag("reports", o.retention.reports_days);
    }
    if (o.retention.audit_days > 0) {
        auto first = store.read_audit(1, 1, std::nullopt);
        if (!first) {
            return core::fail(std::move(first.error()));
        }
        if (!first->empty() && first->front().time_ns < cutoff(o.retention.audit_days)) {
            flag("audit log", o.retention.audit_days);
        }
    }
    return {};
}

// Flags a class whose oldest row is past retention: a row older than the cutoff exists.
core::Status flag_retention(store::Store& store, DataMap& map, const DataMapOptions& o,
                            std::int64_t now_ns) {
    const store::Scope all = store::Scope::service();
    auto flag = [&](const char* name, int d) {
        for (auto& c : map.classes) {
            if (c.name == name) {
                c.flags.push_back("data past retention (older than " + std::to_string(d) +
                                  " days): the retention job has not run");
            }
        }
    };
    // One row older than the cutoff is enough to say the class holds data past retention.
    auto check = [&](const char* name, int d, auto query, auto search) -> core::Status {
        if (d <= 0) {
            return {};
        }
        query.to_ns = now_ns - d * kNsPerDay;
        query.limit = 1;
        auto page = search(query);
        if (!page) {
            return core::fail(std::move(page.error()));
        }
        if (!page->items.empty()) {
            flag(name, d);
        }
        return {};
    };
    if (auto st = check("event metadata", o.retention.events_days, store::EventQuery{},
                        [&](const auto& q) { return store.search_events(all, q); });
        !st) {
        return st;
    }
    if (auto st = check("findings", o.retention.findings_days, store::FindingQuery{},
                        [&](const auto& q) { return store.search_findings(all, q); });
        !st) {
        return st;
    }
    return flag_other_retention(store, o, now_ns, flag);
}

bool stale(std::int64_t last_used, std::int64_t since, std::int64_t now, int stale_days) {
    const std::int64_t ref = last_used != 0 ? last_used : since;
    return now - ref > stale_days * kNsPerDay;
}

core::Status add_people(store::Store& store, DataMap& map, const DataMapOptions& o,
                        std::int64_t now) {
    auto users = store.list_users(std::nullopt);
    if (!users) {
        return core::fail(std::move(users.error()));
    }
    std::map<store::UserId, std::string> names;
    for (const auto& u : *users) {
        const std::string who = "user:" + std::to_string(u.id) + " " + u.email + " (" +
                                std::string(store::to_string(u.role)) + ", tenant " +
                                std::to_string(u.tenant) + ")";
        names[u.id] = who;
        AccessEntry e{"user", who,
                      u.role == store::Role::kOperator ? "service configuration, no member data"
                      : u.role == store::Role::kMemberViewer || u.role == store::Role::kMemberAdmin
                          ? "member " + std::to_string(u.tenant) + "'s data"
                          : "members under tenant " + std::to_string(u.tenant) + " with a grant",
                      "role " + std::string(store::to_string(u.role)), u.last_login_ns, 0, {}};
        if (u.disabled_ns != 0) {
            e.flags.push_back("disabled");
        } else if (stale(u.last_login_ns, u.created_ns, now, o.stale_days)) {
            e.flags.push_back("stale: no login for " + std::to_string(o.stale_days) + " days");
        }
        if (u.disabled_ns == 0 && u.totp_secret.empty()) {
            e.flags.push_back("no TOTP second factor");
        }
        map.access.push_back(std::move(e));
    }
    auto grants = store.list_grants(std::nullopt);
    if (!grants) {
        return core::fail(std::move(grants.error()));
    }
    for (const auto& g : *grants) {
        AccessEntry e{"grant", names.count(g.user) ? names[g.user] : "user:" + std::to_string(g.user),
                      "member " + std::to_string(g.member) + "'s data",
                      "grant:" + std::to_string(g.id) + " purpose \"" + g.purpose +
                          "\" by user:" + std::to_string(g.granted_by),
                      g.last_used_ns, g.expires_ns, {}};
        if (g.revoked_ns != 0) {
            e.flags.push_back("revoked");
        } else if (g.expires_ns <= now) {
            e.flags.push_back("past its expiry: the purpose has ended (no longer honoured)");
        } else if (stale(g.last_used_ns, g.created_ns, now, o.stale_days)) {
            e.flags.push_back("stale: unused for " + std::to_string(o.stale_days) + " days");
        }
        map.access.push_back(std::move(e));
    }
    auto tokens = store.list_api_tokens(std::nullopt);
    if (!tokens) {
        return core::fail(std::move(tokens.error()));
    }
    for (const auto& t : *tokens) {
        AccessEntry e{"api-token",
                      names.count(t.user) ? names[t.user] : "user:" + std::to_string(t.user),
                      "as its user, scopes " + t.scopes,
                      "token:" + std::to_string(t.id) + " \"" + t.label + "\"", t.last_used_ns,
                      t.expires_ns, {}};
        if (t.revoked_ns != 0) {
            e.flags.push_back("revoked");
        } else if (t.expires_ns <= now) {
            e.flags.push_back("expired");
        } else if (stale(t.last_used_ns, t.created_ns, now, o.stale_days)) {
            e.flags.push_back("stale: unused for " + std::to_string(o.stale_days) + " days");
        }
        map.access.push_back(std::move(e));
    }
    return {};
}

core::Status add_services(store::Store& store, DataMap& map, const DataMapOptions& o,
                          std::int64_t now) {
    auto collectors = store.list_collectors(store::Scope::service(), std::nullopt);
    if (!collectors) {
        return core::fail(std::move(collectors.error()));
    }
    for (const auto& c : *collectors) {
        AccessEntry e{"collector", "collector:" + c.id + " \"" + c.name + "\"",
                      "ingest only: writes member " + std::to_string(c.member) +
                          "'s event metadata; reads nothing",
                      "client certificate " + (c.cert_serial.empty() ? "(not enrolled)"
                                                                     : "serial " + c.cert_serial),
                      c.last_seen_ns, c.cert_not_after_ns, {}};
        if (c.revoked_ns != 0) {
            e.flags.push_back("revoked");
        } else if (stale(c.last_seen_ns, c.created_ns, now, o.stale_days)) {
            e.flags.push_back("stale: no batch for " + std::to_string(o.stale_days) + " days");
        }
        map.access.push_back(std::move(e));
    }
    for (const auto& i : o.integrations) {
        map.access.push_back(AccessEntry{"integration", i.kind + " " + i.endpoint,
                                         "receives what it is sent", i.why, 0, 0, {}});
    }
    map.access.push_back(AccessEntry{"service", "system:retention",
                                     "deletes what is older than the retention policy", "retention job", 0, 0, {}});
    return {};
}

}  // namespace

core::Result<DataMap> build_data_map(store::Store& store, const DataMapOptions& options,
                                     std::int64_t now_ns) {
    DataMap map;
    map.generated_ns = now_ns;
    map.backend = store.backend();
    map.location = store.location();
    auto last = last_reads(store, options.audit_lookback);
    if (!last) {
        return core::fail(std::move(last.error()));
    }
    add_classes(map, options, *last);
    for (auto step : {&flag_retention, &add_people, &add_services}) {
        if (auto st = step(store, map, options, now_ns); !st) {
            return core::fail(std::move(st.error()));
        }
    }
    for (const auto& c : map.classes) {
        map.flagged += c.flags.empty() ? 0 : 1;
    }
    for (const auto& a : map.access) {
        map.flagged += a.flags.empty() ? 0 : 1;
    }
    return map;
}

std::string data_map_markdown(const DataMap& map) {
    std::string out = "# Data map and access review\n\nGenerated " + stamp(map.generated_ns) +
                      " from " + map.backend + " " + map.location + ". " +
                      std::to_string(map.flagged) + " item(s) flagged.\n\n## Data held\n";
    for (const auto& c : map.classes) {
        out += "\n### " + c.name + "\n- stored: " + c.stored + "\n- retention: " + c.retention +
               "\n- who can reach it: " + c.reach + "\n- last read: " + stamp(c.last_used_ns) +
               "\n";
        for (const auto& f : c.flags) {
            out += "- **FLAG**: " + f + "\n";
        }
    }
    out += "\n## Who can reach what, and why\n\n| kind | who | reaches | basis | last used | "
           "expires | flags |\n| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& a : map.access) {
        std::string flags;
        for (const auto& f : a.flags) {
            flags += (flags.empty() ? "" : "; ") + f;
        }
        out += "| " + a.kind + " | " + a.who + " | " + a.reach + " | " + a.basis + " | " +
               stamp(a.last_used_ns) + " | " + (a.expires_ns ? stamp(a.expires_ns) : "-") +
               " | " + (flags.empty() ? "-" : "**" + flags + "**") + " |\n";
    }
    return out;
}

std::string data_map_json(const DataMap& map) {
    using nlohmann::json;
    auto t = [](std::int64_t ns) { return ns == 0 ? json(nullptr) : json(core::format_iso8601(ns)); };
    json j{{"generated", t(map.generated_ns)}, {"backend", map.backend},
           {"location", map.location}, {"flagged", map.flagged}};
    j["classes"] = json::array();
    for (const auto& c : map.classes) {
        j["classes"].push_back({{"name", c.name}, {"stored", c.stored}, {"retention", c.retention},
                                {"reach", c.reach}, {"last_used", t(c.last_used_ns)},
                                {"flags", c.flags}});
    }
    j["access"] = json::array();
    for (const auto& a : map.access) {
        j["access"].push_back({{"kind", a.kind}, {"who", a.who}, {"reach", a.reach},
                               {"basis", a.basis}, {"last_used", t(a.last_used_ns)},
                               {"expires", t(a.expires_ns)}, {"flags", a.flags}});
    }
    return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace cyberalarm::server::api
