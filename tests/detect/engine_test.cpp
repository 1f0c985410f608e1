#include "detect/engine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/time.h"

namespace cyberalarm::detect {
namespace {

constexpr std::int64_t kSec = core::kNanosPerSecond;
const std::int64_t kT0 = std::int64_t{1'763'900'000} * kSec;

core::Event make_conn(const char* src, const char* dst, std::uint16_t port, std::int64_t t,
                      core::Action action = core::Action::kDrop) {
    core::Event e;
    e.time_ns = t;
    e.src_ip = *core::IpAddress::parse(src);
    e.dst_ip = *core::IpAddress::parse(dst);
    e.set_src_port(40000);
    e.set_dst_port(port);
    e.set_transport(core::Transport::kTcp);
    e.action = action;
    return e;
}

// An lvalue for Engine::observe, which classifies the event in place.
thread_local core::Event g_event;
core::Event& conn(const char* src, const char* dst, std::uint16_t port, std::int64_t t,
                  core::Action action = core::Action::kDrop) {
    g_event = make_conn(src, dst, port, t, action);
    return g_event;
}

Rule rule_from(const std::string& yaml) {
    auto rules = load_rules("rules:\n" + yaml, "test.yaml");
    EXPECT_TRUE(rules) << rules.error().to_string();
    return rules->front();
}

const char* kScanRule = R"(
  - id: scan
    kind: port_scan
    match_not: {network.direction: [outbound, internal]}
    group_by: [source.ip, destination.ip]
    distinct: destination.port
    threshold: 5
    window: 60s
)";

EngineOptions opts() {
    EngineOptions o;
    (void)o.internal.add_list("203.0.113.0/24, 2001:db8:100::/64");
    o.internal.seal();
    return o;
}

TEST(Engine, DistinctThresholdFiresAtTheEdgeOfTheWindow) {
    Engine engine({rule_from(kScanRule)}, opts());
    // Five ports, the last exactly 60 s after the first: inside the window.
    for (int i = 0; i < 5; ++i) {
        engine.observe(conn("198.51.100.7", "203.0.113.10", static_cast<std::uint16_t>(20 + i),
                            kT0 + i * 15 * kSec));
    }
    auto f = engine.findings();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, FindingKind::kPortScan);
    EXPECT_EQ(f[0].count, 5u);
    EXPECT_EQ(f[0].distinct_ports, 5u);
    EXPECT_EQ(f[0].first_seen_ns, kT0);
    EXPECT_EQ(f[0].last_seen_ns, kT0 + 60 * kSec);
    EXPECT_EQ(f[0].sources.front().to_string(), "198.51.100.7");
    EXPECT_EQ(f[0].title, "");  // no title template in this rule
}

TEST(Engine, ValuesOutsideTheWindowDoNotCount) {
    Engine engine({rule_from(kScanRule)}, opts());
    // One port every 20 s: never five within 60 s.
    for (int i = 0; i < 20; ++i) {
        engine.observe(conn("198.51.100.7", "203.0.113.10", static_cast<std::uint16_t>(20 + i),
                            kT0 + i * 20 * kSec));
    }
    EXPECT_TRUE(engine.findings().empty());
}

TEST(Engine, OutOfOrderEventsStillCount) {
    Engine engine({rule_from(kScanRule)}, opts());
    for (int i : {4, 1, 3, 0, 2}) {
        engine.observe(conn("198.51.100.7", "203.0.113.10", static_cast<std::uint16_t>(20 + i),
                            kT0 + i * kSec));
    }
    auto f = engine.findings();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].first_seen_ns, kT0);
    EXPECT_EQ(f[0].last_seen_ns, kT0 + 4 * kSec);
    EXPECT_EQ(engine.stats().late, 0u);  // within the lateness allowance
}

TEST(Engine, Ipv6AndOutboundFiltering) {
    Engine engine({rule_from(kScanRule)}, opts());
    for (int i = 0; i < 6; ++i) {
        engine.observe(conn("2001:db8:bad::66", "2001:db8:100::10",
                            static_cast<std::uint16_t>(i + 1), kT0 + i * kSec));
        // Outbound: the member scanning out is not an inbound port scan.
        engine.observe(conn("203.0.113.10", "198.51.100.9", static_cast<std::uint16_t>(i + 1),
                            kT0 + i * kSec));
    }
    auto f = engine.findings();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].sources.front().to_string(), "2001:db8:bad::66");
    EXPECT_EQ(engine.classify(conn("203.0.113.10", "198.51.100.9", 1, kT0)),
              core::Direction::kOutbound);
}

TEST(Engine, LaterEventsUpdateTheSameFindingAndANewEpisodeStartsAfterExpiry) {
    Engine engine({rule_from(kScanRule)}, opts());
    for (int i = 0; i < 10; ++i) {
        engine.observe(conn("198.51.100.7", "203.0.113.10", static_cast<std::uint16_t>(20 + i),
                            kT0 + i * kSec));
    }
    auto first = engine.take_updates();
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].count, 10u);
    EXPECT_TRUE(engine.take_updates().empty());  // nothing changed since
    // Far later (beyond window + lateness) the same pair scans again: a new episode. Enough
    // unrelated events pass to trigger the periodic expiry sweep.
    std::int64_t later = kT0 + 3600 * kSec;
    for (int i = 0; i < 2000; ++i) {
        engine.observe(conn("192.0.2.1", "203.0.113.99", 80, later, core::Action::kAllow));
    }
    for (int i = 0; i < 5; ++i) {
        engine.observe(conn("198.51.100.7", "203.0.113.10", static_cast<std::uint16_t>(100 + i),
                            later + i * kSec));
    }
    auto all = engine.findings();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_NE(all[0].id, all[1].id);
    EXPECT_GE(engine.stats().groups_expired, 1u);
}

TEST(Engine, GroupStateIsBoundedAndEvictionCounted) {
    EngineOptions o = opts();
    o.max_groups_per_rule = 100;
    Engine engine({rule_from(kScanRule)}, std::move(o));
    for (int i = 0; i < 1000; ++i) {
        std::string src = "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        engine.observe(conn(src.c_str(), "203.0.113.10", 22, kT0 + i * kSec / 100));
    }
    EXPECT_EQ(engine.stats().groups_evicted, 900u);
    EXPECT_TRUE(engine.findings().empty());
}

TEST(Engine, CountRuleWithTrustedSourcesSkipped) {
    auto rule = rule_from(R"(
  - id: flood
    kind: flood
    group_by: [source.ip]
    threshold: 100
    window: 10s
)");
    EngineOptions o = opts();
    (void)o.trusted.add_list("192.0.2.0/24");
    o.trusted.seal();
    Engine engine({rule}, std::move(o));
    for (int i = 0; i < 150; ++i) {
        engine.observe(conn("192.0.2.5", "203.0.113.10", 53, kT0 + i * kSec / 100));
        engine.observe(conn("198.51.100.5", "203.0.113.10", 53, kT0 + i * kSec / 100));
    }
    auto f = engine.findings();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].sources.front().to_string(), "198.51.100.5");
    EXPECT_EQ(f[0].count, 150u);
    EXPECT_EQ(engine.stats().skipped_trusted, 150u);
}

TEST(Engine, BeaconingNeedsRegularIntervals) {
    Engine engine({}, opts());
    // Regular: every 60 s ± 1 s. Irregular: random-looking gaps.
    const int gaps[] = {5, 130, 17, 64, 300, 9, 45, 220, 31, 77};
    std::int64_t t_irregular = kT0;
    for (int i = 0; i < 10; ++i) {
        engine.observe(conn("203.0.113.50", "198.51.100.200", 443,
                            kT0 + i * 60 * kSec + (i / 2 % 2) * kSec, core::Action::kAllow));
        t_irregular += gaps[i] * kSec;
        engine.observe(
            conn("203.0.113.51", "198.51.100.201", 443, t_irregular, core::Action::kAllow));
    }
    auto f = engine.findings();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, FindingKind::kBeaconing);
    EXPECT_EQ(f[0].sources.front().to_string(), "203.0.113.50");
    EXPECT_EQ(f[0].count, 10u);
    EXPECT_NE(f[0].title.find("every 60 s"), std::string::npos) << "title: " << f[0].title;
}

TEST(Engine, ExposureSeenOnlyThroughAScannerIsLeftOut) {
    auto rules = load_rules(R"(rules:
  - id: scan
    kind: port_scan
    match_not: {network.direction: [outbound, internal]}
    group_by: [source.ip, destination.ip]
    distinct: destination.port
    threshold: 5
    window: 60s
  - id: exposure
    kind: exposure
    match: {event.action: allow, destination.port: [3389]}
    match_not: {network.direction: [outbound, internal]}
    group_by: [destination.ip, destination.port]
    threshold: 1
    window: 1d
)",
                            "t.yaml");
    ASSERT_TRUE(rules);
    Engine engine(std::move(*rules), opts());
    for (int p : {21, 22, 23, 25, 3389}) {
        engine.observe(conn("198.51.100.7", "203.0.113.10", static_cast<std::uint16_t>(p), kT0,
                            p == 3389 ? core::Action::kAllow : core::Action::kDrop));
    }
    auto only_scan = engine.findings();
    ASSERT_EQ(only_scan.size(), 1u);
    EXPECT_EQ(only_scan[0].kind, FindingKind::kPortScan);
    engine.observe(conn("192.0.2.44", "203.0.113.10", 3389, kT0 + kSec, core::Action::kAllow));
    auto both = engine.findings();
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[1].kind, FindingKind::kExposure);
    ASSERT_EQ(both[1].sources.size(), 1u);
    EXPECT_EQ(both[1].sources[0].to_string(), "192.0.2.44");
}

// The built-in distributed-scan rule reports a campaign against one service as one finding
// with counted addresses and sources, however many of the member's addresses it touches.
TEST(Engine, DistributedScanIsOneFindingPerServiceWithCountedTargets) {
    auto rules = builtin_rules();
    ASSERT_TRUE(rules) << rules.error().to_string();
    Engine engine(std::move(*rules), opts());
    for (int s = 0; s < 300; ++s) {
        std::string src = "198.51." + std::to_string(s / 200) + "." + std::to_string(s % 200);
        for (int d = 0; d < 3; ++d) {
            std::string dst = "203.0.113." + std::to_string((s * 3 + d) % 40);
            core::Event& e = conn(src.c_str(), dst.c_str(), 445, kT0 + (s * 3 + d) * kSec);
            e.category = core::Category::kFirewall;
            engine.observe(e);
        }
    }
    std::vector<Finding> campaign;
    for (auto& f : engine.findings()) {
        if (f.rule == "distributed-scan") {
            campaign.push_back(f);
        }
    }
    ASSERT_EQ(campaign.size(), 1u);
    const Finding& f = campaign.front();
    EXPECT_EQ(f.distinct_sources, 300u);
    EXPECT_EQ(f.distinct_targets, 40u);
    EXPECT_GE(f.count, 800u);  // before it fires a source's older events are not kept
    EXPECT_LE(f.count, 900u);
    EXPECT_EQ(f.ports, std::vector<std::uint16_t>{445});
    EXPECT_EQ(f.sources.size(), kMaxListed);
    EXPECT_EQ(f.title, "Port 445 probed on 40 of your addresses from 300 different sources");
}

// Only findings that changed since the last take are handed out again.
TEST(Engine, TakeUpdatesReturnsOnlyChangedFindings) {
    Engine engine({rule_from(kScanRule)}, opts());
    for (int p = 0; p < 5; ++p) {
        engine.observe(conn("198.51.100.7", "203.0.113.10", 20 + p, kT0 + p * kSec));
        engine.observe(conn("198.51.100.8", "203.0.113.10", 20 + p, kT0 + p * kSec));
    }
    EXPECT_EQ(engine.take_updates().size(), 2u);
    EXPECT_TRUE(engine.take_updates().empty());
    engine.observe(conn("198.51.100.7", "203.0.113.10", 80, kT0 + 10 * kSec));
    auto updates = engine.take_updates();
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates.front().count, 6u);
}

TEST(Engine, BuiltinRulesLoad) {
    auto rules = builtin_rules();
    ASSERT_TRUE(rules) << rules.error().to_string();
    EXPECT_GE(rules->size(), 10u);
}

}  // namespace
}  // namespace cyberalarm::detect

namespace cyberalarm::detect {
namespace {

core::Event auth(const char* src, const char* user_hash, core::Outcome outcome, std::int64_t t) {
    core::Event e;
    e.time_ns = t;
    e.category = core::Category::kAuth;
    e.src_ip = *core::IpAddress::parse(src);
    e.set_dst_port(22);
    e.user_hash = user_hash;
    e.outcome = outcome;
    return e;
}

TEST(Engine, SequenceRuleFiresOnFailuresThenSuccessWithinTheWindow) {
    auto rules = builtin_rules();
    ASSERT_TRUE(rules);
    std::vector<Rule> only;
    for (auto& r : *rules) {
        if (r.id == "brute-force-success") {
            only.push_back(r);
        }
    }
    ASSERT_EQ(only.size(), 1u);
    Engine engine(std::move(only), opts());
    std::int64_t t = kT0;
    // Four failures then a success: not enough failures.
    for (int i = 0; i < 4; ++i) {
        auto e = auth("198.51.100.1", "aa", core::Outcome::kFailure, t += kSec);
        engine.observe(e);
    }
    auto ok = auth("198.51.100.1", "aa", core::Outcome::kSuccess, t += kSec);
    engine.observe(ok);
    EXPECT_TRUE(engine.findings().empty());
    // Six failures for another user, then a success after the window closed: nothing.
    for (int i = 0; i < 6; ++i) {
        auto e = auth("198.51.100.2", "bb", core::Outcome::kFailure, t += kSec);
        engine.observe(e);
    }
    auto late = auth("198.51.100.2", "bb", core::Outcome::kSuccess, t += 2 * 3600 * kSec);
    engine.observe(late);
    EXPECT_TRUE(engine.findings().empty());
    // Five failures then a success within the hour: a critical finding.
    for (int i = 0; i < 5; ++i) {
        auto e = auth("198.51.100.3", "cc", core::Outcome::kFailure, t += 60 * kSec);
        engine.observe(e);
    }
    auto in = auth("198.51.100.3", "cc", core::Outcome::kSuccess, t += 60 * kSec);
    engine.observe(in);
    auto f = engine.findings();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].severity, core::Severity::kCritical);
    EXPECT_EQ(f[0].count, 6u);
    EXPECT_EQ(f[0].sources.front().to_string(), "198.51.100.3");
}

}  // namespace
}  // namespace cyberalarm::detect
