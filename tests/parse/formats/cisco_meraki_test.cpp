// Lines written after Meraki's "Syslog Event Types and Log Samples"; documentation addresses.
#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::cisco_meraki(), line);
}

TEST(CiscoMeraki, FlowsWithPatternVerdict) {
    auto p = run("<134>1 1380664994.337961580 MX84 flows src=192.0.2.186 dst=198.51.100.8 "
                 "mac=58:1F:AA:CE:61:F2 protocol=udp sport=55719 dport=53 pattern: allow all");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2013-10-01T22:03:14.337961580Z");
    EXPECT_EQ(e.observer_name, "MX84");
    EXPECT_EQ(e.event_code, "flows");
    EXPECT_EQ(e.src_ip.to_string(), "192.0.2.186");
    EXPECT_EQ(e.dst_port, 53);
    EXPECT_EQ(e.transport, core::Transport::kUdp);
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.rule_name, "all");
    EXPECT_EQ(core::to_ecs_json(e).find("58:1F"), std::string::npos);
}

TEST(CiscoMeraki, NumericPatternAndLeadingVerdict) {
    auto a = run("1673277244.954105815 MX01 firewall src=192.0.2.4 dst=198.51.100.8 "
                 "protocol=tcp sport=42644 dport=543 pattern: 1 all");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(a.event.action, core::Action::kDeny);
    auto b = run("1673277244.954105815 MX01 flows deny src=192.0.2.4 dst=198.51.100.8 "
                 "protocol=tcp sport=42644 dport=543");
    ASSERT_TRUE(b.result);
    EXPECT_EQ(b.event.action, core::Action::kDeny);
    auto c = run("1673277244.954105815 MX01 vpn_firewall src=192.0.2.4 dst=10.15.45.144 "
                 "protocol=icmp type=8 pattern: deny all");
    ASSERT_TRUE(c.result);
    EXPECT_EQ(c.event.transport, core::Transport::kIcmp);
    EXPECT_EQ(c.event.icmp_type, 8);
}

TEST(CiscoMeraki, EpochPastYear2200IsRefused) {
    // Found by libFuzzer: an 11-digit epoch overflowed int64 when turned into nanoseconds.
    auto p = run("99999999999.5 MX01 flows src=192.0.2.4 dst=198.51.100.8 protocol=tcp "
                 "sport=42644 dport=543 pattern: allow all");
    EXPECT_FALSE(p.result);
}

TEST(CiscoMeraki, UrlsKeepConnectionNotUrl) {
    auto p = run("1673277244.773622789 MX01 urls src=2001:db8::5:64194 dst=2001:db8::80:80 "
                 "mac=AA:BB:CC:DD:EE:FF agent='Mozilla/5.0 (X11)' request: GET "
                 "http://www.example.com/private/path?q=1");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::5");
    EXPECT_EQ(p.event.src_port, 64194);
    EXPECT_EQ(p.event.dst_port, 80);
    auto json = core::to_ecs_json(p.event);
    EXPECT_EQ(json.find("private"), std::string::npos);
    EXPECT_EQ(json.find("Mozilla"), std::string::npos);
}

TEST(CiscoMeraki, IdsAlert) {
    auto p = run("1377449842.514782056 MX84 ids-alerts signature=129:4:1 priority=3 "
                 "timestamp=1377449842.512569 direction=ingress protocol=tcp/ip "
                 "src=198.51.100.132:80 dst=192.0.2.2:51200 message: STREAM5 TCP window "
                 "exceeded");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.rule_id, "129:4:1");
    EXPECT_EQ(p.event.rule_name, "STREAM5 TCP window exceeded");
    EXPECT_EQ(p.event.action, core::Action::kAlert);
    EXPECT_EQ(p.event.transport, core::Transport::kTcp);
    auto q = run("1468531589.810079 MX84 security_event ids_alerted signature=1:28423:1 "
                 "priority=1 timestamp=1468531589.810079 direction=ingress protocol=tcp/ip "
                 "src=198.51.100.238:80 dst=192.0.2.2:53023 decision=blocked message: "
                 "EXPLOIT-KIT detection");
    ASSERT_TRUE(q.result);
    EXPECT_EQ(q.event.action, core::Action::kDrop);
    EXPECT_EQ(q.event.severity, core::Severity::kHigh);
}

TEST(CiscoMeraki, VpnAuthFailureHashesUser) {
    auto p = run("1673596676.426899545 MX01 events type=anyconnect_vpn_auth_failure msg= "
                 "'RADIUS[374] Server IP=192.0.2.4 Server port=1812 Peer IP=203.0.113.8 Peer "
                 "port=56735 User=erin: Authentication request rejected. '");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.8");
    EXPECT_EQ(p.event.src_port, 56735);
    EXPECT_EQ(p.event.dst_port, 1812);
    EXPECT_FALSE(p.event.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(p.event).find("erin"), std::string::npos);
    auto q = run("1673614753.814828766 MX01 events anyconnect_vpn_connect user id "
                 "'frank@example.org' local ip 10.0.0.2 connected from 203.0.113.9");
    ASSERT_TRUE(q.result);
    EXPECT_EQ(q.event.src_ip.to_string(), "203.0.113.9");
    EXPECT_EQ(core::to_ecs_json(q.event).find("frank"), std::string::npos);
}

TEST(CiscoMeraki, StatusEventsAreIgnored) {
    auto a = run("1673541902.311547724 MX01 events dhcp no offers for mac AA:BB:CC:DD:EE:FF");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(*a.result, Disposition::kIgnored);
    auto b = run("1673541902.311547724 MX01 events type=vpn_connectivity_change "
                 "vpn_type='site-to-site' connectivity='true'");
    ASSERT_TRUE(b.result);
    EXPECT_EQ(*b.result, Disposition::kIgnored);
}

TEST(CiscoMeraki, RelayedThroughSyslogServer) {
    auto p = run("Nov 23 06:58:38 relay 1673277245.262063982 MX01 ip_flow_start "
                 "src=192.0.2.1 dst=198.51.100.8 protocol=tcp sport=64365 dport=443 "
                 "translated_src_ip=203.0.113.1 translated_port=64365");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.category, core::Category::kFlow);
    EXPECT_EQ(p.event.dst_port, 443);
    EXPECT_EQ(p.event.observer_name, "MX01");
}

TEST(CiscoMeraki, MalformedAndTruncated) {
    auto a = run("1673277244.954105815 MX01 flows src=nothing dst=alsonothing");
    ASSERT_FALSE(a.result);
    EXPECT_EQ(a.result.error().field(), "src");
    auto b = run("hello world");
    EXPECT_EQ(b.confidence, 0);
    ASSERT_FALSE(b.result);
    std::string line = "<134>1 1380664994.337961580 MX84 urls src=2001:db8::5:64194 "
                       "dst=192.0.2.8:80 request: GET http://x/";
    for (std::size_t n = 0; n <= line.size(); ++n) {
        (void)run(std::string_view(line).substr(0, n));
    }
}

}  // namespace
}  // namespace cyberalarm::parse
