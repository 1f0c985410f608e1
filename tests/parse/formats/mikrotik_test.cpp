#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::mikrotik(), line);
}

TEST(Mikrotik, ForwardTcpWithPrefixAndTopics) {
    auto p = run("<134>Nov  4 12:00:00 router firewall,info block-rdp forward: in:ether1 "
                 "out:bridge1, connection-state:new src-mac 00:11:22:33:44:55, proto TCP (SYN), "
                 "198.51.100.9:40000->192.0.2.20:3389, len 60");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 90);
    const auto& e = p.event;
    EXPECT_EQ(e.observer_name, "router");
    EXPECT_EQ(e.rule_ruleset, "forward");
    EXPECT_EQ(e.rule_name, "block-rdp");
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.ingress_interface, "ether1");
    EXPECT_EQ(e.egress_interface, "bridge1");
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_port, 40000);
    EXPECT_EQ(e.dst_ip.to_string(), "192.0.2.20");
    EXPECT_EQ(e.dst_port, 3389);
    EXPECT_EQ(e.bytes, 60u);
    EXPECT_EQ(e.observer_vendor, "MikroTik");
    EXPECT_EQ(core::to_ecs_json(e).find("00:11:22"), std::string::npos);
}

TEST(Mikrotik, Ipv6InputUnknownOutAndIcmp) {
    auto v6 = run("2023-11-04T12:00:00.5+01:00 gw firewall,info input: in:WAN out:(unknown 0), "
                  "proto UDP, [2001:db8::1]:5000->[2001:db8::2]:53, len 80");
    ASSERT_TRUE(v6.result) << v6.result.error().to_string();
    EXPECT_EQ(core::format_iso8601(v6.event.time_ns), "2023-11-04T11:00:00.500Z");
    EXPECT_TRUE(v6.event.egress_interface.empty());
    EXPECT_EQ(v6.event.src_ip.to_string(), "2001:db8::1");
    EXPECT_EQ(v6.event.dst_port, 53);
    EXPECT_EQ(v6.event.action, core::Action::kUnknown);

    auto icmp = run("Nov  4 12:00:00 gw input: in:ether1 out:(unknown 0), src-mac "
                    "00:11:22:33:44:55, proto ICMP (type 8, code 0), 198.51.100.1->192.0.2.1, "
                    "len 84");
    ASSERT_TRUE(icmp.result) << icmp.result.error().to_string();
    EXPECT_GT(icmp.confidence, 50);
    EXPECT_EQ(icmp.event.transport, core::Transport::kIcmp);
    EXPECT_EQ(icmp.event.icmp_type, 8);
    EXPECT_EQ(icmp.event.icmp_code, 0);
    EXPECT_FALSE(icmp.event.has(core::Event::kSrcPort));
}

TEST(Mikrotik, LoginFailureIsHashedAuthEvent) {
    auto p = run("2023-11-04T12:00:00+00:00 gw system,error,critical login failure for user "
                 "alice.smith from 198.51.100.77 via ssh");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(*p.result, Disposition::kEvent);
    const auto& e = p.event;
    EXPECT_EQ(e.category, core::Category::kAuth);
    EXPECT_EQ(e.outcome, core::Outcome::kFailure);
    EXPECT_EQ(e.src_ip.to_string(), "198.51.100.77");
    EXPECT_EQ(e.app_protocol, "ssh");
    EXPECT_EQ(e.user_hash.size(), 32u);
    EXPECT_EQ(core::to_ecs_json(e).find("alice"), std::string::npos);

    auto ok = run("2023-11-04T12:00:00+00:00 gw system,info,account user bob logged in from "
                  "192.0.2.5 via winbox");
    ASSERT_TRUE(ok.result);
    EXPECT_EQ(ok.event.outcome, core::Outcome::kSuccess);
    EXPECT_EQ(core::to_ecs_json(ok.event).find("bob"), std::string::npos);
}

TEST(Mikrotik, OtherTopicsIgnoredAndMalformedErrors) {
    auto dhcp = run("2023-11-04T12:00:00+00:00 gw dhcp,info defconf assigned 192.168.88.10 to "
                    "00:11:22:33:44:55");
    ASSERT_TRUE(dhcp.result);
    EXPECT_EQ(*dhcp.result, Disposition::kIgnored);

    auto bad = run("2023-11-04T12:00:00+00:00 gw firewall,info input: in:ether1 out:(unknown 0), "
                   "proto TCP (SYN), 198.51.100.999:1->192.0.2.1:22, len 60");
    ASSERT_FALSE(bad.result);
    EXPECT_EQ(bad.result.error().field(), "source.ip");
    EXPECT_NE(bad.result.error().offset(), core::Error::kNoOffset);

    auto cut = run("2023-11-04T12:00:00+00:00 gw firewall,info input: in:ether1 out:x, "
                   "proto TCP (SYN), 198.51.100.1:1->");
    EXPECT_FALSE(cut.result);
}

// Totality: every truncation of a valid line gives an Event, kIgnored or an Error.
TEST(Mikrotik, EveryTruncationIsHandled) {
    const std::string_view kLines[] = {
        "2023-11-04T12:00:00+01:00 gw firewall,info drop forward: in:WAN out:(unknown 0), proto I"
        "CMP (type 3, code 1), [2001:db8::1]:5->[2001:db8::2]:53, len 80",
        "2023-11-04T12:00:00+00:00 gw system,error,critical login failure for user bob from 198.5"
        "1.100.77 via ssh"};
    for (std::string_view line : kLines) {
        for (std::size_t n = 0; n <= line.size(); ++n) {
            std::string cut(line.substr(0, n));
            auto p = run(cut);
            if (p.result) {
                EXPECT_TRUE(*p.result == Disposition::kEvent || *p.result == Disposition::kIgnored);
            }
        }
    }
}

}  // namespace
}  // namespace cyberalarm::parse
