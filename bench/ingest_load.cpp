// ingest_load: N simulated collectors sending batches over mutual TLS to a running
// cyberalarm-server, as the collector's uplink does (one kept-alive connection each, one
// batch at a time, the next only after the acknowledgement), reporting events/s stored and
// the acknowledgement latency (p50, p99).
//
//   ingest_load --data-dir DIR [--collectors 4] [--events 1000000] [--batch 5000]
//
// DIR is the server's data directory: the tool reads ports.json and ca/ca.pem, opens
// store.db beside the server to add a member and its collectors with enrollment tokens, and
// enrolls each collector through /v1/enroll. Batches are built before the clock starts
// (realistic firewall events, zstd level 3, as the collector sends them). A 429 is counted
// and the batch sent again after 20 ms.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <regex>
#include <thread>
#include <vector>

#include "core/event_codec.h"
#include "server/clock.h"
#include "store/sqlite/sqlite_store.h"
#include "uplink/client.h"
#include "uplink/endpoint.h"
#include "uplink/internal/https_client.h"
#include "uplink/messages.h"
#include "uplink/pki.h"
#include "uplink/wire.h"

using namespace cyberalarm;

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "ingest_load: %s\n", what.c_str());
    std::exit(1);
}

template <typename T>
T ok(core::Result<T> r, const std::string& what) {
    if (!r) {
        die(what + ": " + r.error().to_string());
    }
    return std::move(*r);
}

// Firewall events as a busy gateway logs them: many outside sources, a few inside targets,
// common service ports, mostly denies.
std::vector<std::string> make_records(std::size_t n, std::mt19937_64& rng, std::int64_t t0) {
    static const std::uint16_t kPorts[] = {22, 23, 25, 53, 80, 443, 445, 993, 1433, 3306, 3389,
                                           5900, 8080, 8443};
    std::vector<std::string> out;
    out.reserve(n);
    core::Event e;
    e.format = "fortigate";
    e.observer_name = "fw01";
    e.observer_vendor = "Fortinet";
    e.observer_product = "FortiGate";
    e.category = core::Category::kFirewall;
    e.transport = core::Transport::kTcp;
    e.rule_name = "deny-inbound";
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t r = rng();
        e.time_ns = t0 + static_cast<std::int64_t>(i) * 1'000'000;
        e.src_ip = core::IpAddress::v4(static_cast<std::uint32_t>(0xC6330000u | (r & 0xffff)));
        e.dst_ip = core::IpAddress::v4(0x0A010000u | static_cast<std::uint32_t>((r >> 16) & 0xff));
        e.set_src_port(static_cast<std::uint16_t>(1024 + ((r >> 24) % 60000)));
        e.set_dst_port(kPorts[(r >> 40) % std::size(kPorts)]);
        e.action = (r >> 48) % 10 < 8 ? core::Action::kDeny : core::Action::kAllow;
        e.rule_id = std::to_string((r >> 52) % 40);
        std::string rec;
        core::encode_event(e, rec);
        out.push_back(std::move(rec));
    }
    return out;
}

struct Collector {
    uplink::EnrollResult files;
    std::vector<std::pair<std::string, std::string>> batches;  // (range header, body)
    std::vector<double> latencies_ms;
    std::uint64_t throttled = 0;
    std::uint64_t events = 0;
    std::string error;
};

void run_collector(Collector& c, const uplink::Endpoint& ep, const std::filesystem::path& ca) {
    uplink::internal::ClientTlsFiles tls{ca, c.files.cert_file, c.files.key_file};
    auto http = ok(uplink::internal::HttpsClient::create(ep, tls, {}), "client");
    std::atomic<bool> cancel{false};
    for (auto& [range, body] : c.batches) {
        for (;;) {
            const uplink::internal::Header h[] = {{uplink::kBatchRangeHeader, range}};
            const auto start = std::chrono::steady_clock::now();
            auto res = http->post(uplink::kBatchPath, uplink::kBatchContentType, body, h, cancel);
            const auto ms = std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - start)
                                .count();
            if (res && res->status == 429) {
                ++c.throttled;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                continue;
            }
            if (!res || res->status != 200) {
                c.error = res ? std::to_string(res->status) + " " + res->body
                              : res.error().to_string();
                return;
            }
            c.events += ok(uplink::parse_batch_ack(res->body), "ack").stored;
            c.latencies_ms.push_back(ms);
            break;
        }
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ingest_load: simulated collectors against cyberalarm-server"};
    std::filesystem::path data_dir;
    std::size_t collectors = 4;
    std::size_t events = 1'000'000;
    std::size_t batch = 5000;
    app.add_option("--data-dir", data_dir, "the server's data directory")->required();
    app.add_option("--collectors", collectors, "simulated collectors (connections)");
    app.add_option("--events", events, "events in total");
    app.add_option("--batch", batch, "events per batch");
    CLI11_PARSE(app, argc, argv);
    collectors = std::max<std::size_t>(1, collectors);

    const auto ports = ok(uplink::read_small_file(data_dir / "ports.json"), "ports.json");
    std::smatch m;
    if (!std::regex_search(ports, m, std::regex("\"ingest\": (\\d+)"))) {
        die("ports.json has no ingest port");
    }
    const std::string url = "https://127.0.0.1:" + m[1].str();
    const auto ca_file = data_dir / "ca" / "ca.pem";
    const auto ep = ok(uplink::parse_server_url(url), "url");

    // A member and its collectors, added beside the running server (SQLite locks apply).
    auto store = ok(store::open_sqlite(data_dir / "store.db"), "store.db");
    const auto tag = std::to_string(server::wall_clock_ns());
    store::TenantId parent = 0;
    for (auto level : {store::TenantLevel::kNation, store::TenantLevel::kRegion,
                       store::TenantLevel::kForce, store::TenantLevel::kMember}) {
        const bool member = level == store::TenantLevel::kMember;
        store::Tenant t{0, level, parent, "bench-" + tag, "", member ? "10.1.0.0/16" : "", 0};
        parent = ok(store->create_tenant(t), "tenant").id;
    }
    std::vector<Collector> fleet(collectors);
    std::mt19937_64 rng(42);
    const std::size_t per = events / collectors;
    for (std::size_t i = 0; i < collectors; ++i) {
        const std::string id = "bench-" + tag + "-" + std::to_string(i);
        const auto now = server::wall_clock_ns();
        if (auto st = store->create_collector({id, parent, id, "", 0, now, 0, 0, 0, 0, 0}); !st) {
            die("collector: " + st.error().to_string());
        }
        const std::string token = store::new_token();
        if (auto st = store->add_enroll_token({store::token_hash(token), id, parent, "bench", now,
                                               now + 3'600'000'000'000, 0});
            !st) {
            die("token: " + st.error().to_string());
        }
        uplink::EnrollOptions eo;
        eo.server_url = url;
        eo.token = token;
        eo.ca_file = ca_file;
        eo.out_dir = data_dir / "bench-clients" / id;
        fleet[i].files = ok(uplink::enroll(eo), "enroll");
        for (std::size_t seq = 1; seq <= per; seq += batch) {
            const std::size_t n = std::min(batch, per - seq + 1);
            auto records = make_records(n, rng, now + static_cast<std::int64_t>(seq) * 1'000'000);
            fleet[i].batches.emplace_back(uplink::batch_range_header(seq, seq + n - 1),
                                          uplink::encode_batch(seq, records, 3));
        }
    }
    store.reset();

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (auto& c : fleet) {
        threads.emplace_back([&c, &ep, &ca_file] { run_collector(c, ep, ca_file); });
    }
    for (auto& t : threads) {
        t.join();
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<double> all;
    std::uint64_t stored = 0;
    std::uint64_t throttled = 0;
    for (const auto& c : fleet) {
        if (!c.error.empty()) {
            die("a collector failed: " + c.error);
        }
        all.insert(all.end(), c.latencies_ms.begin(), c.latencies_ms.end());
        stored += c.events;
        throttled += c.throttled;
    }
    std::printf(
        "collectors=%zu events=%llu batch=%zu seconds=%.2f events_per_s=%.0f ack_p50_ms=%.1f "
        "ack_p99_ms=%.1f throttled=%llu\n",
        collectors, static_cast<unsigned long long>(stored), batch, secs,
        static_cast<double>(stored) / secs, percentile(all, 0.50), percentile(all, 0.99),
        static_cast<unsigned long long>(throttled));
    return 0;
}
