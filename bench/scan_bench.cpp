// Scanner hot paths: version ordering, banner identification with the shipped probe file,
// CVE matching against a database of many records, HTTP answer parsing.
#include <benchmark/benchmark.h>

#include <string>

#include "scan/http_parse.h"
#include "scan/probes.h"
#include "scan/version.h"
#include "scan/vulndb.h"

namespace {

using namespace cyberalarm::scan;

void BM_CompareVersions(benchmark::State& state) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(compare_versions("1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u10"));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_CompareVersions);

// Every probe's rules over one greeting, as identification does for a talkative service.
void BM_IdentifyBanner(benchmark::State& state) {
    auto set = ProbeSet::load(CA_BENCH_PROBES);
    if (!set) {
        state.SkipWithError("probe file did not load");
        return;
    }
    const std::string banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
    for (auto _ : state) {
        for (const Probe& p : set->probes()) {
            benchmark::DoNotOptimize(ProbeSet::match(p, banner));
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_IdentifyBanner);

// One product/version against N synthetic records (one range each, 1 in 100 for this product).
void BM_VulnMatch(benchmark::State& state) {
    VulnDb db;
    for (std::int64_t i = 0; i < state.range(0); ++i) {
        VulnRecord r;
        r.id = "CVE-2099-" + std::to_string(100000 + i);
        VersionRange v;
        v.vendor = i % 100 == 0 ? "openbsd" : "vendor" + std::to_string(i % 997);
        v.product = i % 100 == 0 ? "openssh" : "product";
        v.start = "1." + std::to_string(i % 10);
        v.end = "9." + std::to_string(i % 9 + 1);
        r.ranges.push_back(v);
        db.add(std::move(r));
    }
    ProductKey key{{"openbsd:openssh"}, {"openssh"}};
    DistroInfo none;
    for (auto _ : state) {
        benchmark::DoNotOptimize(db.match(key, "9.2p1", none));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_VulnMatch)->Arg(1000)->Arg(100000);

void BM_ParseHttp(benchmark::State& state) {
    const std::string answer =
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
        "Strict-Transport-Security: max-age=63072000\r\nX-Frame-Options: DENY\r\n\r\n"
        "<html><title>Index of /</title><a href=\"backup/\">backup/</a></html>";
    for (auto _ : state) {
        auto r = parse_http_response(answer);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(is_directory_listing(r->body));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseHttp);

}  // namespace

BENCHMARK_MAIN();
