#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::sophos(), line);
}

TEST(Sophos, SfosFirewallAllowedWithZoneOffset) {
    auto p =
        run("<30>device=\"SFW\" date=2021-03-04 time=10:11:12 timezone=\"CEST\" "
            "device_name=\"XG230\" device_id=C01001ABCDEF log_id=010101600001 "
            "log_type=\"Firewall\" log_component=\"Firewall Rule\" log_subtype=\"Allowed\" "
            "status=\"Allow\" priority=Information duration=12 fw_rule_id=5 "
            "user_name=\"alice@example.org\" application=\"DNS\" in_interface=\"Port1\" "
            "out_interface=\"Port2\" src_ip=10.1.1.10 dst_ip=198.51.100.53 protocol=\"UDP\" "
            "src_port=40000 dst_port=53 sent_pkts=1 recv_pkts=1 sent_bytes=70 recv_bytes=130");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(*p.result, Disposition::kEvent);
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2021-03-04T08:11:12.000Z");
    EXPECT_EQ(e.observer_name, "XG230");
    EXPECT_EQ(e.observer_serial, "C01001ABCDEF");
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.transport, core::Transport::kUdp);
    EXPECT_EQ(e.src_ip.to_string(), "10.1.1.10");
    EXPECT_EQ(e.dst_port, 53);
    EXPECT_EQ(e.src_bytes, 70u);
    EXPECT_EQ(e.dst_bytes, 130u);
    EXPECT_EQ(e.rule_id, "5");
    EXPECT_EQ(e.ingress_interface, "Port1");
    EXPECT_EQ(e.duration_ns, 12 * core::kNanosPerSecond);
    EXPECT_FALSE(e.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(e).find("alice"), std::string::npos);
}

TEST(Sophos, Sfos19IpsDetectIsAnAlertWithSignature) {
    auto p =
        run("timestamp=\"2023-01-02T03:04:05+0100\" device_model=\"XGS2100\" "
            "device_serial_id=\"X21001\" log_id=\"020804401001\" log_type=\"IDP\" "
            "log_component=\"Signatures\" log_subtype=\"Detect\" severity=\"Warning\" "
            "signature_id=12345 signature_msg=\"SERVER-WEBAPP probe\" "
            "classification=\"Web Application Attack\" src_ip=\"2001:db8::7\" "
            "dst_ip=\"2001:db8::1\" protocol=\"TCP\" src_port=50000 dst_port=443");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2023-01-02T02:04:05.000Z");
    EXPECT_EQ(e.category, core::Category::kIds);
    EXPECT_EQ(e.action, core::Action::kAlert);
    EXPECT_EQ(e.rule_id, "12345");
    EXPECT_EQ(e.rule_name, "SERVER-WEBAPP probe");
    EXPECT_EQ(e.src_ip.to_string(), "2001:db8::7");
    EXPECT_EQ(e.observer_serial, "X21001");
}

TEST(Sophos, SfosAdminLoginFailureIsAuth) {
    auto p =
        run("device=\"SFW\" date=2021-03-04 time=10:11:12 timezone=\"+01:00\" "
            "device_name=\"fw1\" log_id=062910617703 log_type=\"Event\" "
            "log_component=\"GUI\" log_subtype=\"Admin\" status=\"Failed\" priority=Notice "
            "user_name=\"admin\" src_ip=203.0.113.9 message=\"User admin failed to login\"");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.9");
    EXPECT_EQ(core::to_ecs_json(p.event).find("admin"), std::string::npos);
}

TEST(Sophos, SfosSystemHealthIsIgnored) {
    auto p =
        run("device=\"SFW\" date=2021-03-04 time=10:11:12 timezone=\"UTC\" "
            "device_name=\"fw1\" log_id=063411660001 log_type=\"System Health\" "
            "log_component=\"CPU\" log_subtype=\"Usage\" priority=Information");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
}

TEST(Sophos, UtmPacketfilterDrop) {
    auto p =
        run("2022:11:05-07:08:09 utm-1 ulogd[4321]: id=\"2001\" severity=\"info\" "
            "sys=\"SecureNet\" sub=\"packetfilter\" name=\"Packet dropped\" action=\"drop\" "
            "fwrule=\"60001\" initf=\"eth1\" srcmac=\"00:11:22:33:44:55\" "
            "dstmac=\"66:77:88:99:aa:bb\" srcip=\"192.0.2.44\" dstip=\"198.51.100.2\" "
            "proto=\"6\" length=\"60\" tos=\"0x00\" srcport=\"41000\" dstport=\"23\" "
            "tcpflags=\"SYN\"");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2022-11-05T07:08:09.000Z");
    EXPECT_EQ(e.observer_name, "utm-1");
    EXPECT_EQ(e.observer_product, "UTM");
    EXPECT_EQ(e.action, core::Action::kDrop);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.rule_id, "60001");
    EXPECT_EQ(e.event_code, "2001");
    EXPECT_EQ(e.dst_port, 23);
    EXPECT_EQ(e.ingress_interface, "eth1");
}

TEST(Sophos, UtmIpsAndAuth) {
    auto ips =
        run("2022:11:05-07:08:09 utm-1 snort[99]: id=\"2101\" severity=\"warn\" "
            "sys=\"SecureNet\" sub=\"ips\" name=\"Intrusion protection alert\" "
            "action=\"drop\" reason=\"SERVER-OTHER overflow\" group=\"500\" sid=\"2001\" "
            "srcip=\"203.0.113.5\" dstip=\"10.0.0.5\" proto=\"17\" srcport=\"53\" "
            "dstport=\"1024\"");
    ASSERT_TRUE(ips.result);
    EXPECT_EQ(ips.event.category, core::Category::kIds);
    EXPECT_EQ(ips.event.rule_id, "2001");
    EXPECT_EQ(ips.event.action, core::Action::kDrop);
    auto auth =
        run("2022:11:05-07:08:09 utm-1 webadmin[77]: id=\"3005\" severity=\"warn\" "
            "sys=\"System\" sub=\"webadmin\" name=\"Authentication failed\" "
            "user=\"bob\" srcip=\"203.0.113.8\"");
    ASSERT_TRUE(auth.result);
    EXPECT_EQ(auth.event.category, core::Category::kAuth);
    EXPECT_EQ(auth.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(core::to_ecs_json(auth.event).find("bob"), std::string::npos);
}

TEST(Sophos, MalformedAddressIsAnErrorWithField) {
    auto p =
        run("device=\"SFW\" date=2021-03-04 time=10:11:12 device_name=\"fw1\" "
            "log_id=010101600001 log_type=\"Firewall\" status=\"Allow\" src_ip=10.1.1 "
            "dst_ip=10.2.2.2");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "src_ip");
    auto t = run("2022:11:05-07:08:09 utm-1 ulogd[1]: id=\"2001\" sys=\"SecureNet\" sub=\"pa");
    EXPECT_TRUE(t.result || !t.result.error().message().empty());
    auto n = run("hello world");
    EXPECT_EQ(n.confidence, 0);
    EXPECT_FALSE(n.result);
}

}  // namespace
}  // namespace cyberalarm::parse
