// SQLite store benchmark: ingest rate with append_events (synchronous=FULL, as in
// production), then search and summary latency at a large size (10M events by default).
//
//   store_bench [--dir DIR] [--ingest N] [--fill N] [--runs R] [--queries Q] [--writers 1,4]
//
// Ingest: R runs, each into a fresh database, of N events in batches of 1,000 and of
// 10,000 (20 members, 2 collectors each, realistic mixed events), appended by each number of
// concurrent writer threads given (group commit shares a transaction and its fsync between
// them). Search: the database is filled to --fill events (fsync off for the fill only,
// batches of 10,000), reopened with
// production options, and Q queries of each kind are timed, R rounds; summaries of one
// member-week likewise. Prints medians over the runs. Database files are deleted at exit.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace {

using namespace cyberalarm;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kDay = 86'400 * kSec;
constexpr std::int64_t kStart = 1'767'225'600 * kSec;  // 2026-01-01
constexpr std::int64_t kSpan = 30 * kDay;              // events spread over 30 days
constexpr int kMembers = 20;
constexpr std::size_t kSources = 50'000;
constexpr std::uint16_t kCommonPorts[] = {22, 23, 25, 53, 80, 123, 443, 445, 1433, 3306, 3389, 5900, 8080};

struct Args {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "cyberalarm-store-bench";
    std::size_t ingest = 1'000'000;
    std::size_t fill = 10'000'000;
    int runs = 3;
    int queries = 300;
    std::vector<int> writers = {1, 4};  // concurrent appending threads (group commit)
};

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

template <typename T>
T median(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void die(const core::Error& e, const char* what) {
    std::fprintf(stderr, "store_bench: %s: %s\n", what, e.to_string().c_str());
    std::exit(1);
}

// Heavy hitters: a few sources send much of the traffic, as on a real gateway.
std::size_t skewed(std::mt19937_64& rng, std::size_t n) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<std::size_t>(u * u * u * static_cast<double>(n));
}

core::IpAddress source_address(std::size_t i) {
    return core::IpAddress::v4(0xC6330000u + static_cast<std::uint32_t>(i * 7919 % 0xFFFFFF));
}

struct Generator {
    std::mt19937_64 rng{42};

    core::Event next(int member, std::int64_t time_ns) {
        core::Event e;
        e.time_ns = time_ns;
        e.format = "iptables";
        e.observer_name = "gw" + std::to_string(member);
        e.src_ip = source_address(skewed(rng, kSources));
        e.dst_ip = core::IpAddress::v4(0xCB007100u + static_cast<std::uint32_t>(member) * 256 +
                                       static_cast<std::uint32_t>(rng() % 64));
        e.set_src_port(static_cast<std::uint16_t>(1024 + rng() % 60000));
        const bool common = rng() % 10 < 8;
        e.set_dst_port(common ? kCommonPorts[rng() % std::size(kCommonPorts)]
                              : static_cast<std::uint16_t>(1 + rng() % 65535));
        e.set_transport(rng() % 10 < 8 ? core::Transport::kTcp : core::Transport::kUdp);
        const auto c = rng() % 20;
        e.category = c < 16 ? core::Category::kFirewall
                            : c < 18 ? core::Category::kIds
                                     : c < 19 ? core::Category::kAuth : core::Category::kFlow;
        const auto a = rng() % 20;
        e.action = a < 12 ? core::Action::kDeny
                          : a < 15 ? core::Action::kDrop
                                   : a < 19 ? core::Action::kAllow : core::Action::kAlert;
        e.direction = core::Direction::kInbound;
        e.rule_name = a < 15 ? "drop-inbound" : "allow-web";
        if (e.category == core::Category::kIds) {
            e.rule_id = std::to_string(2000000 + rng() % 5000);
            e.rule_name = "ET SCAN Suspicious inbound";
            e.severity = core::Severity::kMedium;
        }
        e.set_bytes(40 + rng() % 1500);
        e.set_packets(1 + rng() % 4);
        return e;
    }
};

std::unique_ptr<store::Store> open_store(const std::filesystem::path& path, bool fsync) {
    store::SqliteOptions options;
    options.fsync = fsync;
    auto s = store::open_sqlite(path, options);
    if (!s) {
        die(s.error(), "open");
    }
    return std::move(*s);
}

// Tenants and collectors; returns the member ids.
std::vector<store::TenantId> make_tenants(store::Store& s) {
    store::Tenant t;
    t.level = store::TenantLevel::kNation;
    t.name = "Nation";
    const auto nation = s.create_tenant(t)->id;
    t = {};
    t.level = store::TenantLevel::kRegion;
    t.parent = nation;
    t.name = "Region";
    const auto region = s.create_tenant(t)->id;
    t.level = store::TenantLevel::kForce;
    t.parent = region;
    t.name = "Force";
    const auto force = s.create_tenant(t)->id;
    std::vector<store::TenantId> members;
    for (int m = 0; m < kMembers; ++m) {
        t.level = store::TenantLevel::kMember;
        t.parent = force;
        t.name = "Member " + std::to_string(m);
        members.push_back(s.create_tenant(t)->id);
        for (int c = 0; c < 2; ++c) {
            store::Collector col;
            col.id = "m" + std::to_string(m) + "-c" + std::to_string(c);
            col.member = members.back();
            if (auto st = s.create_collector(col); !st) {
                die(st.error(), "create collector");
            }
        }
    }
    return members;
}

struct Batch {
    std::string collector;
    std::vector<core::Event> events;
    std::uint64_t through = 0;
};

// `total` events in batches of `batch`, round-robin over the collectors (batch k goes to
// collector k % 40). Each collector's events advance evenly through the 30-day span over the
// `planned` events of the whole run, so every member has data on every day.
std::vector<Batch> make_batches(Generator& gen, std::size_t total, std::size_t batch,
                                std::size_t planned, std::size_t& done) {
    std::vector<Batch> out;
    const double step = static_cast<double>(kSpan) / static_cast<double>(planned);
    for (std::size_t sent = 0; sent < total; sent += batch) {
        const std::size_t col = (done / batch) % (kMembers * 2);
        const int member = static_cast<int>(col / 2);
        Batch b;
        b.collector = "m" + std::to_string(member) + "-c" + std::to_string(col % 2);
        b.events.reserve(batch);
        for (std::size_t i = 0; i < batch; ++i, ++done) {
            // Collectors take turns by batch: event `done` lands at its place in the span,
            // spread over the batch's turn.
            const double pos = static_cast<double>(done - done % (batch * kMembers * 2)) +
                               static_cast<double>((done % batch) * kMembers * 2);
            b.events.push_back(gen.next(member, kStart + static_cast<std::int64_t>(pos * step)));
        }
        b.through = done;
        out.push_back(std::move(b));
    }
    return out;
}

// CPU time of the whole process: the store's work in every appending thread, apart from
// waits for the disk and for the CPU when other processes load the machine.
double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct IngestRate {
    double wall;  // events/s
    double cpu;   // events per CPU-second of the process
};

// Appends the batches with `writers` threads, as a server does with one thread per collector
// connection: writer t sends batches t, t + writers, … (so one collector's batches stay in
// order on one thread when 40 % writers == 0). The batches are made beforehand: generating
// them is not the store's cost.
IngestRate append_all(store::Store& s, const std::vector<Batch>& batches, int writers) {
    std::size_t events = 0;
    for (const Batch& b : batches) {
        events += b.events.size();
    }
    const auto t0 = Clock::now();
    const double c0 = process_cpu_seconds();
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            for (std::size_t i = static_cast<std::size_t>(w); i < batches.size();
                 i += static_cast<std::size_t>(writers)) {
                const Batch& b = batches[i];
                if (auto st = s.append_events(b.collector, b.events, b.through, kStart); !st) {
                    die(st.error(), "append_events");
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    const double cpu = process_cpu_seconds() - c0;
    const double wall = seconds_since(t0);
    return {static_cast<double>(events) / wall, static_cast<double>(events) / cpu};
}

}  // namespace

namespace {

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--dir") {
            a.dir = v;
        } else if (k == "--ingest") {
            a.ingest = std::stoull(v);
        } else if (k == "--fill") {
            a.fill = std::stoull(v);
        } else if (k == "--runs") {
            a.runs = std::stoi(v);
        } else if (k == "--writers") {
            a.writers.clear();
            const std::string list = v;
            for (std::size_t at = 0; at < list.size();) {
                const std::size_t comma = std::min(list.find(',', at), list.size());
                a.writers.push_back(std::stoi(list.substr(at, comma - at)));
                at = comma + 1;
            }
        } else if (k == "--queries") {
            a.queries = std::stoi(v);
        } else {
            std::fprintf(stderr, "store_bench: unknown option %s\n", k.c_str());
            std::exit(2);
        }
    }
    return a;
}

void bench_ingest(const Args& args) {
    for (const int writers : args.writers) {
        for (const std::size_t batch : {std::size_t{1000}, std::size_t{10000}}) {
            std::vector<double> rates, cpu_rates;
            for (int run = 0; run < args.runs; ++run) {
                const auto path = args.dir / ("ingest-" + std::to_string(batch) + ".db");
                std::filesystem::remove_all(args.dir);
                auto s = open_store(path, true);
                make_tenants(*s);
                Generator gen;
                std::size_t done = 0;
                const auto batches = make_batches(gen, args.ingest, batch, args.ingest, done);
                const IngestRate r = append_all(*s, batches, writers);
                rates.push_back(r.wall);
                cpu_rates.push_back(r.cpu);
                std::printf("  ingest writers=%d batch=%zu run %d: %.0f events/s wall, %.0f per "
                            "CPU-second\n", writers, batch, run + 1, r.wall, r.cpu);
                std::fflush(stdout);
            }
            std::printf("ingest writers=%d batch=%zu events=%zu: median %.0f events/s wall (fsync "
                        "per commit), %.0f events per CPU-second of the process\n",
                        writers, batch, args.ingest, median(rates), median(cpu_rates));
        }
    }
    std::filesystem::remove_all(args.dir);
}

struct QueryKind {
    const char* name;
    void (*shape)(store::EventQuery&, std::mt19937_64&);
};

void time_queries(store::Store& s, const std::vector<store::TenantId>& members, const Args& args) {
    const QueryKind kinds[] = {
        {"member+time", [](store::EventQuery&, std::mt19937_64&) {}},
        {"member+time+address",
         [](store::EventQuery& q, std::mt19937_64& r) { q.address = source_address(skewed(r, kSources)); }},
        {"member+time+port",
         [](store::EventQuery& q, std::mt19937_64& r) { q.port = kCommonPorts[r() % std::size(kCommonPorts)]; }},
        {"member+time+category",
         [](store::EventQuery& q, std::mt19937_64&) { q.category = core::Category::kIds; }},
    };
    const store::Scope scope = store::Scope::of(members);
    for (const QueryKind& kind : kinds) {
        std::vector<double> p50s, p99s, hits;
        for (int round = 0; round < args.runs; ++round) {
            std::mt19937_64 rng(7 + static_cast<unsigned>(round));
            std::vector<double> ms;
            std::size_t items = 0;
            for (int i = 0; i < args.queries; ++i) {
                store::EventQuery q;
                q.member = members[rng() % members.size()];
                q.from_ns = kStart + static_cast<std::int64_t>(rng() % 29) * kDay;
                q.to_ns = q.from_ns + kDay;
                q.limit = 100;
                kind.shape(q, rng);
                const auto t0 = Clock::now();
                auto page = s.search_events(scope, q);
                ms.push_back(seconds_since(t0) * 1000);
                if (!page) {
                    die(page.error(), "search_events");
                }
                items += page->items.size();
            }
            p50s.push_back(percentile(ms, 0.5));
            p99s.push_back(percentile(ms, 0.99));
            hits.push_back(static_cast<double>(items) / args.queries);
        }
        std::printf("search %-22s p50 %7.2f ms  p99 %7.2f ms  (mean %.0f items/page, %d queries x %d)\n",
                    kind.name, median(p50s), median(p99s), median(hits), args.queries, args.runs);
    }
    std::vector<double> ms;
    for (int round = 0; round < args.runs; ++round) {
        for (int i = 0; i < 5; ++i) {
            store::EventQuery q;
            q.member = members[static_cast<std::size_t>(round * 5 + i) % members.size()];
            q.from_ns = kStart + static_cast<std::int64_t>(i * 5) * kDay;
            q.to_ns = q.from_ns + 7 * kDay;
            const auto t0 = Clock::now();
            auto sum = s.summarize_events(scope, q, 3600 * kSec, 10);
            ms.push_back(seconds_since(t0) * 1000);
            if (!sum) {
                die(sum.error(), "summarize_events");
            }
        }
    }
    std::printf("summarize one member-week (hourly buckets, top 10): p50 %.1f ms  max %.1f ms (%zu runs)\n",
                percentile(ms, 0.5), percentile(ms, 1.0), ms.size());
}

void bench_search(const Args& args) {
    std::filesystem::remove_all(args.dir);
    const auto path = args.dir / "search.db";
    std::vector<store::TenantId> members;
    const auto t0 = Clock::now();
    {
        auto s = open_store(path, false);
        members = make_tenants(*s);
    }
    // The fill goes through append_events with fsync off, in batches of 10,000.
    {
        auto s = open_store(path, false);
        Generator gen;
        std::size_t done = 0;
        for (std::size_t left = args.fill; left > 0;) {
            const std::size_t n = std::min<std::size_t>(left, 1'000'000);
            append_all(*s, make_batches(gen, n, 10'000, args.fill, done), 1);
            left -= n;
            std::printf("  filled %zu events (%.0f s)\n", done, seconds_since(t0));
            std::fflush(stdout);
        }
    }
    std::printf("fill: %zu events, database %.2f GB\n", args.fill,
                static_cast<double>(std::filesystem::file_size(path)) / 1e9);
    auto s = open_store(path, true);
    time_queries(*s, members, args);
    s.reset();
    std::filesystem::remove_all(args.dir);
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse_args(argc, argv);
    std::printf("store_bench: dir %s, %d runs\n", args.dir.c_str(), args.runs);
    if (args.ingest > 0) {
        bench_ingest(args);
    }
    if (args.fill > 0) {
        bench_search(args);
    }
    return 0;
}
