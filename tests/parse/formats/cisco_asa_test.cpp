// Lines written after Cisco's "ASA Series Syslog Messages" guide and the FTD unified-event
// field list; addresses are documentation ranges.
#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::cisco_asa(), line);
}

TEST(CiscoAsa, DenyByAccessGroup106023) {
    auto p = run("<164>Mar 29 2021 10:24:41 fw1 : %ASA-4-106023: Deny tcp src "
                 "outside:203.0.113.5/51234 dst inside:192.0.2.10/22 by access-group "
                 "\"outside_in\" [0x0, 0x0]");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 90);
    const auto& e = p.event;
    EXPECT_EQ(*p.result, Disposition::kEvent);
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2021-03-29T10:24:41.000Z");
    EXPECT_EQ(e.observer_name, "fw1");
    EXPECT_EQ(e.observer_vendor, "Cisco");
    EXPECT_EQ(e.event_code, "106023");
    EXPECT_EQ(e.severity, core::Severity::kMedium);
    EXPECT_EQ(e.src_ip.to_string(), "203.0.113.5");
    EXPECT_EQ(e.src_port, 51234);
    EXPECT_EQ(e.dst_ip.to_string(), "192.0.2.10");
    EXPECT_EQ(e.dst_port, 22);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.rule_name, "outside_in");
    EXPECT_EQ(e.ingress_interface, "outside");
    EXPECT_EQ(e.egress_interface, "inside");
}

TEST(CiscoAsa, DenyIcmpWithTypeAndCode) {
    auto p = run("%ASA-4-106023: Deny icmp src outside:198.51.100.9 dst inside:192.0.2.1 "
                 "(type 8, code 0) by access-group \"acl_out\" [0x0, 0x0]");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.transport, core::Transport::kIcmp);
    EXPECT_EQ(p.event.icmp_type, 8);
    EXPECT_TRUE(p.event.has(core::Event::kIcmpCode));
    EXPECT_FALSE(p.event.has(core::Event::kSrcPort));
}

TEST(CiscoAsa, DenyProtocolNumber) {
    auto p = run("%ASA-4-106023: Deny protocol 47 src outside:198.51.100.9 dst "
                 "inside:192.0.2.1 by access-group \"acl_out\" [0x0, 0x0]");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.transport, core::Transport::kGre);
}

TEST(CiscoAsa, InboundDenyOnInterfaceIsIngress) {
    auto p = run("<162>Jan 23 15:10:55 198.51.100.1 %ASA-2-106006: Deny inbound UDP from "
                 "203.0.113.66/137 to 192.0.2.42/137 on interface outside");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.severity, core::Severity::kCritical);
    EXPECT_EQ(p.event.ingress_interface, "outside");
    EXPECT_EQ(p.event.transport, core::Transport::kUdp);
    EXPECT_EQ(p.event.src_port, 137);
    EXPECT_EQ(p.event.action, core::Action::kDeny);
}

TEST(CiscoAsa, RepeatedMessageIsUnwrapped) {
    auto p = run("%ASA-2-106006: message repeated 3 times: [ Deny inbound UDP from "
                 "203.0.113.66/137 to 192.0.2.42/137 on interface outside]");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.66");
    EXPECT_EQ(p.event.ingress_interface, "outside");
}

TEST(CiscoAsa, FromToDenies) {
    auto a = run("%ASA-2-106001: Inbound TCP connection denied from 203.0.113.7/4444 to "
                 "192.0.2.8/23 flags SYN  on interface outside");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(a.event.dst_port, 23);
    EXPECT_EQ(a.event.transport, core::Transport::kTcp);
    auto b = run("%ASA-6-106015: Deny TCP (no connection) from 203.0.113.7/4444 to "
                 "192.0.2.8/443 flags FIN ACK  on interface outside");
    ASSERT_TRUE(b.result);
    EXPECT_EQ(b.event.ingress_interface, "outside");
    auto c = run("%ASA-1-106021: Deny TCP reverse path check from 192.0.2.99 to "
                 "198.51.100.4 on interface outside");
    ASSERT_TRUE(c.result);
    EXPECT_EQ(c.event.src_ip.to_string(), "192.0.2.99");
    auto d = run("%ASA-6-106012: Deny IP from 203.0.113.1 to 192.0.2.2, IP options: "
                 "\"Router Alert\"");
    ASSERT_TRUE(d.result);
    EXPECT_EQ(d.event.dst_ip.to_string(), "192.0.2.2");
    auto e = run("%ASA-2-106007: Deny inbound UDP from 203.0.113.1/53 to 192.0.2.2/5353 due "
                 "to DNS Response.");
    ASSERT_TRUE(e.result);
    EXPECT_EQ(e.event.dst_port, 5353);
}

TEST(CiscoAsa, ToTheBoxDenyMapsServiceName) {
    auto p = run("%ASA-3-710003: TCP access denied by ACL from 203.0.113.50/40123 to "
                 "outside:198.51.100.1/ssh");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.dst_port, 22);
    EXPECT_EQ(p.event.egress_interface, "outside");
    EXPECT_EQ(p.event.action, core::Action::kDeny);
}

TEST(CiscoAsa, AccessList106100) {
    auto p = run("%ASA-6-106100: access-list inside_in permitted udp "
                 "inside/192.0.2.5(42592) -> outside/198.51.100.53(53) hit-cnt 1 first hit "
                 "[0x1, 0x2]");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.rule_name, "inside_in");
    EXPECT_EQ(p.event.action, core::Action::kAllow);
    EXPECT_EQ(p.event.src_port, 42592);
    EXPECT_EQ(p.event.dst_port, 53);
    EXPECT_EQ(p.event.ingress_interface, "inside");
    EXPECT_EQ(p.event.egress_interface, "outside");
}

TEST(CiscoAsa, BuiltInboundTcpSourceIsForSide) {
    auto p = run("<166>May 09 2023 15:50:47 fw : %FTD-6-302013: Built inbound TCP connection "
                 "1544 for outside:203.0.113.10/5248 (203.0.113.10/5248) to "
                 "dmz:192.0.2.20/443 (198.51.100.20/443)");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.observer_product, "Firepower Threat Defense (FTD)");
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.10");
    EXPECT_EQ(p.event.dst_ip.to_string(), "192.0.2.20");
    EXPECT_EQ(p.event.ingress_interface, "outside");
    EXPECT_EQ(p.event.egress_interface, "dmz");
    EXPECT_EQ(p.event.action, core::Action::kAllow);
}

TEST(CiscoAsa, BuiltOutboundSwapsToInitiator) {
    auto p = run("%ASA-6-302013: Built outbound TCP connection 76118 for "
                 "outside:198.51.100.80/80 (198.51.100.80/80) to inside:192.0.2.2/3493 "
                 "(203.0.113.117/3493)");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.src_ip.to_string(), "192.0.2.2");
    EXPECT_EQ(p.event.src_port, 3493);
    EXPECT_EQ(p.event.dst_ip.to_string(), "198.51.100.80");
    EXPECT_EQ(p.event.dst_port, 80);
    EXPECT_EQ(p.event.ingress_interface, "inside");
}

TEST(CiscoAsa, TeardownHasBytesAndDuration) {
    auto p = run("%ASA-6-302014: Teardown TCP connection 3642 for outside:203.0.113.1/63677 "
                 "to dmz:192.0.2.2/443 duration 0:10:06 bytes 4666 TCP FINs");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.bytes, 4666u);
    EXPECT_TRUE(p.event.has(core::Event::kBytes));
    EXPECT_EQ(p.event.duration_ns, 606 * core::kNanosPerSecond);
}

TEST(CiscoAsa, AbsurdDurationIsDroppedNotOverflowed) {
    // Found by libFuzzer: four 10-digit parts overflowed int64 when turned into nanoseconds.
    auto p = run("%ASA-6-302014: Teardown TCP connection 3642 for outside:203.0.113.1/63677 "
                 "to dmz:192.0.2.2/443 duration 4294967295:4294967295:4294967295:4294967295 "
                 "bytes 4666 TCP FINs");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.bytes, 4666u);
    EXPECT_FALSE(p.event.has(core::Event::kDuration));
}

TEST(CiscoAsa, IcmpConnectionDirection) {
    auto in = run("%ASA-6-302020: Built inbound ICMP connection for faddr 203.0.113.20/28416 "
                  "gaddr 198.51.100.10/0 laddr 192.0.2.30/0 type 8 code 0");
    ASSERT_TRUE(in.result);
    EXPECT_EQ(in.event.src_ip.to_string(), "203.0.113.20");
    EXPECT_EQ(in.event.dst_ip.to_string(), "192.0.2.30");
    EXPECT_EQ(in.event.icmp_type, 8);
    EXPECT_FALSE(in.event.has(core::Event::kSrcPort));
    auto out = run("%ASA-6-302020: Built outbound ICMP connection for faddr 203.0.113.20/0 "
                   "gaddr 198.51.100.10/0 laddr 192.0.2.30/0 type 8 code 0");
    ASSERT_TRUE(out.result);
    EXPECT_EQ(out.event.src_ip.to_string(), "192.0.2.30");
    EXPECT_EQ(out.event.dst_ip.to_string(), "203.0.113.20");
}

TEST(CiscoAsa, Ipv6Addresses) {
    auto p = run("%ASA-4-106023: Deny udp src outside:2001:db8:bad::66/5353 dst "
                 "inside:2001:db8:100::10/53 by access-group \"v6_in\" [0x0, 0x0]");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8:bad::66");
    EXPECT_EQ(p.event.src_port, 5353);
    EXPECT_EQ(p.event.dst_ip.to_string(), "2001:db8:100::10");
    auto q = run("%ASA-3-313008: Denied IPv6-ICMP type=136, code=0 from fe80::1 on "
                 "interface wifi");
    ASSERT_TRUE(q.result);
    EXPECT_EQ(q.event.transport, core::Transport::kIcmpv6);
    EXPECT_EQ(q.event.icmp_type, 136);
    EXPECT_EQ(q.event.ingress_interface, "wifi");
}

TEST(CiscoAsa, IcmpDeniedAndNoMatchingConnection) {
    auto a = run("%ASA-3-313001: Denied ICMP type=3, code=3 from 203.0.113.3 on interface "
                 "outside");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(a.event.icmp_code, 3);
    auto b = run("%ASA-4-313005: No matching connection for ICMP error message: icmp src "
                 "outside:203.0.113.3 dst inside:192.0.2.3 (type 3, code 3) on outside "
                 "interface.  Original IP payload: udp src 192.0.2.3/53 dst 203.0.113.3/999.");
    ASSERT_TRUE(b.result);
    EXPECT_EQ(b.event.src_ip.to_string(), "203.0.113.3");
    EXPECT_EQ(b.event.dst_ip.to_string(), "192.0.2.3");
}

TEST(CiscoAsa, ThreatDetection) {
    auto p = run("%ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 10 "
                 "per second, max configured rate is 10; Current average rate is 5 per "
                 "second, max configured rate is 5; Cumulative total count is 3000");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.rule_name, "Scanning");
    EXPECT_EQ(p.event.action, core::Action::kAlert);
}

TEST(CiscoAsa, NatTranslationHasSourceOnly) {
    auto p = run("%ASA-6-305011: Built dynamic TCP translation from inside:192.0.2.9/35928 "
                 "to outside:198.51.100.1/35928");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.src_ip.to_string(), "192.0.2.9");
    EXPECT_FALSE(p.event.dst_ip.is_set());
}

TEST(CiscoAsa, DeviceStampWithZoneAbbreviation) {
    auto p = run("Sep 25 15:47:07 fw.example.com : Sep 25 2023 15:47:07 EDT: "
                 "%ASA-auth-4-113004: AAA user authentication Successful : server = "
                 "192.0.2.5 : user = alice");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(core::format_iso8601(p.event.time_ns), "2023-09-25T19:47:07.000Z");
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kSuccess);
    EXPECT_EQ(p.event.dst_ip.to_string(), "192.0.2.5");
    auto q = run("<166>Jan 22 2024 14:05:11 PST: %ASA-6-302014: Teardown TCP connection 1 "
                 "for a:203.0.113.1/1 to b:192.0.2.1/2 duration 0:00:01 bytes 5");
    ASSERT_TRUE(q.result);
    EXPECT_EQ(core::format_iso8601(q.event.time_ns), "2024-01-22T22:05:11.000Z");
}

TEST(CiscoAsa, HeaderWithoutHostLeavesNoObserverName) {
    auto p = run("<166>Nov 09 2022 10:01:59: %ASA-6-725007: SSL session with client "
                 "outside:203.0.113.8/49486 terminated.");
    ASSERT_TRUE(p.result);
    EXPECT_TRUE(p.event.observer_name.empty());
    EXPECT_EQ(p.event.src_port, 49486);
    EXPECT_EQ(p.event.ingress_interface, "outside");
}

TEST(CiscoAsa, AaaRejectedIsFailureWithUserAddress) {
    auto p = run("%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : "
                 "server = 192.0.2.5 : user = mallory : user IP = 203.0.113.77");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.77");
    EXPECT_FALSE(p.event.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(p.event).find("mallory"), std::string::npos);
}

TEST(CiscoAsa, ManagementLoginAndVpn) {
    auto a = run("%ASA-6-611102: User authentication failed: IP address: 203.0.113.9, "
                 "Uname: root");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(a.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(a.event.src_ip.to_string(), "203.0.113.9");
    auto b = run("%ASA-6-716039: Group <staff> User <bob> IP <203.0.113.12> Authentication: "
                 "rejected, Session Type: WebVPN.");
    ASSERT_TRUE(b.result);
    EXPECT_EQ(b.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(b.event.rule_name, "staff");
    EXPECT_EQ(core::to_ecs_json(b.event).find("bob"), std::string::npos);
    auto c = run("%ASA-4-113019: Group = staff, Username = carol, IP = 203.0.113.4, Session "
                 "disconnected. Session Type: IKEv2, Duration: 2h:28m:09s, Bytes xmt: 500, "
                 "Bytes rcv: 200, Reason: Idle Timeout");
    ASSERT_TRUE(c.result);
    EXPECT_EQ(c.event.src_ip.to_string(), "203.0.113.4");
    EXPECT_EQ(c.event.src_bytes, 200u);
    EXPECT_EQ(c.event.dst_bytes, 500u);
    auto d = run("%ASA-6-605004: Login denied from 203.0.113.4/5555 to "
                 "outside:198.51.100.1/ssh for user \"admin\"");
    ASSERT_TRUE(d.result);
    EXPECT_EQ(d.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(d.event.dst_port, 22);
    EXPECT_EQ(d.event.app_protocol, "ssh");
}

TEST(CiscoAsa, StatusLinesAreIgnored) {
    auto a = run("%ASA-5-611103: User logged out: Uname: admin");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(*a.result, Disposition::kIgnored);
    auto b = run("%ASA-5-111008: User 'admin' executed the 'write memory' command.");
    ASSERT_TRUE(b.result);
    EXPECT_EQ(*b.result, Disposition::kIgnored);
    auto c = run("%ASA-6-199002: Startup completed.  Beginning operation.");
    ASSERT_TRUE(c.result);
    EXPECT_EQ(*c.result, Disposition::kIgnored);
}

TEST(CiscoAsa, UnifiedConnectionEvent) {
    auto p = run("%FTD-1-430003: EventPriority: Low, DeviceUUID: 0000-1111, InstanceID: 1, "
                 "FirstPacketSecond: 2023-07-27T08:13:09Z, ConnectionID: 3, "
                 "AccessControlRuleAction: Block with reset, SrcIP: 203.0.113.3, DstIP: "
                 "192.0.2.1, SrcPort: 50158, DstPort: 443, Protocol: tcp, IngressInterface: "
                 "outside, EgressInterface: inside, ACPolicy: Default, AccessControlRuleName: "
                 "Geo block, UserAgent: Mozilla/5.0 (X11, Linux), ApplicationProtocol: HTTPS, "
                 "InitiatorPackets: 10, ResponderPackets: 13, InitiatorBytes: 967, "
                 "ResponderBytes: 5018, URL: https://example.org/secret");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kReject);
    EXPECT_EQ(e.rule_name, "Geo block");
    EXPECT_EQ(e.rule_ruleset, "Default");
    EXPECT_EQ(e.observer_serial, "0000-1111");
    EXPECT_EQ(e.src_bytes, 967u);
    EXPECT_EQ(e.dst_packets, 13u);
    EXPECT_EQ(e.app_protocol, "https");
    EXPECT_EQ(core::to_ecs_json(e).find("secret"), std::string::npos);
}

TEST(CiscoAsa, UnifiedIntrusionEvent) {
    auto p = run("%FTD-1-430001: SrcIP: 203.0.113.3, DstIP: 192.0.2.1, SrcPort: 1, DstPort: "
                 "80, Protocol: tcp, GID: 1, SID: 2023, Revision: 4, Message: SERVER-WEBAPP "
                 "probe, Priority: 1, InlineResult: Blocked");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.rule_id, "1:2023:4");
    EXPECT_EQ(p.event.rule_name, "SERVER-WEBAPP probe");
    EXPECT_EQ(p.event.action, core::Action::kDrop);
}

TEST(CiscoAsa, BareVpnBodyWithoutPrefix) {
    auto p = run("Group <staff> User <dave> IP <203.0.113.30> AnyConnect session lost "
                 "connection. Waiting to resume.");
    ASSERT_TRUE(p.result);
    EXPECT_GT(p.confidence, 0);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.30");
}

TEST(CiscoAsa, MalformedLinesGiveTypedErrors) {
    auto a = run("%ASA-X-106023: Deny tcp");
    ASSERT_FALSE(a.result);
    EXPECT_EQ(a.result.error().field(), "severity");
    auto b = run("%ASA-4-106023: Deny tcp src outside:nothere dst inside:192.0.2.1");
    ASSERT_FALSE(b.result);
    EXPECT_EQ(b.result.error().field(), "source");
    auto c = run("%ASA-6-302013: Built inbound TCP connection 1 for outside:203.0.113.1/");
    ASSERT_FALSE(c.result);
    auto d = run("hello world");
    ASSERT_FALSE(d.result);
    EXPECT_EQ(d.confidence, 0);
}

TEST(CiscoAsa, TruncatedPrefixesNeverCrash) {
    std::string line = "<166>Mar 29 2021 10:24:41 fw : %ASA-6-302013: Built outbound TCP "
                       "connection 1 for outside:2001:db8::1/80 (2001:db8::1/80) to "
                       "inside:192.0.2.2/3493 (203.0.113.1/3493)";
    for (std::size_t n = 0; n <= line.size(); ++n) {
        auto p = run(std::string_view(line).substr(0, n));
        (void)p;
    }
    SUCCEED();
}

}  // namespace
}  // namespace cyberalarm::parse

namespace cyberalarm::parse {
namespace {

// Regression (fuzzer find): a group name whose '>' is missing must not swallow the user
// name that follows it into rule.name.
TEST(CiscoAsa, MalformedGroupDoesNotLeakTheUserName) {
    auto p = test::parse_with(formats::cisco_asa(),
                              "%ASA-4-113019: Group <staff\x1e User <dave> IP <203.0.113.30> "
                              "Authentication: rejected, Session Type: WebVPN");
    if (p.result && *p.result == Disposition::kEvent) {
        EXPECT_EQ(p.event.rule_name.find("dave"), std::string::npos) << p.event.rule_name;
        EXPECT_EQ(core::to_ecs_json(p.event).find("dave"), std::string::npos);
    }
}

}  // namespace
}  // namespace cyberalarm::parse
