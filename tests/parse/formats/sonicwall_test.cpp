#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run_sw(std::string_view line) {
    return test::parse_with(formats::sonicwall(), line);
}

TEST(SonicWall, ConnectionClosedSyslog) {
    auto p = run_sw(
        "<134>id=hq-fw sn=0017C5000001 time=\"2024-05-01 10:00:00\" fw=203.0.113.1 pri=6 "
        "c=1024 m=537 msg=\"Connection Closed\" src=10.0.0.5:51000:X0:laptop-alice "
        "dst=198.51.100.7:443:X1 proto=tcp/https sent=1200 rcvd=5400 spkt=10 rpkt=12 "
        "rule=\"5 (LAN->WAN)\" fw_action=\"NA\"");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(e.observer_name, "hq-fw");
    EXPECT_EQ(e.observer_serial, "0017C5000001");
    EXPECT_EQ(e.src_ip.to_string(), "10.0.0.5");
    EXPECT_EQ(e.src_port, 51000);
    EXPECT_EQ(e.ingress_interface, "X0");
    EXPECT_EQ(e.egress_interface, "X1");
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.app_protocol, "https");
    EXPECT_EQ(e.src_bytes, 1200u);
    EXPECT_EQ(e.dst_packets, 12u);
    EXPECT_EQ(e.event_code, "537");
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-05-01T10:00:00.000Z");
    EXPECT_EQ(core::to_ecs_json(e).find("laptop-alice"), std::string::npos);
}

TEST(SonicWall, DroppedPacketAndIpv6) {
    auto p = run_sw(
        "id=firewall sn=0017C5000001 time=\"2024-05-01 10:00:00 UTC\" fw=203.0.113.1 pri=6 c=262144 "
        "m=36 msg=\"TCP packet received on non-existent/closed connection; TCP packet dropped\" "
        "src=[2001:db8::5]:51000:X1 dst=[2001:db8::7]:443:X0 proto=tcp/443 fw_action=\"drop\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kDrop);
    EXPECT_TRUE(p.event.src_ip.is_v6());
    EXPECT_EQ(p.event.dst_port, 443);
    EXPECT_TRUE(p.event.app_protocol.empty());
}

TEST(SonicWall, AdminLoginDeniedIsAuthFailure) {
    auto p = run_sw(
        "id=firewall sn=0017C5000001 time=\"2024-05-01 10:00:00\" fw=203.0.113.1 pri=1 c=32 "
        "m=24 msg=\"Administrator login denied due to bad credentials\" usr=\"mallory\" "
        "src=203.0.113.66::X1 dst=203.0.113.1:443:X1");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.66");
    EXPECT_FALSE(p.event.has(core::Event::kSrcPort));
    EXPECT_EQ(core::to_ecs_json(p.event).find("mallory"), std::string::npos);
}

TEST(SonicWall, CefConnection) {
    auto p = run_sw(
        "CEF:0|SonicWall|NSa 2700|7.0.1|537|Connection Closed|4|cat=1024 src=10.0.0.5 "
        "spt=51000 deviceInboundInterface=X0 dst=198.51.100.7 dpt=53 "
        "deviceOutboundInterface=X1 proto=udp/dns out=70 in=90 cs1=\"Default Access Rule\"");
    ASSERT_TRUE(p.result);
    EXPECT_GE(p.confidence, 90);
    EXPECT_EQ(p.event.transport, core::Transport::kUdp);
    EXPECT_EQ(p.event.rule_name, "Default Access Rule");
    EXPECT_EQ(p.event.dst_bytes, 90u);
    EXPECT_EQ(p.event.severity, core::Severity::kMedium);
}

TEST(SonicWall, StatusWithoutAddressIgnoredAndMalformed) {
    auto a = run_sw("id=firewall sn=0017C5000001 time=\"2024-05-01 10:00:00\" fw=203.0.113.1 "
                    "pri=6 c=0 m=1149 msg=\"Licence refreshed\"");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(*a.result, Disposition::kIgnored);
    auto b = run_sw("id=firewall pri=6 src=");
    ASSERT_FALSE(b.result);
    EXPECT_EQ(b.result.error().field(), "m");
    auto c = run_sw("id=firewall sn=1 m=36 src=10.0.0.1:99999999999:X dst=[2001:db8::1");
    ASSERT_TRUE(c.result);
    EXPECT_FALSE(c.event.has(core::Event::kSrcPort));
}

}  // namespace
}  // namespace cyberalarm::parse
