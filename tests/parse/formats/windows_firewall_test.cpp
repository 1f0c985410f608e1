#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::windows_firewall(), line);
}

TEST(WindowsFirewall, W3cDrop) {
    auto p =
        run("2019-05-01 12:00:00 DROP TCP 203.0.113.1 192.0.2.2 5000 445 52 S 12345 0 8192 "
            "- - - RECEIVE");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kDrop);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_ip.to_string(), "203.0.113.1");
    EXPECT_EQ(e.dst_port, 445);
    EXPECT_EQ(e.bytes, 52u);
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2019-05-01T12:00:00.000Z");
}

TEST(WindowsFirewall, W3cIcmpv6AllowWithPid) {
    auto p = run("2019-05-01 12:00:01 ALLOW ICMP fe80::1 ff02::1 - - 0 - - - - 135 0 - SEND 4");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.action, core::Action::kAllow);
    EXPECT_TRUE(p.event.src_ip.is_v6());
    EXPECT_EQ(p.event.icmp_type, 135);
    EXPECT_FALSE(p.event.has(core::Event::kSrcPort));
}

TEST(WindowsFirewall, HeaderLinesAreIgnored) {
    auto p =
        run("#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags "
            "tcpsyn tcpack tcpwin icmptype icmpcode info path");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
    EXPECT_GE(p.confidence, 80);
}

TEST(WindowsFirewall, WfpInboundConnectionIsSwappedToTheInitiator) {
    auto p = run(
        R"({"EventTime":"2024-08-05 11:38:06","Hostname":"PC-ALICE","EventID":5156,)"
        R"("Message":"The Windows Filtering Platform has permitted a connection.",)"
        R"("Application":"\\device\\harddiskvolume1\\users\\alice\\app.exe",)"
        R"("Direction":"%%14592","SourceAddress":"192.0.2.10","SourcePort":"3389",)"
        R"("DestAddress":"203.0.113.50","DestPort":"51000","Protocol":"6","FilterRTID":"70000"})");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.event_code, "5156");
    EXPECT_EQ(e.src_ip.to_string(), "203.0.113.50");
    EXPECT_EQ(e.src_port, 51000);
    EXPECT_EQ(e.dst_ip.to_string(), "192.0.2.10");
    EXPECT_EQ(e.dst_port, 3389);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.rule_id, "70000");
    std::string json = core::to_ecs_json(e);
    EXPECT_EQ(json.find("alice"), std::string::npos);
    EXPECT_EQ(json.find("ALICE"), std::string::npos);
}

TEST(WindowsFirewall, WfpBlockedOutboundWinlogbeat) {
    auto p = run(
        R"({"@timestamp":"2024-01-01T00:00:00.000Z","winlog":{"event_id":5157,)"
        R"("event_data":{"Direction":"%%14593","SourceAddress":"10.1.1.1","SourcePort":"50000",)"
        R"("DestAddress":"198.51.100.1","DestPort":"25","Protocol":"6"}},"message":)"
        R"("The Windows Filtering Platform has blocked a connection."})");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.src_ip.to_string(), "10.1.1.1");
    EXPECT_EQ(p.event.dst_port, 25);
}

TEST(WindowsFirewall, MalformedLines) {
    auto shortp = run("2019-05-01 12:00:00 DROP TCP 203.0.113.1");
    ASSERT_FALSE(shortp.result);
    EXPECT_NE(shortp.result.error().offset(), core::Error::kNoOffset);
    auto bad =
        run("2019-05-01 12:00:00 DROP TCP 203.0.113.999 192.0.2.2 1 2 3 - - - - - - - RECEIVE");
    ASSERT_FALSE(bad.result);
    EXPECT_EQ(bad.result.error().field(), "src-ip");
    auto json = run(R"({"EventID":5156,"SourceAddress":"10.0.0.1","DestAddr)");
    ASSERT_FALSE(json.result);
}

}  // namespace
}  // namespace cyberalarm::parse
