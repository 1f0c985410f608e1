// Check Point lines written from the Log Exporter field reference (syslog, CEF, generic).
#include <gtest/gtest.h>

#include <string>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "parse/syslog.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

// Reference time 0 and hash key 3: the values these expectations were written with.
test::ParsedLine run(std::string_view line) {
    ParseContext ctx = test::test_context();
    ctx.reference_ns = 0;
    ctx.hash_key.fill(3);
    auto p = test::parse_with(formats::checkpoint(), line, ctx);
    EXPECT_GT(p.confidence, 0) << line;
    return p;
}

TEST(Checkpoint, SyslogKeyValue) {
    auto p = run(
        "<134>1 2024-04-12T17:43:37Z gw-hq CheckPoint 2311 - [action:\"Drop\"; flags:\"411908\"; "
        "ifdir:\"inbound\"; ifname:\"eth1\"; loguid:\"{0x1,0x0,0x0,0x0}\"; origin:\"192.0.2.1\"; "
        "originsicname:\"CN=gw-hq,O=mgmt.example.abc\"; time:\"1712943817\"; version:\"5\"; "
        "dst:\"10.0.0.5\"; product:\"VPN-1 & FireWall-1\"; proto:\"6\"; rule:\"12\"; "
        "rule_name:\"Block SMB\"; rule_uid:\"{AB-CD}\"; s_port:\"50123\"; service:\"445\"; "
        "src:\"198.51.100.9\"; src_user_name:\"Grace (grace)\"]");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kDrop);
    EXPECT_EQ(e.src_ip.to_string(), "198.51.100.9");
    EXPECT_EQ(e.dst_ip.to_string(), "10.0.0.5");
    EXPECT_EQ(e.src_port, 50123);
    EXPECT_EQ(e.dst_port, 445);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.rule_name, "Block SMB");
    EXPECT_EQ(e.rule_id, "12");
    EXPECT_EQ(e.ingress_interface, "eth1");
    EXPECT_EQ(e.observer_name, "gw-hq");
    EXPECT_EQ(e.time_ns, 1712943817 * core::kNanosPerSecond);
    EXPECT_EQ(core::to_ecs_json(e).find("Grace"), std::string::npos);
}

TEST(Checkpoint, AbsurdEpochKeepsTheSyslogTime) {
    // Found by libFuzzer: a 10-digit epoch second past 2200 overflowed int64 nanoseconds.
    for (std::string_view t : {"9999999999", "99999999999999"}) {
        auto p = run("<134>1 2024-04-12T17:43:37Z gw-hq CheckPoint 2311 - [action:\"Drop\"; "
                     "loguid:\"{0x1}\"; origin:\"192.0.2.1\"; time:\"" + std::string(t) +
                     "\"; version:\"5\"; dst:\"10.0.0.5\"; product:\"VPN-1 & FireWall-1\"; "
                     "proto:\"6\"; s_port:\"50123\"; service:\"445\"; src:\"198.51.100.9\"]");
        ASSERT_TRUE(p.result) << t;
        EXPECT_EQ(p.event.time_ns, 1712943817 * core::kNanosPerSecond) << t;
    }
}

TEST(Checkpoint, SyslogIcmpIpv6Outbound) {
    auto p = run(
        "CheckPoint 12 - [action:\"Accept\"; ifdir:\"outbound\"; ifname:\"eth2\"; "
        "loguid:\"{0x2}\"; dst:\"2001:db8::1\"; src:\"2001:db8::2\"; proto:\"58\"; "
        "icmp_type:\"128\"; icmp_code:\"0\"]");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.transport, core::Transport::kIcmpv6);
    EXPECT_EQ(p.event.icmp_type, 128);
    EXPECT_EQ(p.event.egress_interface, "eth2");
    EXPECT_EQ(p.event.action, core::Action::kAllow);
}

TEST(Checkpoint, CefFirewall) {
    auto p = run(
        "CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept "
        "deviceDirection=0 rt=1592498107000 spt=62170 dpt=443 cs2Label=Rule Name cs2=Allow web "
        "layer_name=Network rule_uid=11-22 ifname=eth0 loguid={0x5} origin=192.0.2.1 "
        "originsicname=CN\\=fw2,O\\=mgmt.x dst=203.0.113.3 product=VPN-1 & FireWall-1 proto=6 "
        "src=10.1.1.1 suser=Heidi Example (hex1)");
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.rule_name, "Allow web");
    EXPECT_EQ(e.rule_ruleset, "Network");
    EXPECT_EQ(e.dst_port, 443);
    EXPECT_EQ(e.observer_name, "fw2");
    EXPECT_EQ(e.time_ns, 1592498107000LL * 1'000'000);
    EXPECT_EQ(core::to_ecs_json(e).find("Heidi"), std::string::npos);
}

TEST(Checkpoint, CefIpsDetect) {
    auto p = run(
        "CEF:0|Check Point|SmartDefense|Check Point|IPS|Bad thing|Very-High|act=Detect "
        "cs1Label=Threat Prevention Rule Name cs1=Default cs2Label=Protection ID cs2=asm_1 "
        "cs4Label=Protection Name cs4=SQL Injection deviceDirection=0 dst=10.0.0.8 src=192.0.2.66 "
        "spt=40000 dpt=80 proto=6 product=SmartDefense");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kAlert);
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.rule_name, "SQL Injection");
    EXPECT_EQ(p.event.rule_id, "asm_1");
    EXPECT_EQ(p.event.rule_ruleset, "Default");
    EXPECT_EQ(p.event.severity, core::Severity::kCritical);
}

TEST(Checkpoint, CefShiftedHeaderAndMissingPrefix) {
    auto a = run("CEF:0||Check Point|VPN-1 & FireWall-1|Check Point|Log|dns|Unknown|act=Drop "
                 "src=10.0.0.1 dst=10.0.0.2 proto=17 dpt=53");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(a.event.dst_port, 53);
    EXPECT_EQ(a.event.action, core::Action::kDrop);
    auto b = run("0|Check Point|VPN-1 & FireWall-1|Check Point|Log|dns|Unknown|act=Accept "
                 "src=10.0.0.1 dst=10.0.0.2 proto=17");
    ASSERT_TRUE(b.result);
    EXPECT_EQ(b.event.transport, core::Transport::kUdp);
}

TEST(Checkpoint, Generic) {
    auto p = run("\"7\" \"10Dec2019\" \"23:44:49\" \"eth1\" \"gw\" \"Log\" \"Reject\" \"22\" "
                 "\"41000\" \"192.0.2.5\" \"10.0.0.1\" \"tcp\" \"9\" \"No SSH\" \"9-Policy\" \"\" "
                 "\"inzone: External\" \"Security Gateway/Management\" \"\" \"\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kReject);
    EXPECT_EQ(p.event.dst_port, 22);
    EXPECT_EQ(p.event.src_port, 41000);
    EXPECT_EQ(p.event.rule_name, "No SSH");
    EXPECT_EQ(core::format_iso8601(p.event.time_ns), "2019-12-10T23:44:49.000Z");
}

TEST(Checkpoint, NoAddressIsIgnored) {
    auto p = run("CheckPoint 1 - [action:\"Update\"; loguid:\"{0x0}\"; product:\"SmartUpdate\"]");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
}

TEST(Checkpoint, UnterminatedValueIsAnError) {
    auto p = run("CheckPoint 1 - [action:\"Accept\"; loguid:\"{0x0}\"; src:\"10.0.0.1");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "src");
}

TEST(Checkpoint, TruncatedGenericIsAnError) {
    auto p = run("\"7\" \"10Dec2019\" \"23:44:49\" \"eth1\"");
    ASSERT_FALSE(p.result);
}

}  // namespace
}  // namespace cyberalarm::parse
