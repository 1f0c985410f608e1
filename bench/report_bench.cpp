// Report generation benchmark, through the public interfaces only (open_sqlite, append_events,
// member_report_input / analyst_report, render_html, render_pdf):
//
//   member:   one member-week of N events (default 10,000,000) in a fresh SQLite database;
//             the member report (gather + HTML + PDF), R runs.
//   national: M members (default 1,000) under one nation, K events each (default 2,000) in
//             the week; the national analyst report (gather + HTML + PDF), R runs.
//
// For each: wall time, CPU time of the process, and the peak resident memory of the report
// alone (VmHWM reset through /proc/self/clear_refs before each run), median of R runs.
// The fill uses fsync off (bulk load) and is timed separately.
//
// Usage: report_bench [--dir /tmp] [--member-events N] [--members M] [--member-week-events K]
//                     [--runs R]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "report/analyst.h"
#include "report/member.h"
#include "report/report.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace cyberalarm;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kWeekStart = 1'794'787'200 * kSec;  // Monday 2026-11-16 00:00 UTC
constexpr std::size_t kBatch = 10'000;

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Resets the peak RSS to the current RSS (Linux >= 4.0).
void reset_peak() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

long peak_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::atol(line.c_str() + 6);
        }
    }
    return -1;
}

struct Sample {
    double wall = 0;
    double cpu = 0;
    long peak = 0;
    std::size_t bytes = 0;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Internet sources with a heavy-hitter skew over 50,000 addresses; 80 % of ports common.
class Generator {
public:
    core::Event next(std::int64_t t) {
        core::Event e;
        e.time_ns = t;
        e.format = "iptables";
        const auto rank = static_cast<std::uint32_t>(std::min(zipf_(rng_), 49'999.0));
        e.src_ip = core::IpAddress::v4(0xC6336400u + rank);  // from 198.51.100.0 upwards
        e.dst_ip = core::IpAddress::v4(0xC0000200u + static_cast<std::uint32_t>(rng_() % 64));
        static constexpr std::uint16_t kPorts[] = {22,  23,   80,   443,  445,  3389, 25,
                                                   53,  8080, 3306, 5900, 1433, 161};
        e.set_dst_port(rng_() % 5 != 0 ? kPorts[rng_() % std::size(kPorts)]
                                       : static_cast<std::uint16_t>(1024 + rng_() % 60000));
        e.set_transport(core::Transport::kTcp);
        e.direction = core::Direction::kInbound;
        e.category = core::Category::kFirewall;
        e.action = rng_() % 4 == 0 ? core::Action::kAllow : core::Action::kDeny;
        return e;
    }

private:
    std::mt19937_64 rng_{42};
    std::exponential_distribution<double> zipf_{1.0 / 3000.0};
};

store::Tenant make(store::Store& s, store::TenantLevel level, store::TenantId parent,
                   std::string name, std::string sector = "") {
    store::Tenant t;
    t.level = level;
    t.parent = parent;
    t.name = std::move(name);
    t.sector = std::move(sector);
    auto made = s.create_tenant(t);
    if (!made) {
        std::fprintf(stderr, "create_tenant: %s\n", made.error().to_string().c_str());
        std::exit(1);
    }
    if (level == store::TenantLevel::kMember) {
        store::Collector c;
        c.id = "col-" + std::to_string(made->id);
        c.member = made->id;
        if (!s.create_collector(c)) {
            std::exit(1);
        }
    }
    return *made;
}

void fill(store::Store& s, const store::Tenant& member, std::size_t n, Generator& gen) {
    const std::int64_t step = 7 * 86400 * kSec / static_cast<std::int64_t>(std::max<std::size_t>(n, 1));
    std::vector<core::Event> batch;
    std::uint64_t seq = 0;
    for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(gen.next(kWeekStart + static_cast<std::int64_t>(i) * step));
        if (batch.size() == kBatch || i + 1 == n) {
            seq += batch.size();
            auto st = s.append_events("col-" + std::to_string(member.id), batch, seq, 1);
            if (!st) {
                std::fprintf(stderr, "append_events: %s\n", st.error().to_string().c_str());
                std::exit(1);
            }
            batch.clear();
        }
    }
}

template <typename F>
Sample measure(F f) {
    reset_peak();
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    Sample s;
    s.bytes = f();
    s.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.cpu = cpu_seconds() - c0;
    s.peak = peak_kib();
    return s;
}

void print(const char* what, const std::vector<Sample>& runs, long rss_before_kib) {
    std::vector<double> wall, cpu, peak;
    for (const auto& r : runs) {
        wall.push_back(r.wall);
        cpu.push_back(r.cpu);
        peak.push_back(static_cast<double>(r.peak));
        std::printf("  %s run: %.2f s wall, %.2f s CPU, peak RSS %.1f MiB, %zu bytes\n", what,
                    r.wall, r.cpu, static_cast<double>(r.peak) / 1024, r.bytes);
    }
    std::printf("%s: median %.2f s wall, %.2f s CPU, peak RSS %.1f MiB (%.1f MiB before)\n",
                what, median(wall), median(cpu), median(peak) / 1024,
                static_cast<double>(rss_before_kib) / 1024);
}

std::size_t arg(int argc, char** argv, const char* name, std::size_t def) {
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == name) {
            return std::strtoull(argv[i + 1], nullptr, 10);
        }
    }
    return def;
}

std::string arg_text(int argc, char** argv, const char* name, std::string def) {
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == name) {
            return argv[i + 1];
        }
    }
    return def;
}

std::unique_ptr<store::Store> open_fresh(const std::filesystem::path& path) {
    std::filesystem::remove_all(path.parent_path());
    store::SqliteOptions o;
    o.fsync = false;
    auto s = store::open_sqlite(path, o);
    if (!s) {
        std::fprintf(stderr, "open_sqlite: %s\n", s.error().to_string().c_str());
        std::exit(1);
    }
    return std::move(*s);
}

}  // namespace

int main(int argc, char** argv) {
    const std::filesystem::path dir =
        std::filesystem::path(arg_text(argc, argv, "--dir", "/tmp")) /
        ("report_bench." + std::to_string(::getpid()));
    const std::size_t member_events = arg(argc, argv, "--member-events", 10'000'000);
    const std::size_t members = arg(argc, argv, "--members", 1000);
    const std::size_t per_member = arg(argc, argv, "--member-week-events", 2000);
    const std::size_t runs = std::max<std::size_t>(1, arg(argc, argv, "--runs", 3));
    Generator gen;

    if (member_events > 0) {
        auto s = open_fresh(dir / "member" / "store.db");
        auto nation = make(*s, store::TenantLevel::kNation, 0, "Nation");
        auto region = make(*s, store::TenantLevel::kRegion, nation.id, "Region");
        auto force = make(*s, store::TenantLevel::kForce, region.id, "Force");
        auto member = make(*s, store::TenantLevel::kMember, force.id, "Member", "education");
        const auto t0 = std::chrono::steady_clock::now();
        fill(*s, member, member_events, gen);
        std::printf("fill: %zu events in %.1f s\n", member_events,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        std::vector<Sample> samples;
        const long before = peak_kib();
        for (std::size_t r = 0; r < runs; ++r) {
            samples.push_back(measure([&] {
                report::MemberReportOptions o;
                o.from_ns = kWeekStart;
                o.to_ns = kWeekStart + report::kWeekNs;
                o.now_ns = o.to_ns;
                auto in = report::member_report_input(*s, member.id, o);
                if (!in) {
                    std::fprintf(stderr, "member report: %s\n", in.error().to_string().c_str());
                    std::exit(1);
                }
                auto html = report::render_html(*in);
                auto pdf = report::render_pdf(*in);
                return html.size() + (pdf ? pdf->size() : 0);
            }));
        }
        const auto what = "member report (" + std::to_string(member_events) +
                          "-event week: gather + HTML + PDF)";
        print(what.c_str(), samples, before);
    }

    if (members > 0) {
        auto s = open_fresh(dir / "national" / "store.db");
        auto nation = make(*s, store::TenantLevel::kNation, 0, "Nation");
        static constexpr const char* kSectors[] = {"education", "health", "charity",
                                                   "government", "retail"};
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<store::Tenant> forces;
        for (int r = 0; r < 10; ++r) {
            auto region = make(*s, store::TenantLevel::kRegion, nation.id, "Region " + std::to_string(r));
            for (int f = 0; f < 4; ++f) {
                forces.push_back(make(*s, store::TenantLevel::kForce, region.id,
                                      "Force " + std::to_string(f)));
            }
        }
        for (std::size_t m = 0; m < members; ++m) {
            auto member = make(*s, store::TenantLevel::kMember, forces[m % forces.size()].id,
                               "Member " + std::to_string(m), kSectors[m % 5]);
            fill(*s, member, per_member, gen);
        }
        std::printf("fill: %zu members x %zu events in %.1f s\n", members, per_member,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        std::vector<Sample> samples;
        const long before = peak_kib();
        for (std::size_t r = 0; r < runs; ++r) {
            samples.push_back(measure([&] {
                report::AnalystOptions o;
                o.from_ns = kWeekStart;
                o.to_ns = kWeekStart + report::kWeekNs;
                o.now_ns = o.to_ns;
                o.pseudonym_key = "bench";
                auto rep = report::analyst_report(*s, nation.id, o);
                if (!rep) {
                    std::fprintf(stderr, "analyst report: %s\n", rep.error().to_string().c_str());
                    std::exit(1);
                }
                auto html = report::render_analyst_html(*rep);
                auto pdf = report::render_analyst_pdf(*rep);
                return html.size() + (pdf ? pdf->size() : 0);
            }));
        }
        const auto what = "national report (" + std::to_string(members) +
                          " members: gather + HTML + PDF)";
        print(what.c_str(), samples, before);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
