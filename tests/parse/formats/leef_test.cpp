#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::leef(), line);
}

TEST(Leef, Version1Tabs) {
    auto p =
        run("<13>Mar 31 12:00:00 fw LEEF:1.0|Acme|Gateway|3.2|TrafficDeny|"
            "src=203.0.113.4\tdst=192.0.2.5\tsrcPort=4000\tdstPort=445\tproto=6\t"
            "action=deny\tsev=7\tcat=Firewall\tpolicy=Block SMB\tsrcBytes=120\t"
            "devTime=Mar 31 2024 12:00:01\tdevTimeFormat=MMM dd yyyy HH:mm:ss");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.confidence, 50);
    const auto& e = p.event;
    EXPECT_EQ(e.observer_vendor, "Acme");
    EXPECT_EQ(e.event_code, "TrafficDeny");
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.dst_port, 445);
    EXPECT_EQ(e.rule_name, "Block SMB");
    EXPECT_EQ(e.src_bytes, 120u);
    EXPECT_EQ(e.severity, core::Severity::kHigh);
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-03-31T12:00:01.000Z");
}

TEST(Leef, Version2CustomDelimiterAndUser) {
    auto p =
        run("LEEF:2.0|Acme|VPN|1.0|LoginFailed|^|src=2001:db8::7^usrName=carol^"
            "cat=Authentication Failure^dst=192.0.2.1^dstPort=443");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.category, core::Category::kAuth);
    EXPECT_EQ(e.outcome, core::Outcome::kFailure);
    EXPECT_TRUE(e.src_ip.is_v6());
    EXPECT_FALSE(e.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(e).find("carol"), std::string::npos);
}

TEST(Leef, HexDelimiter) {
    auto p = run("LEEF:2.0|Acme|IPS|1.0|Sig42|x7C|src=192.0.2.1|dst=192.0.2.2|cat=Intrusion");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.action, core::Action::kAlert);
    EXPECT_EQ(p.event.dst_ip.to_string(), "192.0.2.2");
}

TEST(Leef, MalformedLines) {
    auto shortp = run("LEEF:1.0|Acme|Gateway");
    ASSERT_FALSE(shortp.result);
    EXPECT_EQ(shortp.result.error().field(), "header");
    auto bad = run("LEEF:1.0|A|B|1|E|src=1.2.3\tdst=192.0.2.1");
    ASSERT_FALSE(bad.result);
    EXPECT_EQ(bad.result.error().field(), "src");
    auto delim = run("LEEF:2.0|A|B|1|E|xZZ|src=192.0.2.1");
    ASSERT_FALSE(delim.result);
    EXPECT_EQ(delim.result.error().field(), "delimiter");
}

}  // namespace
}  // namespace cyberalarm::parse
