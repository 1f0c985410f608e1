#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::cef(), line);
}

TEST(Cef, FirewallDenyWithSpacesAndEscapes) {
    auto p =
        run("<134>Mar 31 12:00:00 fw1 CEF:0|Acme\\|Corp|Edge FW|2.1|4001|Deny by rule "
            "Block all|5|src=203.0.113.7 spt=51515 dst=192.0.2.20 dpt=3389 proto=TCP "
            "act=blocked in=60 out=0 rt=1711886400123 deviceInboundInterface=port 1 "
            "cs1Label=note cs1=a\\=b c");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.confidence, 50);
    const auto& e = p.event;
    EXPECT_EQ(e.observer_vendor, "Acme|Corp");
    EXPECT_EQ(e.observer_product, "Edge FW");
    EXPECT_EQ(e.rule_id, "4001");
    EXPECT_EQ(e.rule_name, "Deny by rule Block all");
    EXPECT_EQ(e.severity, core::Severity::kMedium);
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.category, core::Category::kFirewall);
    EXPECT_EQ(e.src_ip.to_string(), "203.0.113.7");
    EXPECT_EQ(e.dst_port, 3389);
    EXPECT_EQ(e.src_bytes, 60u);
    EXPECT_EQ(e.ingress_interface, "port 1");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-03-31T12:00:00.123Z");
}

TEST(Cef, UnifiIntrusionPrevention) {
    auto p = run(
        "CEF:0|Ubiquiti|UniFi Network|9.0.1|201|Threat Detected and Blocked|7|proto=UDP "
        "src=2001:db8::5 spt=53 dst=2001:db8::9 dpt=5353 UNIFIcategory=Security "
        "UNIFIsubCategory=Intrusion Prevention UNIFIipsSignature=ET SCAN Something "
        "UNIFIipsSignatureId=2000001 UNIFIdeviceName=Gateway UNIFIutcTime=2025-01-02T03:04:05.006Z "
        "msg=An attack from somebody was blocked.");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.category, core::Category::kIds);
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.rule_id, "2000001");
    EXPECT_EQ(e.rule_name, "ET SCAN Something");
    EXPECT_EQ(e.event_code, "201");
    EXPECT_EQ(e.severity, core::Severity::kHigh);
    EXPECT_TRUE(e.src_ip.is_v6());
    EXPECT_EQ(e.observer_name, "Gateway");
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2025-01-02T03:04:05.006Z");
}

TEST(Cef, AdminLoginIsAuthAndHashesTheUser) {
    auto p =
        run("CEF:0|Ubiquiti|UniFi Network|9.0.1|544|Admin Accessed UniFi Network|1|"
            "UNIFIcategory=System UNIFIsubCategory=Admin UNIFIadmin=Jane Doe src=192.0.2.44 "
            "msg=Jane Doe accessed UniFi Network");
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.category, core::Category::kAuth);
    EXPECT_EQ(e.outcome, core::Outcome::kSuccess);
    EXPECT_FALSE(e.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(e).find("Jane"), std::string::npos);
}

TEST(Cef, GenericSuserFailure) {
    auto p = run("CEF:0|Vendor|VPN|1|600|Login|3|suser=bob src=198.51.100.2 outcome=failure");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(core::to_ecs_json(p.event).find("bob"), std::string::npos);
}

TEST(Cef, TruncatedHeaderIsAnError) {
    auto p = run("CEF:0|Vendor|Product|1.0|100");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "header");
}

TEST(Cef, BadAddressNamesTheKey) {
    auto p = run("CEF:0|V|P|1|1|n|1|src=999.1.1.1 dst=192.0.2.1");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "src");
}

TEST(Cef, ProbeNeedsTheHeader) {
    EXPECT_EQ(run("hello CEF world").confidence, 0);
    EXPECT_EQ(run("0|Ubiquiti|UniFi Network|1|2|n|3|src=192.0.2.1").confidence, 30);
}

}  // namespace
}  // namespace cyberalarm::parse
