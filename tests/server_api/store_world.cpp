#include "store_world.h"

#include "server/api/internal/people.h"
#include "server/api/secrets.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"

namespace cyberalarm::server::api::test {

namespace {

template <typename T>
T must(core::Result<T> r, const char* what) {
    if (!r) {
        ADD_FAILURE() << what << ": " << r.error().to_string();
        std::abort();
    }
    return std::move(*r);
}

void must(core::Status s, const char* what) {
    if (!s) {
        ADD_FAILURE() << what << ": " << s.error().to_string();
        std::abort();
    }
}

core::Event event(std::int64_t t, const char* src, const char* dst, std::uint16_t port,
                  core::Action action) {
    core::Event e;
    e.time_ns = t;
    e.format = "iptables";
    e.observer_name = "gw1";
    e.src_ip = *core::IpAddress::parse(src);
    e.dst_ip = *core::IpAddress::parse(dst);
    e.set_src_port(40000);
    e.set_dst_port(port);
    e.set_transport(core::Transport::kTcp);
    e.action = action;
    e.category = core::Category::kFirewall;
    return e;
}

detect::Finding finding(const std::string& id, detect::FindingKind kind, const char* source,
                        std::uint16_t port) {
    detect::Finding f;
    f.id = id;
    f.kind = kind;
    f.severity = core::Severity::kHigh;
    f.rule = "test";
    f.title = "test finding " + id;
    f.advice = "block it";
    f.sources = {*core::IpAddress::parse(source)};
    f.ports = {port};
    f.distinct_sources = 1;
    f.distinct_ports = 1;
    f.count = 10;
    f.first_seen_ns = kT0 - 3600 * kS;
    f.last_seen_ns = kT0 - 60 * kS;
    return f;
}

store::TenantId tenant(store::Store& s, store::TenantLevel level, store::TenantId parent,
                       const std::string& name) {
    store::Tenant t;
    t.level = level;
    t.parent = parent;
    t.name = name;
    if (level == store::TenantLevel::kMember) {
        t.networks = "192.0.2.0/24";
        t.sector = "education";
    }
    return must(s.create_tenant(t), "create_tenant").id;
}

// Collector, asset, events, finding, scan and report for one member.
void populate(store::Store& s, MemberData& m, const std::string& tag,
              const std::vector<core::Event>& events, const detect::Finding& f) {
    store::Collector c;
    c.id = "col-" + tag;
    c.member = m.id;
    c.name = "gateway " + tag;
    c.created_ns = kT0 - 86400 * kS;
    must(s.create_collector(c), "create_collector");
    must(s.set_collector_certificate(c.id, "1f", kT0 + 365 * 86400 * kS, kT0 - 86000 * kS),
         "set_collector_certificate");
    m.collector = c.id;
    must(s.append_events(c.id, events, events.size(), kT0 - 30 * kS), "append_events");
    m.events = events.size();

    store::Asset asset;
    asset.member = m.id;
    asset.kind = store::AssetKind::kNetwork;
    asset.value = tag == "a" ? "192.0.2.0/25" : "192.0.2.128/25";
    asset.verify_token = "cyberalarm-verify=" + tag;
    asset.created_ns = kT0 - 86400 * kS;
    m.asset = must(s.add_asset(store::Scope::service(), asset), "add_asset").id;

    const std::vector<detect::Finding> findings{f};
    must(s.upsert_findings(m.id, findings, kT0 - 30 * kS), "upsert_findings");
    m.finding = f.id;

    store::ScanRun run;
    run.member = m.id;
    run.targets = asset.value;
    run.requested_by = "test";
    run.started_ns = kT0 - 7200 * kS;
    m.scan = must(s.start_scan(store::Scope::service(), run), "start_scan").id;
    store::ScanResult result;
    result.member = m.id;
    result.scan_id = m.scan;
    result.target = tag == "a" ? "192.0.2.10" : "192.0.2.140";
    result.port = 22;
    result.service = "ssh";
    result.check = "service";
    result.title = "SSH open on " + result.target;
    result.seen_ns = kT0 - 7000 * kS;
    const std::vector<store::ScanResult> results{result};
    must(s.add_scan_results(m.scan, results), "add_scan_results");
    must(s.finish_scan(m.scan, "done", kT0 - 6000 * kS), "finish_scan");

    store::ReportRecord report;
    report.tenant = m.id;
    report.kind = "member-weekly";
    report.from_ns = kT0 - 7 * 86400 * kS;
    report.to_ns = kT0;
    report.created_ns = kT0;
    report.content_type = "text/html";
    report.body = "<html><body>weekly report of member " + tag + "</body></html>";
    m.report = must(s.put_report(report), "put_report");
}

}  // namespace

World::World(int auth_failures) {
    store = must(store::open_sqlite(dir.path() / "store.db"), "open_sqlite");
    ApiOptions options;
    options.now_ns = [this] { return now.load(); };
    options.auth_failures_per_window = auth_failures;
    options.password_opslimit = 2;
    options.password_memlimit = 19 * 1024 * 1024;
    options.verify_ownership = [](const store::Asset& asset) -> core::Status {
        if (asset.value.rfind("192.0.2.", 0) == 0) {
            return {};
        }
        return core::fail(core::Error::not_found("no TXT record"));
    };
    options.request_scan = [this](store::TenantId member, const std::vector<std::string>& targets,
                                  std::string_view by) -> core::Result<std::int64_t> {
        store::ScanRun run;
        run.member = member;
        run.targets = targets.front();
        run.requested_by = std::string(by);
        run.started_ns = now.load();
        auto started = store->start_scan(store::Scope::service(), run);
        if (!started) {
            return core::fail(std::move(started.error()));
        }
        return started->id;
    };
    options.metrics_text = [] { return std::string("cyberalarm_server_up 1\n"); };
    options.secrets_key = must(load_key_file(dir.path() / "secrets.key", true), "secrets key");
    secrets_key = *options.secrets_key;
    options.send_password_reset = [this](const std::string& email,
                                         const std::string& link) -> core::Status {
        std::lock_guard lock(mail_mu);
        mails.emplace_back(email, link);
        return {};
    };
    options.data_map.data_dir = dir.path().string();
    options.data_map.integrations.push_back(
        {"smtp", "smtp://mail.test:587", "finding notices and reset links"});
    api = std::make_unique<ApiService>(*store, std::move(options));

    using L = store::TenantLevel;
    nation = tenant(*store, L::kNation, 0, "Nation");
    region = tenant(*store, L::kRegion, nation, "Region");
    force = tenant(*store, L::kForce, region, "Force");
    other_force = tenant(*store, L::kForce, region, "Other force");
    a.id = tenant(*store, L::kMember, force, "Member A school");
    b.id = tenant(*store, L::kMember, force, "Member B charity");
    c.id = tenant(*store, L::kMember, other_force, "Member C council");

    using core::Action;
    populate(*store, a, "a",
             {event(kT0 - 3600 * kS, "198.51.100.1", "192.0.2.10", 22, Action::kDeny),
              event(kT0 - 3000 * kS, "198.51.100.2", "192.0.2.10", 22, Action::kDeny),
              event(kT0 - 2400 * kS, "198.51.100.3", "192.0.2.11", 80, Action::kAllow),
              event(kT0 - 1800 * kS, "198.51.100.4", "192.0.2.11", 443, Action::kAllow),
              event(kT0 - 1200 * kS, "198.51.100.5", "192.0.2.12", 3389, Action::kDrop)},
             finding("port_scan:198.51.100.1", detect::FindingKind::kPortScan, "198.51.100.1", 22));
    populate(*store, b, "b",
             {event(kT0 - 3500 * kS, "203.0.113.7", "192.0.2.140", 22, Action::kDeny),
              event(kT0 - 2500 * kS, "203.0.113.8", "192.0.2.141", 25, Action::kDeny),
              event(kT0 - 1500 * kS, "203.0.113.9", "192.0.2.142", 22, Action::kDeny)},
             finding("brute_force:203.0.113.9", detect::FindingKind::kBruteForce, "203.0.113.9",
                     22));

    const auto person = [this](store::TenantId t, store::Role role, const std::string& email,
                               const std::string& totp = "") {
        store::User u;
        u.tenant = t;
        u.role = role;
        u.email = email;
        u.display_name = email.substr(0, email.find('@'));
        u.password_hash = kPlantedHash;
        u.totp_secret = totp;
        u.created_ns = kT0 - 86400 * kS;
        Person p;
        p.id = must(store->create_user(u), "create_user").id;
        p.token = token_for(p.id, "admin");
        return p;
    };
    op = person(nation, store::Role::kOperator, "operator@example.org");
    admin_a = person(a.id, store::Role::kMemberAdmin, "admin@a.example");
    viewer_a = person(a.id, store::Role::kMemberViewer, "viewer@a.example", kPlantedTotp);
    admin_b = person(b.id, store::Role::kMemberAdmin, "admin@b.example");
    force_analyst = person(force, store::Role::kForceAnalyst, "analyst@force.police.example");
    other_analyst = person(other_force, store::Role::kForceAnalyst, "analyst@other.police.example");

    planted = {kPlantedPassword, kPlantedHash, kPlantedTotp, "plantedHASH", "PLANTEDTOTPSEED"};
    for (const auto* p : {&op, &admin_a, &viewer_a, &admin_b, &force_analyst, &other_analyst}) {
        planted.push_back(p->token);
        planted.push_back(p->token.substr(4));
        planted.push_back(store::token_hash(p->token));
    }
    // A user whose password went through the API: its real Argon2id hash is planted too.
    const auto created = call("POST", "/api/v1/users", admin_a.token,
                              nlohmann::json{{"email", "new@a.example"},
                                             {"role", "member_viewer"},
                                             {"password", kPlantedPassword}}
                                  .dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const auto stored = must(store->find_user_by_email("new@a.example"), "find_user_by_email");
    planted.push_back(stored.password_hash);
    const auto salt_and_hash = stored.password_hash.substr(stored.password_hash.rfind('$') - 10);
    // A member admin who logs in with password and TOTP: the seed in every form is planted.
    totp_secret = Totp::new_secret();
    {
        store::User u;
        u.tenant = a.id;
        u.role = store::Role::kMemberAdmin;
        u.email = "totp@a.example";
        u.display_name = "Totp Admin";
        u.password_hash = must(hash_password(kPlantedPassword, 2, 19 * 1024 * 1024), "hash");
        u.totp_secret = seal(secrets_key, totp_secret);
        u.created_ns = kT0 - 86400 * kS;
        totp_admin_a.id = must(store->create_user(u), "create_user").id;
        planted.push_back(u.password_hash);
        planted.push_back(u.totp_secret);
        planted.push_back(Totp::base32(totp_secret));
        planted.push_back(to_hex(reinterpret_cast<const unsigned char*>(totp_secret.data()),
                                 totp_secret.size()));
    }
    planted.push_back(salt_and_hash);
    // An enrollment token made through the API for B's collector.
    const auto enroll = call("POST", "/api/v1/collectors/" + b.collector + "/enroll-tokens",
                             admin_b.token);
    EXPECT_EQ(enroll.status, 201) << enroll.body;
    enroll_token_b = json_of(enroll).value("token", "");
    planted.push_back(enroll_token_b);
    planted.push_back(store::token_hash(enroll_token_b));
}

std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

std::int64_t World::grant(const Person& analyst, const MemberData& member,
                          std::int64_t expires_ns) {
    const auto r = call("POST", "/api/v1/grants", op.token,
                        nlohmann::json{{"user", analyst.id},
                                       {"member", member.id},
                                       {"purpose", "investigation 42"},
                                       {"expires", expires_ns / kS}}
                            .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r).value("id", std::int64_t{0});
}

HttpResponse World::call(const std::string& method, const std::string& target,
                         const std::string& token, const std::string& body) {
    return call_with(method, target,
                     token.empty() ? Headers{} : Headers{{"authorization", "Bearer " + token}},
                     body);
}

HttpResponse World::call_with(const std::string& method, const std::string& target,
                              const Headers& headers, const std::string& body,
                              const std::string& peer) {
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.peer_address = peer;
    for (const auto& [name, value] : headers) {
        request.headers[name] = value;
    }
    if (!body.empty()) {
        request.headers["content-type"] = "application/json";
        request.body = body;
    }
    return api->handle(request);
}

nlohmann::json World::json_of(const HttpResponse& response) const {
    auto j = nlohmann::json::parse(response.body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
}

std::string World::token_for(store::UserId user, const std::string& scopes,
                             std::int64_t expires_ns) {
    const std::string token = "cat_" + store::new_token();
    store::ApiToken t;
    t.user = user;
    t.token_hash = store::token_hash(token);
    t.label = "test";
    t.scopes = scopes;
    t.created_ns = kT0 - 86400 * kS;
    t.expires_ns = expires_ns;
    must(store->create_api_token(t), "create_api_token");
    return token;
}

std::vector<store::AuditRecord> World::audit_with(const std::string& action) {
    std::vector<store::AuditRecord> out;
    for (const auto& r : must(store->read_audit(1, 100000, std::nullopt), "read_audit")) {
        if (r.action == action) {
            out.push_back(r);
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> World::concrete_routes(
    const MemberData& m) const {
    std::vector<std::pair<std::string, std::string>> out;
    const std::string id = std::to_string(m.id);
    for (const auto& route : api->routes()) {
        std::string path = route.pattern;
        const auto fill = [&path](const std::string& param, const std::string& value) {
            const auto at = path.find(param);
            if (at != std::string::npos) {
                path.replace(at, param.size(), value);
            }
        };
        if (path.find("/collectors/{id}") != std::string::npos) {
            fill("{id}", m.collector);
        } else if (path.find("/assets/{id}") != std::string::npos) {
            fill("{id}", std::to_string(m.asset));
        } else if (path.find("/scans/{id}") != std::string::npos) {
            fill("{id}", std::to_string(m.scan));
        } else if (path.find("/reports/{id}") != std::string::npos) {
            fill("{id}", std::to_string(m.report));
        } else if (path.find("/findings/{id}") != std::string::npos) {
            fill("{member}", id);
            fill("{id}", m.finding);
        } else {
            fill("{id}", id);
        }
        if (route.pattern == "/api/v1/events" || route.pattern == "/api/v1/findings" ||
            route.pattern == "/api/v1/events/summary" || route.pattern == "/api/v1/audit") {
            path += "?member=" + id;
        } else if (route.pattern == "/api/v1/reports") {
            path += "?tenant=" + id;
        }
        out.emplace_back(route.method, path);
    }
    return out;
}

}  // namespace cyberalarm::server::api::test
