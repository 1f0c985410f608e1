// Per-parser throughput: each format's own parse function over its fuzz seed lines that
// parse to events (self-written examples of the format), and the auto-detecting
// LineParser over all of them mixed. Lines/s is reported as items_per_second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/ecs_json.h"
#include "parse/line_parser.h"

namespace {

using namespace cyberalarm;

parse::ParseContext bench_context() {
    parse::ParseContext ctx;
    ctx.reference_ns = std::int64_t{1763900000} * core::kNanosPerSecond;
    return ctx;
}

// The seed lines of a format that its parser turns into events.
std::vector<std::string> event_lines(const parse::Format& f) {
    std::vector<std::string> out;
    std::filesystem::path dir =
        std::filesystem::path(CA_SOURCE_DIR) / "fuzz/corpus" / std::string(f.name);
    if (!std::filesystem::exists(dir)) {
        return out;
    }
    auto ctx = bench_context();
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
            line.pop_back();
        }
        core::Event ev;
        auto msg = parse::parse_syslog(line, ctx.reference_ns);
        auto r = f.parse(msg, ctx, ev);
        if (r && *r == parse::Disposition::kEvent) {
            out.push_back(line);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void BM_Format(benchmark::State& state, const parse::Format* f) {
    auto lines = event_lines(*f);
    if (lines.empty()) {
        state.SkipWithError("no seed lines that parse to events");
        return;
    }
    auto ctx = bench_context();
    core::Event ev;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& line = lines[i++ % lines.size()];
        auto msg = parse::parse_syslog(line, ctx.reference_ns);
        ev.clear();
        auto r = f->parse(msg, ctx, ev);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(ev);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_AutoDetectMixed(benchmark::State& state) {
    std::vector<std::string> lines;
    for (const auto& f : parse::all_formats()) {
        auto l = event_lines(f);
        lines.insert(lines.end(), l.begin(), l.end());
    }
    parse::LineParser p(bench_context(), nullptr);
    core::Event ev;
    std::size_t i = 0;
    for (auto _ : state) {
        auto r = p.parse(lines[i++ % lines.size()], ev);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_AutoDetectMixed);

void BM_ParseAndEncodeIptables(benchmark::State& state) {
    const std::string line =
        "Nov 23 10:00:00 gw1 kernel: [100.000001] [FW DROP] IN=eth0 OUT= "
        "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.7 DST=203.0.113.10 LEN=44 "
        "TOS=0x00 PREC=0x00 TTL=50 ID=4242 PROTO=TCP SPT=51515 DPT=22 WINDOW=1024 RES=0x00 SYN "
        "URGP=0";
    parse::LineParser p(bench_context(), parse::find_format("iptables"));
    core::EcsWriter w;
    core::Event ev;
    std::string out;
    for (auto _ : state) {
        out.clear();
        auto r = p.parse(line, ev);
        if (r && *r == parse::Disposition::kEvent) {
            w.append(ev, out);
        }
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseAndEncodeIptables);

const bool kRegistered = [] {
    for (const auto& f : parse::all_formats()) {
        benchmark::RegisterBenchmark(("BM_Format/" + std::string(f.name)).c_str(), BM_Format, &f);
    }
    return true;
}();

}  // namespace

BENCHMARK_MAIN();
