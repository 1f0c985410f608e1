#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::juniper_srx(), line);
}

TEST(JuniperSrx, StructuredSessionClose) {
    auto p =
        run("<14>1 2024-02-03T04:05:06.789+01:00 srx1 RT_FLOW - RT_FLOW_SESSION_CLOSE "
            "[junos@2636.1.1.1.2.129 reason=\"TCP FIN\" source-address=\"10.0.0.5\" "
            "source-port=\"51000\" destination-address=\"203.0.113.80\" "
            "destination-port=\"443\" service-name=\"junos-https\" protocol-id=\"6\" "
            "policy-name=\"trust-to-untrust\" source-zone-name=\"trust\" "
            "destination-zone-name=\"untrust\" session-id-32=\"777\" "
            "packets-from-client=\"10\" bytes-from-client=\"1500\" "
            "packets-from-server=\"12\" bytes-from-server=\"9000\" elapsed-time=\"30\" "
            "application=\"SSL\" packet-incoming-interface=\"ge-0/0/1.0\" "
            "username=\"carol\"]");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 90);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-02-03T03:05:06.789Z");
    EXPECT_EQ(e.observer_name, "srx1");
    EXPECT_EQ(e.event_code, "RT_FLOW_SESSION_CLOSE");
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.rule_name, "trust-to-untrust");
    EXPECT_EQ(e.src_bytes, 1500u);
    EXPECT_EQ(e.dst_packets, 12u);
    EXPECT_EQ(e.duration_ns, 30 * core::kNanosPerSecond);
    EXPECT_EQ(e.ingress_interface, "ge-0/0/1.0");
    EXPECT_EQ(core::to_ecs_json(e).find("carol"), std::string::npos);
}

TEST(JuniperSrx, TextSessionCreateWithSpacedNatRuleType) {
    auto p =
        run("<14>Feb  3 04:05:06 srx1 RT_FLOW: RT_FLOW_SESSION_CREATE: session created "
            "192.0.2.10/40000->198.51.100.25/25 0x0 junos-smtp "
            "192.0.2.10/40000->198.51.100.25/25 0x0 N/A N/A static rule R1 6 "
            "inet-to-mail untrust dmz 4242 N/A(N/A) reth0.10 UNKNOWN UNKNOWN N/A");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.src_ip.to_string(), "192.0.2.10");
    EXPECT_EQ(e.dst_port, 25);
    EXPECT_EQ(e.rule_name, "inet-to-mail");
    EXPECT_EQ(e.ip_protocol, 6);
    EXPECT_EQ(e.ingress_interface, "reth0.10");
}

TEST(JuniperSrx, TextDenyAndIpv6) {
    auto p =
        run("<14>Feb  3 04:05:06 srx1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied "
            "2001:db8::5/1234->2001:db8::80/80 0x0 junos-http 6(0) default-deny untrust "
            "trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 No policy reject");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::5");
    EXPECT_EQ(p.event.dst_port, 80);
    EXPECT_EQ(p.event.rule_name, "default-deny");
}

TEST(JuniperSrx, ScreenIdpAndFilter) {
    auto s =
        run("<11>Feb  3 04:05:06 srx1 RT_IDS: RT_SCREEN_TCP: TCP port scan! source: "
            "203.0.113.9:5555, destination: 192.0.2.1:22, zone name: untrust, interface "
            "name: ge-0/0/0.0, action: drop");
    ASSERT_TRUE(s.result) << s.result.error().to_string();
    EXPECT_EQ(s.event.category, core::Category::kIds);
    EXPECT_EQ(s.event.action, core::Action::kDrop);
    EXPECT_EQ(s.event.rule_name, "TCP port scan!");
    EXPECT_EQ(s.event.src_port, 5555);
    auto i =
        run("<12>1 2024-02-03T04:05:06Z srx1 RT_IDP - IDP_ATTACK_LOG_EVENT "
            "[junos@2636.1.1.1.2.135 source-address=\"203.0.113.9\" source-port=\"1\" "
            "destination-address=\"192.0.2.1\" destination-port=\"80\" "
            "protocol-name=\"TCP\" rule-name=\"3\" rulebase-name=\"IPS\" "
            "action=\"NONE\" threat-severity=\"HIGH\" attack-name=\"HTTP:EXPLOIT\"]");
    ASSERT_TRUE(i.result) << i.result.error().to_string();
    EXPECT_EQ(i.event.action, core::Action::kAlert);
    EXPECT_EQ(i.event.rule_name, "HTTP:EXPLOIT");
    EXPECT_EQ(i.event.severity, core::Severity::kHigh);
    auto f =
        run("<158>Feb  3 04:05:06 srx1 kernel: FW: ge-0/0/0.0 D tcp 203.0.113.9 "
            "192.0.2.1 4000 3389 (2 packets)");
    ASSERT_TRUE(f.result) << f.result.error().to_string();
    EXPECT_EQ(f.event.action, core::Action::kDrop);
    EXPECT_EQ(f.event.dst_port, 3389);
    EXPECT_EQ(f.event.packets, 2u);
}

TEST(JuniperSrx, LoginEventsAreAuthAndHashed) {
    auto p =
        run("<85>Feb  3 04:05:06 srx1 mgd[123]: UI_LOGIN_EVENT: User 'dave' login, class "
            "'j-super-user' [123], ssh-connection '198.51.100.7 50000 192.0.2.1 22', "
            "client-mode 'cli'");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kSuccess);
    EXPECT_EQ(p.event.src_ip.to_string(), "198.51.100.7");
    EXPECT_EQ(p.event.dst_port, 22);
    EXPECT_EQ(core::to_ecs_json(p.event).find("dave"), std::string::npos);
    auto f =
        run("<85>Feb  3 04:05:06 srx1 sshd[9]: SSHD_LOGIN_FAILED: Login failed for user "
            "'erin' from host '198.51.100.8'");
    ASSERT_TRUE(f.result);
    EXPECT_EQ(f.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(f.event.src_ip.to_string(), "198.51.100.8");
    auto o = run("<85>Feb  3 04:05:06 srx1 mgd[9]: UI_CMDLINE_READ_LINE: User 'x', command 'y'");
    ASSERT_TRUE(o.result);
    EXPECT_EQ(*o.result, Disposition::kIgnored);
}

TEST(JuniperSrx, MalformedAndTruncated) {
    auto p =
        run("<14>Feb  3 04:05:06 srx1 RT_FLOW: RT_FLOW_SESSION_CREATE: session created "
            "192.0.2.10/40000->198.51");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "address");
    auto s =
        run("<14>1 2024-02-03T04:05:06Z srx1 RT_FLOW - RT_FLOW_SESSION_CREATE "
            "[junos@2636.1.1.1.2.129 source-address=\"999.1.1.1\"]");
    ASSERT_FALSE(s.result);
    EXPECT_EQ(s.result.error().field(), "source-address");
    auto f = run("<158>Feb  3 04:05:06 srx1 kernel: FW: ge-0/0/0.0 D tcp");
    ASSERT_FALSE(f.result);
    EXPECT_EQ(run("random words").confidence, 0);
}

}  // namespace
}  // namespace cyberalarm::parse
