// PAN-OS CSV, JSON and CEF lines written from the PAN-OS syslog field reference.
#include <gtest/gtest.h>

#include <string>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "parse/syslog.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

// Reference time 0: the value these expectations were written with.
test::ParsedLine run(std::string_view line) {
    ParseContext ctx = test::test_context();
    ctx.reference_ns = 0;
    auto p = test::parse_with(formats::panos(), line, ctx);
    EXPECT_GT(p.confidence, 0) << line;
    return p;
}

constexpr std::string_view kTraffic =
    "<14>Mar  4 10:00:02 fw-edge 1,2024/03/04 10:00:02,013201001234,TRAFFIC,end,2561,"
    "2024/03/04 10:00:01,10.1.1.5,198.51.100.20,203.0.113.9,198.51.100.20,allow-web,"
    "corp\\alice,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2024/03/04 10:00:02,"
    "4242,1,51515,443,40000,443,0x400053,tcp,allow,6000,1000,5000,20,2024/03/04 09:59:50,11,"
    "computer-and-internet-info,0,7000001,0x0,10.0.0.0-10.255.255.255,US,0,8,12,tcp-fin,0,0,0,"
    "0,,PA-3220,from-policy,,,0,,0,,N/A,0,0,0,0";

TEST(Panos, TrafficCsv) {
    auto p = run(kTraffic);
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(*p.result, Disposition::kEvent);
    const auto& e = p.event;
    EXPECT_EQ(e.src_ip.to_string(), "10.1.1.5");
    EXPECT_EQ(e.dst_ip.to_string(), "198.51.100.20");
    EXPECT_EQ(e.src_port, 51515);
    EXPECT_EQ(e.dst_port, 443);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.rule_name, "allow-web");
    EXPECT_EQ(e.src_bytes, 1000u);
    EXPECT_EQ(e.dst_bytes, 5000u);
    EXPECT_EQ(e.packets, 20u);
    EXPECT_EQ(e.src_packets, 8u);
    EXPECT_EQ(e.dst_packets, 12u);
    EXPECT_EQ(e.duration_ns, 11 * core::kNanosPerSecond);
    EXPECT_EQ(e.observer_serial, "013201001234");
    EXPECT_EQ(e.observer_name, "PA-3220");
    EXPECT_EQ(e.ingress_interface, "ethernet1/2");
    EXPECT_EQ(e.egress_interface, "ethernet1/1");
    EXPECT_EQ(e.app_protocol, "ssl");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-03-04T10:00:01.000Z");
    EXPECT_FALSE(e.user_hash.empty());
}

TEST(Panos, UserNameNeverInOutput) {
    auto p = run(kTraffic);
    ASSERT_TRUE(p.result);
    std::string json = core::to_ecs_json(p.event);
    EXPECT_EQ(json.find("alice"), std::string::npos) << json;
}

TEST(Panos, TrafficDenyIpv6ShortDate) {
    auto p = run(
        "1,9/16/19 10:00,0011C100,TRAFFIC,deny,2049,9/16/19 10:00,2001:db8::5,2001:db8:1::53,"
        "::,::,block-dns,,,dns,vsys1,lan,wan,ae1,ethernet1/1,fwd,9/16/19 10:00,1,1,5353,53,0,0,"
        "0x0,udp,reset-both,80,80,0,1,9/16/19 10:00,0,any,0,1,0x0,US,US,0,1,0,policy-deny");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::5");
    EXPECT_EQ(p.event.action, core::Action::kReject);
    EXPECT_EQ(p.event.transport, core::Transport::kUdp);
    EXPECT_EQ(core::format_iso8601(p.event.time_ns), "2019-09-16T10:00:00.000Z");
}

TEST(Panos, ThreatCsvSignatureAndHighResolutionTime) {
    std::string line =
        "1,2024/05/01 12:00:00,0123,THREAT,vulnerability,2561,2024/05/01 12:00:00,203.0.113.7,"
        "10.0.0.10,0.0.0.0,0.0.0.0,inbound-ssh,,,ssh,vsys1,untrust,dmz,ethernet1/1,ethernet1/3,"
        "fwd,2024/05/01 12:00:00,77,1,40000,22,0,0,0x2000,tcp,reset-both,,SSH User "
        "Authentication Brute Force Attempt(40015),any,high,client-to-server,1,0x0,CN,"
        "10.0.0.0-10.255.255.255,0,,0,,,0,,,,,,,,0,0,0,0,0,,PA-edge,,,,,0,,0,,N/A,brute-force,"
        "AppThreat-1-1,0x0,0,4294967295,,,uuid,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,0,"
        "2024-05-01T12:00:00.250+02:00";
    auto p = run(line);
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.category, core::Category::kIds);
    EXPECT_EQ(e.rule_name, "SSH User Authentication Brute Force Attempt");
    EXPECT_EQ(e.rule_id, "40015");
    EXPECT_EQ(e.rule_ruleset, "inbound-ssh");
    EXPECT_EQ(e.severity, core::Severity::kHigh);
    EXPECT_EQ(e.action, core::Action::kReject);
    EXPECT_EQ(e.observer_name, "PA-edge");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-05-01T10:00:00.250Z");
}

TEST(Panos, ThreatVirusIsAv) {
    auto p = run(
        "1,2024/05/01 12:00:00,0123,THREAT,virus,2561,2024/05/01 12:00:00,198.51.100.1,"
        "10.0.0.10,0.0.0.0,0.0.0.0,web,,,web-browsing,vsys1,untrust,trust,ethernet1/1,"
        "ethernet1/2,fwd,2024/05/01 12:00:00,77,1,80,50000,0,0,0x2000,tcp,alert,\"bad.exe\","
        "Virus/Win32.Generic(123456),any,medium,server-to-client");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAv);
    EXPECT_EQ(p.event.action, core::Action::kAlert);
    EXPECT_EQ(core::to_ecs_json(p.event).find("bad.exe"), std::string::npos);
}

TEST(Panos, SystemAuthFailureIsAuthEvent) {
    auto p = run(
        "1,2025/02/26 10:22:28,0007,SYSTEM,auth,2561,2025/02/26 10:22:28,,auth-fail,VPN,0,0,"
        "general,medium,\"failed authentication for user 'bob'.  Reason: Invalid "
        "username/password. auth profile 'VPN', vsys 'vsys1', server profile 'AD', server "
        "address '10.9.9.9', From: 192.0.2.44.\",1,0x0,0,0,0,0,,fw1,0,0,"
        "2025-02-26T10:22:28.691+01:00");
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.category, core::Category::kAuth);
    EXPECT_EQ(e.outcome, core::Outcome::kFailure);
    EXPECT_EQ(e.src_ip.to_string(), "192.0.2.44");
    EXPECT_EQ(e.dst_ip.to_string(), "10.9.9.9");
    EXPECT_FALSE(e.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(e).find("bob"), std::string::npos);
}

TEST(Panos, SystemHealthIsIgnored) {
    auto p = run(
        "1,2023/08/01 04:03:24,0007,SYSTEM,general,2816,2023/08/01 04:03:24,,general,,0,0,"
        "general,informational,\"Content update job succeeded\",1,0x0,0,0,0,0,,fw1");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
}

TEST(Panos, GlobalProtectLogin) {
    auto p = run(
        "1,2024/01/12 11:41:42,0154,GLOBALPROTECT,0,2562,2024/01/12 11:41:42,vsys1,"
        "gateway-auth,login,LDAP,SSLVPN,corp\\carol,FR,laptop-7,198.51.100.77,::,10.8.0.2,::,"
        "hostid,EP123,6.0.4,Windows,\"Windows 10, 64-bit\",1,,,,failure,,0,,0,GW,1,0x0");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(p.event.src_ip.to_string(), "198.51.100.77");
    EXPECT_EQ(core::to_ecs_json(p.event).find("carol"), std::string::npos);
}

TEST(Panos, HipMatchAndUserId) {
    auto hip = run(
        "1,2024/11/03 18:50:04,0111,HIPMATCH,0,1111,2024/11/03 18:50:04,dave,vsys1,PC-01,"
        "Windows,10.2.3.4,Compliant,1,profile,,,1,0x0,0,0,0,0,,FW-1,1,0.0.0.0");
    ASSERT_TRUE(hip.result);
    EXPECT_EQ(hip.event.rule_name, "Compliant");
    EXPECT_EQ(hip.event.src_ip.to_string(), "10.2.3.4");
    auto uid = run(
        "1,2024/01/12 11:23:33,0154,USERID,login,2222,2024/01/12 11:23:33,vsys1,10.5.5.5,"
        "corp\\erin,,0,1,10888,0,0,vpn-client,globalprotect,5,0x0,0,0,0,0,,fw-2,1");
    ASSERT_TRUE(uid.result);
    EXPECT_EQ(uid.event.outcome, core::Outcome::kSuccess);
    EXPECT_EQ(uid.event.observer_name, "fw-2");
}

TEST(Panos, JsonThreat) {
    auto p = run(
        R"j({"LogType":"THREAT","Subtype":"spyware","DeviceSN":"0099","DeviceName":"pa-1",)j"
        R"j("TimeGenerated":"2024-07-08T15:52:09.000000Z","SourceAddress":"10.0.0.8",)j"
        R"j("DestinationAddress":"203.0.113.50","SourcePort":50000,"DestinationPort":443,)j"
        R"j("Protocol":"tcp","Action":"reset-both","Rule":"out",)j"
        R"j("SourceUser":"frank@example.org",)j"
        R"j("ThreatID":"Cobalt Strike Beacon(86246)","VendorSeverity":"Critical"})j");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.rule_name, "Cobalt Strike Beacon");
    EXPECT_EQ(e.rule_id, "86246");
    EXPECT_EQ(e.severity, core::Severity::kCritical);
    EXPECT_EQ(e.action, core::Action::kReject);
    EXPECT_EQ(e.observer_serial, "0099");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-07-08T15:52:09.000Z");
    EXPECT_EQ(core::to_ecs_json(e).find("frank"), std::string::npos);
}

TEST(Panos, JsonSystemWithoutAddressIsIgnored) {
    auto p = run(
        R"j({"LogType":"SYSTEM","LogSourceID":"01","EventName":"general",)j"
        R"j("EventTime":"2023-02-03T16:30:44.000000Z",)j"
        R"j("EventDescription":"Installed package"})j");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
}

TEST(Panos, Cef) {
    auto p = run(
        "CEF:0|Palo Alto Networks|PAN-OS|10.1|TRAFFIC|end|3|rt=Aug 02 2022 06:42:20 dtz=UTC "
        "deviceExternalId=0077 src=10.0.0.1 dst=192.0.2.1 cs1Label=Rule cs1=Out bound spt=63516 "
        "dpt=443 proto=tcp act=allow in=100 out=200 cn2=5 cn2Label=PacketsTotal "
        "deviceInboundInterface=tunnel.1 dvchost=pa-2");
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.rule_name, "Out bound");
    EXPECT_EQ(e.src_bytes, 100u);
    EXPECT_EQ(e.dst_bytes, 200u);
    EXPECT_EQ(e.packets, 5u);
    EXPECT_EQ(e.ingress_interface, "tunnel.1");
    EXPECT_EQ(e.observer_name, "pa-2");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2022-08-02T06:42:20.000Z");
}

TEST(Panos, TruncatedTrafficIsAnError) {
    auto p = run("1,2024/03/04 10:00:02,0132,TRAFFIC,end,2561,2024/03/04 10:00:01,10.1.1.5,"
                 "198.51.100.20,0.0.0.0");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "action");
}

TEST(Panos, BadAddressIsAnError) {
    auto p = run("1,2024/03/04 10:00:02,0132,TRAFFIC,end,2561,2024/03/04 10:00:01,10.1.1.999,"
                 "198.51.100.20,,,r,,,app,vsys1,a,b,c,d,e,f,1,1,1,2,0,0,0x0,tcp,allow");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "src");
}

TEST(Panos, BrokenJsonIsAnError) {
    auto p = run(R"j({"LogType":"TRAFFIC","SourceAddress":"10.0.0.1")j");
    ASSERT_FALSE(p.result);
}

TEST(Panos, ProbeIgnoresOtherVendors) {
    SyslogMessage msg = parse_syslog("<14>Mar  4 10:00:02 host kernel: IN=eth0 OUT= SRC=1.2.3.4", 0);
    EXPECT_EQ(formats::panos().probe(msg), 0);
}

}  // namespace
}  // namespace cyberalarm::parse
