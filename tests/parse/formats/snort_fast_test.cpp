#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::snort_fast(), line);
}

TEST(SnortFast, FastLogWithYear) {
    auto p =
        run("03/31/2021-12:34:56.123456  [**] [1:2010935:3] ET POLICY Suspicious inbound to "
            "MSSQL port 1433 [**] [Classification: Potentially Bad Traffic] [Priority: 2] "
            "{TCP} 198.51.100.1:51234 -> 192.0.2.2:1433");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2021-03-31T12:34:56.123456000Z");
    EXPECT_EQ(e.rule_id, "2010935");
    EXPECT_EQ(e.rule_name, "ET POLICY Suspicious inbound to MSSQL port 1433");
    EXPECT_EQ(e.rule_ruleset, "Potentially Bad Traffic");
    EXPECT_EQ(e.severity, core::Severity::kMedium);
    EXPECT_EQ(e.action, core::Action::kAlert);
    EXPECT_EQ(e.category, core::Category::kIds);
    EXPECT_EQ(e.src_port, 51234);
    EXPECT_EQ(e.dst_ip.to_string(), "192.0.2.2");
    EXPECT_EQ(e.transport, core::Transport::kTcp);
}

TEST(SnortFast, YearlessStampTakesTheReferenceYear) {
    auto p =
        run("11/02-08:00:01.5  [**] [1:408:5] ICMP Echo Reply [**] [Priority: 3] {ICMP} "
            "192.0.2.1 -> 198.51.100.3");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(core::format_iso8601(p.event.time_ns), "2023-11-02T08:00:01.500Z");
    EXPECT_FALSE(p.event.has(core::Event::kSrcPort));
    EXPECT_EQ(p.event.transport, core::Transport::kIcmp);
}

TEST(SnortFast, IpsDropAndIpv6) {
    auto p =
        run("03/31/21-12:34:56.000001  [Drop] [**] [1:1:1] test [**] [Priority: 1] {TCP} "
            "2001:db8::1:4444 -> [2001:db8::2]:80");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.action, core::Action::kDrop);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::1");
    EXPECT_EQ(p.event.src_port, 4444);
    EXPECT_EQ(p.event.dst_ip.to_string(), "2001:db8::2");
    EXPECT_EQ(p.event.dst_port, 80);
}

TEST(SnortFast, SyslogForm) {
    auto p =
        run("<33>Mar 31 12:00:00 ids1 snort[1234]: [1:1000001:1] Local rule hit "
            "[Classification: Misc Attack] [Priority: 1]: <eth0> {UDP} 203.0.113.5:53 -> "
            "192.0.2.9:1024");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    EXPECT_EQ(p.event.rule_name, "Local rule hit");
    EXPECT_EQ(p.event.ingress_interface, "eth0");
    EXPECT_EQ(p.event.severity, core::Severity::kHigh);
    EXPECT_EQ(p.event.dst_port, 1024);
}

TEST(SnortFast, TruncatedLineIsAnError) {
    auto p =
        run("03/31/2021-12:34:56.123456  [**] [1:2010935:3] ET POLICY x [**] [Priority: 2] "
            "{TCP} 198.51.100.1:51234");
    ASSERT_FALSE(p.result);
    EXPECT_FALSE(p.result.error().field().empty());
    EXPECT_NE(p.result.error().offset(), core::Error::kNoOffset);
}

TEST(SnortFast, BadStamp) {
    auto p = run("13/31/2021-12:34:56  [**] [1:1:1] x [**] {TCP} 1.2.3.4:1 -> 5.6.7.8:2");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "timestamp");
}

}  // namespace
}  // namespace cyberalarm::parse
