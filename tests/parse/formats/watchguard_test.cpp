#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run_wg(std::string_view line) {
    return test::parse_with(formats::watchguard(), line);
}

TEST(WatchGuard, SyslogTrafficAllow) {
    auto p = run_wg(
        "<140>May  1 10:00:00 fbx-hq 80100000000A1 firewall: msg_id=\"3000-0148\" Allow "
        "1-Trusted 0-External tcp 10.0.1.2 198.51.100.4 61251 443 offset 8 S 2347614545 win "
        "65535 (HTTPS-proxy.Standard-00)");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.ingress_interface, "1-Trusted");
    EXPECT_EQ(e.egress_interface, "0-External");
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_ip.to_string(), "10.0.1.2");
    EXPECT_EQ(e.dst_ip.to_string(), "198.51.100.4");
    EXPECT_EQ(e.src_port, 61251);
    EXPECT_EQ(e.dst_port, 443);
    EXPECT_EQ(e.rule_name, "HTTPS-proxy.Standard-00");
    EXPECT_EQ(e.event_code, "3000-0148");
}

TEST(WatchGuard, SyslogDenyWithLengthBeforeProtocolAndBytes) {
    auto p = run_wg(
        "msg_id=\"3000-0148\" Deny 0-External Firebox 52 udp 20 128 203.0.113.5 198.51.100.1 "
        "5353 53 (Unhandled External Packet-00)");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.transport, core::Transport::kUdp);
    EXPECT_EQ(p.event.src_port, 5353);
    EXPECT_EQ(p.event.dst_port, 53);
    auto q = run_wg(
        "msg_id=\"3000-0151\" Allow 1-Trusted 0-External tcp 10.0.1.2 198.51.100.4 61251 443 "
        "duration=\"38\" sent_bytes=\"69\" rcvd_bytes=\"185\" (Outgoing-00)");
    ASSERT_TRUE(q.result);
    EXPECT_EQ(q.event.src_bytes, 69u);
    EXPECT_EQ(q.event.dst_bytes, 185u);
    EXPECT_EQ(q.event.duration_ns, 38 * core::kNanosPerSecond);
}

TEST(WatchGuard, LeefTrafficIpv6) {
    auto p = run_wg(
        "LEEF:1.0|WatchGuard|XTM|12.8|30000148|serial=80100000000A1\tdevTime=May 01 2024 "
        "10:00:00 +0200\tpolicy=Outgoing-00\tdisp=Deny\tin_if=LAN\tout_if=WAN\t"
        "src=2001:db8::2\tsrcPort=5000\tdst=2001:db8::9\tdstPort=22\tproto=tcp");
    ASSERT_TRUE(p.result);
    EXPECT_GE(p.confidence, 90);
    EXPECT_TRUE(p.event.src_ip.is_v6());
    EXPECT_EQ(p.event.dst_port, 22);
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.observer_serial, "80100000000A1");
    EXPECT_EQ(p.event.observer_product, "XTM");
    EXPECT_EQ(core::format_iso8601(p.event.time_ns), "2024-05-01T08:00:00.000Z");
}

TEST(WatchGuard, AuthRejectedEscapedTabs) {
    auto p = run_wg(
        "1.0|WatchGuard|XTM|12.10|11000005|host_name=fbx#011serial=801#011msg=Authentication "
        "of SSLVPN user [carol@example.org@radius] from 203.0.113.7 was rejected, timeout");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.7");
    EXPECT_EQ(p.event.observer_name, "fbx");
    EXPECT_EQ(core::to_ecs_json(p.event).find("carol"), std::string::npos);
    auto q = run_wg("msg_id=\"1100-0004\" Authentication of Firebox user [admin@Firebox-DB] "
                    "from 10.0.1.2 was accepted");
    ASSERT_TRUE(q.result);
    EXPECT_EQ(q.event.outcome, core::Outcome::kSuccess);
}

TEST(WatchGuard, DhcpIgnoredAndMalformed) {
    auto a = run_wg("LEEF:1.0|WatchGuard|XTM|12.8|16000066|serial=1\tmsg=DHCPREQUEST for "
                    "10.0.2.52 from 00:01:21:30:0f:a0 via vlan2");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(*a.result, Disposition::kIgnored);
    auto b = run_wg("msg_id=\"3000-0148");
    ASSERT_FALSE(b.result);
    EXPECT_EQ(b.result.error().field(), "msg_id");
    auto c = run_wg("msg_id=\"3000-0148\" Allow 1-Trusted");
    ASSERT_TRUE(c.result);
    EXPECT_EQ(*c.result, Disposition::kIgnored);
}

}  // namespace
}  // namespace cyberalarm::parse
