// Forcepoint NGFW LEEF and CEF lines written from the NGFW log export reference.
#include <gtest/gtest.h>

#include <string>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "parse/syslog.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

// Reference time 0 and an all-zero hash key: the values these expectations were written with.
test::ParsedLine run(std::string_view line) {
    ParseContext ctx = test::test_context();
    ctx.reference_ns = 0;
    ctx.hash_key.fill(0);
    auto p = test::parse_with(formats::forcepoint(), line, ctx);
    EXPECT_GT(p.confidence, 0) << line;
    return p;
}

TEST(Forcepoint, LeefDiscard) {
    auto p = run("LEEF:1.0|Forcepoint|Firewall|7.1.5|Connection_Discarded|devTimeFormat=MMM dd "
                 "yyyy HH:mm:ss\tsrc=203.0.113.4\tdst=10.0.0.9\tsrcPort=5000\tdstPort=3389\t"
                 "proto=6\tdevTime=Aug 06 2025 14:13:16\tsender=fw-a node 1\taction=Discard");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kDrop);
    EXPECT_EQ(e.src_port, 5000);
    EXPECT_EQ(e.dst_port, 3389);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.observer_name, "fw-a node 1");
    EXPECT_EQ(e.event_code, "Connection_Discarded");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2025-08-06T14:13:16.000Z");
}

TEST(Forcepoint, LeefActionFromEventNameIpv6) {
    auto p = run("LEEF:1.0|Forcepoint|Firewall|7.1.5|Connection_Allowed|src=2001:db8::1\t"
                 "dst=2001:db8::2\tproto=17\tusrName=ivan");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kAllow);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::1");
    EXPECT_EQ(core::to_ecs_json(p.event).find("ivan"), std::string::npos);
}

TEST(Forcepoint, Leef2Delimiter) {
    auto p = run("LEEF:2.0|Forcepoint|NGFW|7.1|Connection_Refused|^|src=10.0.0.1^dst=10.0.0.2^"
                 "proto=6");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.dst_ip.to_string(), "10.0.0.2");
    EXPECT_EQ(p.event.action, core::Action::kReject);
}

TEST(Forcepoint, Cef) {
    auto p = run("CEF:0|FORCEPOINT|Firewall|6.8.6|70018|Connection_Allowed|0|"
                 "deviceExternalId=fw-b node 1 src=192.0.2.1 dst=198.51.100.2 spt=59358 dpt=443 "
                 "proto=6 deviceInboundInterface=0 deviceOutboundInterface=1 act=Allow "
                 "rt=Sep 14 2021 14:12:51 cs1Label=RuleID cs1=2100123.2");
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.rule_id, "2100123.2");
    EXPECT_EQ(e.event_code, "70018");
    EXPECT_EQ(e.ingress_interface, "0");
    EXPECT_EQ(e.observer_name, "fw-b node 1");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2021-09-14T14:12:51.000Z");
}

TEST(Forcepoint, NoticeWithoutAddressIsIgnored) {
    auto p = run("LEEF:1.0|Forcepoint|Firewall|7.1.5|FW_DHCP-Reply|srcMAC=1A:1A:1A:1A:1A:1A\t"
                 "devTime=Aug 06 2025 15:24:14");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
}

TEST(Forcepoint, TruncatedHeaderIsNotClaimed) {
    SyslogMessage msg = parse_syslog("LEEF:1.0|Forcepoint|Firewall", 0);
    EXPECT_EQ(formats::forcepoint().probe(msg), 0);
    core::Event e;
    auto r = formats::forcepoint().parse(msg, ParseContext{}, e);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field(), "header");
}

TEST(Forcepoint, OtherVendorsLeefIsNotClaimed) {
    SyslogMessage msg = parse_syslog("LEEF:1.0|IBM|QRadar|1.0|x|src=1.2.3.4", 0);
    EXPECT_EQ(formats::forcepoint().probe(msg), 0);
}

}  // namespace
}  // namespace cyberalarm::parse
