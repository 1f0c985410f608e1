// ApiService::handle latency in process (no sockets, no TLS) on a SQLite store holding
// 1M+ events and 10k findings across 20 members: event searches and finding searches as a
// member viewer and as an analyst with grants, and the cost of authentication per request.
//
// Each benchmark times every request and reports p50/p99 (µs) beside Google Benchmark's
// mean; run with --benchmark_repetitions=3 for medians of 3 runs (bench/README.md).
//
// The store is built once in $CA_BENCH_DIR (default /tmp/ca-api-bench) and reused by later
// runs: filled without fsync, then reopened with the default options (fsync on), so the
// audit record each read appends costs what it costs in production.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "server/api/api.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace cyberalarm;
using server::HttpRequest;
using server::api::ApiService;

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kT0 = 1'767'312'000 * kS;
constexpr int kMembers = 20;
constexpr std::size_t kEvents = 1'050'000;
constexpr std::size_t kBatch = 10'000;
constexpr int kFindingsPerMember = 500;

template <typename T>
T must(core::Result<T> r) {
    if (!r) {
        std::fprintf(stderr, "api_bench: %s\n", r.error().to_string().c_str());
        std::exit(1);
    }
    return std::move(*r);
}

void must(const core::Status& s) {
    if (!s) {
        std::fprintf(stderr, "api_bench: %s\n", s.error().to_string().c_str());
        std::exit(1);
    }
}

core::Event make_event(std::mt19937_64& rng, std::int64_t t) {
    static constexpr std::uint16_t kPorts[] = {22, 23, 80, 443, 445, 3389, 8080, 25, 53, 3306};
    core::Event e;
    e.time_ns = t;
    e.format = "iptables";
    e.observer_name = "gw";
    e.src_ip = core::IpAddress::v4(0xC6336400u + static_cast<std::uint32_t>(rng() % 65536));
    e.dst_ip = core::IpAddress::v4(0xC0000200u + static_cast<std::uint32_t>(rng() % 256));
    e.set_src_port(static_cast<std::uint16_t>(1024 + rng() % 60000));
    e.set_dst_port(kPorts[rng() % std::size(kPorts)]);
    e.set_transport(core::Transport::kTcp);
    e.action = rng() % 4 == 0 ? core::Action::kAllow : core::Action::kDeny;
    return e;
}

struct Ids {
    store::TenantId first_member = 0;
    std::string viewer_token;
    std::string analyst_token;
};

void fill(store::Store& s, Ids& ids) {
    store::Tenant t;
    t.level = store::TenantLevel::kNation;
    t.name = "Nation";
    const auto nation = must(s.create_tenant(t)).id;
    t.level = store::TenantLevel::kRegion, t.parent = nation, t.name = "Region";
    const auto region = must(s.create_tenant(t)).id;
    t.level = store::TenantLevel::kForce, t.parent = region, t.name = "Force";
    const auto force = must(s.create_tenant(t)).id;
    std::mt19937_64 rng(42);
    for (int m = 0; m < kMembers; ++m) {
        t.level = store::TenantLevel::kMember, t.parent = force, t.name = "Member " + std::to_string(m);
        const auto member = must(s.create_tenant(t)).id;
        ids.first_member = m == 0 ? member : ids.first_member;
        store::Collector c;
        c.id = "col-" + std::to_string(m);
        c.member = member;
        c.name = "gw";
        must(s.create_collector(c));
        std::vector<core::Event> batch;
        const std::size_t per_member = kEvents / kMembers;
        for (std::size_t i = 0; i < per_member; ++i) {
            batch.push_back(make_event(rng, kT0 - 7 * 86400 * kS +
                                                static_cast<std::int64_t>(i) * (7 * 86400 * kS / static_cast<std::int64_t>(per_member))));
            if (batch.size() == kBatch || i + 1 == per_member) {
                must(s.append_events(c.id, batch, i + 1, kT0));
                batch.clear();
            }
        }
        std::vector<detect::Finding> findings;
        for (int f = 0; f < kFindingsPerMember; ++f) {
            detect::Finding x;
            x.id = "port_scan:" + std::to_string(f);
            x.kind = f % 3 == 0 ? detect::FindingKind::kBruteForce : detect::FindingKind::kPortScan;
            x.severity = static_cast<core::Severity>(1 + f % 5);
            x.title = "finding";
            x.sources = {core::IpAddress::v4(0xC6336400u + static_cast<std::uint32_t>(f))};
            x.ports = {22};
            x.count = 10;
            x.first_seen_ns = kT0 - 86400 * kS + f * kS;
            x.last_seen_ns = x.first_seen_ns + 60 * kS;
            findings.push_back(x);
        }
        must(s.upsert_findings(member, findings, kT0));
    }
}

// Users and tokens are made on every run (cheap), the events only once.
void people(store::Store& s, Ids& ids) {
    const auto tenants = must(s.list_tenants(std::nullopt));
    store::TenantId force = 0;
    ids.first_member = 0;
    for (const auto& t : tenants) {
        force = t.level == store::TenantLevel::kForce ? t.id : force;
        if (t.level == store::TenantLevel::kMember && ids.first_member == 0) {
            ids.first_member = t.id;
        }
    }
    const auto suffix = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    const auto user = [&](store::TenantId tenant, store::Role role) {
        store::User u;
        u.tenant = tenant;
        u.role = role;
        u.email = "u" + std::to_string(static_cast<int>(role)) + "-" + suffix + "@example.org";
        u.password_hash = "$argon2id$bench";
        const auto id = must(s.create_user(u)).id;
        store::ApiToken tok;
        const auto token = "cat_" + store::new_token();
        tok.user = id;
        tok.token_hash = store::token_hash(token);
        tok.label = "bench";
        tok.scopes = "read";
        tok.expires_ns = store::kForever;
        must(s.create_api_token(tok));
        return std::make_pair(id, token);
    };
    ids.viewer_token = user(ids.first_member, store::Role::kMemberViewer).second;
    const auto [analyst, token] = user(force, store::Role::kForceAnalyst);
    ids.analyst_token = token;
    for (int m = 0; m < 5; ++m) {
        store::Grant g;
        g.user = analyst;
        g.member = ids.first_member + m;
        g.purpose = "bench";
        g.expires_ns = store::kForever - 1;
        must(s.create_grant(g));
    }
}

struct Fixture {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<ApiService> api;
    Ids ids;

    Fixture() {
        const char* env = std::getenv("CA_BENCH_DIR");
        const std::filesystem::path dir = env ? env : "/tmp/ca-api-bench";
        std::filesystem::create_directories(dir);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
        const auto db = dir / "store.db";
        if (!std::filesystem::exists(db)) {
            store::SqliteOptions bulk;
            bulk.fsync = false;
            auto s = must(store::open_sqlite(db, bulk));
            fill(*s, ids);
        }
        store = must(store::open_sqlite(db));
        people(*store, ids);
        server::api::ApiOptions options;
        options.now_ns = [] { return kT0; };
        api = std::make_unique<ApiService>(*store, std::move(options));
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void run(benchmark::State& state, const std::string& target, const std::string& token) {
    auto& f = fixture();
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    request.peer_address = "127.0.0.1";
    if (!token.empty()) {
        request.headers["authorization"] = "Bearer " + token;
    }
    std::vector<double> us;
    std::size_t bytes = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        const auto response = f.api->handle(request);
        const auto end = std::chrono::steady_clock::now();
        if (response.status != 200) {
            state.SkipWithError(("status " + std::to_string(response.status) + ": " + response.body).c_str());
            return;
        }
        bytes += response.body.size();
        us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    std::sort(us.begin(), us.end());
    state.counters["p50_us"] = us[us.size() / 2];
    state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
    state.counters["body_bytes"] = static_cast<double>(bytes) / static_cast<double>(us.size());
}

void BM_EventsLatest(benchmark::State& state) {
    run(state, "/api/v1/events?limit=100", fixture().ids.viewer_token);
}
void BM_EventsPort(benchmark::State& state) {
    run(state, "/api/v1/events?port=3389&limit=100", fixture().ids.viewer_token);
}
void BM_EventsAddress(benchmark::State& state) {
    run(state, "/api/v1/events?address=198.51.100.77&limit=100", fixture().ids.viewer_token);
}
void BM_EventsHour(benchmark::State& state) {
    run(state, "/api/v1/events?from=1767218400&to=1767222000&action=deny&limit=100",
        fixture().ids.viewer_token);
}
void BM_EventsAnalyst5Members(benchmark::State& state) {
    run(state, "/api/v1/events?port=22&limit=100", fixture().ids.analyst_token);
}
void BM_Findings(benchmark::State& state) {
    run(state, "/api/v1/findings?limit=100", fixture().ids.viewer_token);
}
void BM_FindingsHighSeverity(benchmark::State& state) {
    run(state, "/api/v1/findings?min_severity=high&kind=port_scan&limit=100",
        fixture().ids.viewer_token);
}
// Authentication overhead: /me is authentication plus a tiny answer, /healthz no
// authentication; the difference is what authenticating costs per request.
void BM_AuthMe(benchmark::State& state) { run(state, "/api/v1/me", fixture().ids.viewer_token); }
void BM_AuthMeAnalyst(benchmark::State& state) {
    run(state, "/api/v1/me", fixture().ids.analyst_token);
}
void BM_NoAuthHealthz(benchmark::State& state) { run(state, "/healthz", ""); }

BENCHMARK(BM_EventsLatest)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EventsPort)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EventsAddress)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EventsHour)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EventsAnalyst5Members)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Findings)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FindingsHighSeverity)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AuthMe)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AuthMeAnalyst)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NoAuthHealthz)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
