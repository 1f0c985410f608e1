#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::barracuda(), line);
}

TEST(Barracuda, FirewallActivityBlock) {
    auto p =
        run("<134>Feb  3 04:05:06 cgf1 Security cgf1 Block: FWD|TCP|eth0|203.0.113.9|4444|"
            "00:11:22:33:44:55|192.0.2.10|3389|ms-wbt||BLOCK-RDP|0|||15|1|120|0|2|0|"
            "grace|||||");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.observer_name, "cgf1");
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_ip.to_string(), "203.0.113.9");
    EXPECT_EQ(e.dst_port, 3389);
    EXPECT_EQ(e.rule_name, "BLOCK-RDP");
    EXPECT_EQ(e.ingress_interface, "eth0");
    EXPECT_EQ(e.src_bytes, 120u);
    EXPECT_EQ(e.src_packets, 2u);
    EXPECT_EQ(core::to_ecs_json(e).find("grace"), std::string::npos);
}

TEST(Barracuda, ActivityIpv6AndLocalAllow) {
    auto p =
        run("Info     cgf1 LocalAllow: LIN|UDP|eth1|2001:db8::2|5353|00:00:00:00:00:00|"
            "2001:db8::1|53|domain||LOCAL-DNS|0|||0|1|0|0|0|0||||||");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.action, core::Action::kAllow);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::2");
}

TEST(Barracuda, LoginAttempts) {
    auto ok =
        run("Info     cgf1 LOGIN ATTEMPT: boxconfig[10]: Login heidi from 198.51.100.3 : "
            "Allowed.");
    ASSERT_TRUE(ok.result) << ok.result.error().to_string();
    EXPECT_EQ(ok.event.category, core::Category::kAuth);
    EXPECT_EQ(ok.event.outcome, core::Outcome::kSuccess);
    EXPECT_EQ(core::to_ecs_json(ok.event).find("heidi"), std::string::npos);
    auto bad = run("Security cgf1 LOGIN ATTEMPT: Login from 198.51.100.4: Denied: Firewall Rule X");
    ASSERT_TRUE(bad.result);
    EXPECT_EQ(bad.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(bad.event.src_ip.to_string(), "198.51.100.4");
}

TEST(Barracuda, ScanEventAndIgnoredHealth) {
    auto s =
        run("Security cgf1 firewall: [Timer] SecurityEvent: (Port Scan) 50 unallowed "
            "requests for source IP 203.0.113.7 within 60 seconds");
    ASSERT_TRUE(s.result);
    EXPECT_EQ(s.event.category, core::Category::kIds);
    EXPECT_EQ(s.event.rule_name, "Port Scan");
    auto w = run("Info     cgf1 still alive after 10 interval(s)");
    ASSERT_TRUE(w.result);
    EXPECT_EQ(*w.result, Disposition::kIgnored);
}

TEST(Barracuda, MalformedAndTruncated) {
    auto p = run("Info     cgf1 Allow: FWD|TCP|eth0|203.0.113|1|x|192.0.2.1|80|http");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "srcIP");
    auto t = run("Info     cgf1 Allow: FWD|TCP|eth0");
    ASSERT_FALSE(t.result);
    auto b = run("Info     cgf1");
    EXPECT_FALSE(b.result);
    EXPECT_EQ(run("Information about nothing").confidence, 0);
}

}  // namespace
}  // namespace cyberalarm::parse
