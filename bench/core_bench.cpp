// Core hot paths: address parsing, CIDR set lookup, ECS JSON and binary encoding.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "core/cidr_set.h"
#include "core/ecs_json.h"
#include "core/event_codec.h"

namespace {

using namespace cyberalarm::core;

void BM_ParseIpv4(benchmark::State& state) {
    const std::string s = "198.51.100.123";
    for (auto _ : state) {
        benchmark::DoNotOptimize(IpAddress::parse(s));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseIpv4);

// Lookups against N random IPv4 prefixes (/16 to /32), a mix of hits and misses.
void BM_CidrSetLookup(benchmark::State& state) {
    std::mt19937 rng(42);
    CidrSet set;
    for (std::int64_t i = 0; i < state.range(0); ++i) {
        Cidr c;
        auto prefix = static_cast<std::uint8_t>(16 + rng() % 17);
        std::uint32_t mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
        c.base = IpAddress::v4(static_cast<std::uint32_t>(rng()) & mask);
        c.prefix = prefix;
        set.add(c);
    }
    set.seal();
    std::vector<IpAddress> probes;
    for (int i = 0; i < 4096; ++i) {
        probes.push_back(IpAddress::v4(static_cast<std::uint32_t>(rng())));
    }
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(set.contains(probes[i++ & 4095]));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_CidrSetLookup)->Arg(1000)->Arg(1000000);

Event sample_event() {
    Event e;
    e.time_ns = 1763900000123000000;
    e.format = "iptables";
    e.observer_name = "gw1";
    e.src_ip = *IpAddress::parse("198.51.100.7");
    e.dst_ip = *IpAddress::parse("203.0.113.10");
    e.set_src_port(51515);
    e.set_dst_port(22);
    e.set_transport(Transport::kTcp);
    e.action = Action::kDrop;
    e.rule_name = "FW DROP";
    e.ingress_interface = "eth0";
    return e;
}

void BM_EcsJson(benchmark::State& state) {
    Event e = sample_event();
    EcsWriter w;
    std::string out;
    for (auto _ : state) {
        out.clear();
        w.append(e, out);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EcsJson);

void BM_BinaryEncodeDecode(benchmark::State& state) {
    Event e = sample_event();
    std::string out;
    for (auto _ : state) {
        out.clear();
        encode_event(e, out);
        auto back = decode_event(std::as_bytes(std::span(out.data(), out.size())), nullptr);
        benchmark::DoNotOptimize(back);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BinaryEncodeDecode);

}  // namespace

BENCHMARK_MAIN();
