// Threat-intel lookups against a million indicators, and list import speed.
// Target (src/intel/intel_set.h): >= 10M lookups/s on one core, Release build.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "intel/importers.h"
#include "intel/intel_set.h"

namespace {

using namespace cyberalarm;

// Resident set size in bytes, from /proc/self/statm (Linux only; 0 elsewhere).
std::int64_t rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return 0;
    }
    long pages = 0;
    long resident = 0;
    int n = std::fscanf(f, "%ld %ld", &pages, &resident);
    std::fclose(f);
    return n == 2 ? static_cast<std::int64_t>(resident) * 4096 : 0;
}

// 1M indicators: 70% IPv4 /32, 25% IPv4 prefixes (/20../30, and 1 in 1000 of them /8../19),
// 5% IPv6 (/128 and /32../64).
struct World {
    intel::IntelSet set;
    std::vector<core::IpAddress> hits;
    std::vector<core::IpAddress> misses;
    std::vector<core::IpAddress> v6;
    std::int64_t memory = 0;
};

World& world() {
    static World* w = [] {
        auto* out = new World();
        std::int64_t before = rss_bytes();
        std::mt19937_64 rng(1);
        constexpr int kCount = 1'000'000;
        const std::string source = "bench feed";
        for (int i = 0; i < kCount; ++i) {
            intel::Indicator ind;
            ind.source = source;
            auto r = rng();
            int kind = static_cast<int>(r % 100);
            if (kind < 70) {
                auto a = static_cast<std::uint32_t>(rng());
                ind.prefix = {core::IpAddress::v4(a), 32};
                if (out->hits.size() < 4096) {
                    out->hits.push_back(ind.prefix.base);
                }
            } else if (kind < 95) {
                // Mostly long prefixes, as real feeds have; a few short ones nest the rest.
                auto len =
                    static_cast<std::uint8_t>(r % 1000 != 0 ? 20 + rng() % 11 : 8 + rng() % 12);
                auto a = static_cast<std::uint32_t>(rng()) & ~(0xffffffffu >> len);
                ind.type = intel::IndicatorType::kPrefix;
                ind.prefix = {core::IpAddress::v4(a), len};
            } else {
                std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
                for (std::size_t k = 4; k < 16; ++k) {
                    b[k] = static_cast<std::uint8_t>(rng());
                }
                auto len = static_cast<std::uint8_t>(kind < 98 ? 128 : 32 + rng() % 33);
                ind.prefix = *core::Cidr::parse(core::IpAddress::v6(b).to_string() + "/" +
                                                std::to_string(len));
                if (out->v6.size() < 4096) {
                    out->v6.push_back(core::IpAddress::v6(b));
                }
            }
            out->set.add(std::move(ind));
        }
        out->set.seal();
        out->memory = rss_bytes() - before;
        for (int i = 0; i < 4096; ++i) {
            out->misses.push_back(core::IpAddress::v4(static_cast<std::uint32_t>(rng())));
        }
        return out;
    }();
    return *w;
}

void lookup(benchmark::State& state, const std::vector<core::IpAddress>& probes,
            std::int64_t at_ns) {
    const World& w = world();
    std::size_t i = 0;
    std::size_t found = 0;
    for (auto _ : state) {
        const intel::Indicator* hit = w.set.match(probes[i++ & 4095], at_ns);
        found += hit != nullptr;
        benchmark::DoNotOptimize(hit);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["hit_rate"] = static_cast<double>(found) /
                                 static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
    state.counters["rss_MiB"] = static_cast<double>(w.memory) / (1 << 20);
}

void BM_IntelMatchV4Hit(benchmark::State& state) {
    lookup(state, world().hits, 0);
}
void BM_IntelMatchV4Random(benchmark::State& state) {
    lookup(state, world().misses, 0);
}
void BM_IntelMatchV4RandomAt(benchmark::State& state) {
    lookup(state, world().misses, 1'700'000'000'000'000'000);
}
void BM_IntelMatchV6Hit(benchmark::State& state) {
    lookup(state, world().v6, 0);
}
BENCHMARK(BM_IntelMatchV4Hit);
BENCHMARK(BM_IntelMatchV4Random);
BENCHMARK(BM_IntelMatchV4RandomAt);
BENCHMARK(BM_IntelMatchV6Hit);

void BM_IntelImportList100k(benchmark::State& state) {
    std::mt19937 rng(2);
    std::string text = "# benchmark list\n";
    for (int i = 0; i < 100'000; ++i) {
        auto a = static_cast<std::uint32_t>(rng());
        text += core::IpAddress::v4(a).to_string();
        text += i % 10 == 0 ? "/24\n" : "\n";
    }
    for (auto _ : state) {
        intel::IntelSet set;
        auto r = intel::import_list(text, {}, set);
        set.seal();
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 100'000);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_IntelImportList100k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
