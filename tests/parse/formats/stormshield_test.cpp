#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run_sns(std::string_view line) {
    return test::parse_with(formats::stormshield(), line);
}

TEST(Stormshield, FilterConnection) {
    auto p = run_sns(
        "id=firewall time=\"2024-05-01 10:00:00\" fw=\"SN210A0000001\" tz=+0200 "
        "startime=\"2024-05-01 09:59:58\" pri=5 confid=01 ruleid=7 rulename=\"web-out\" "
        "srcif=\"Ethernet1\" ipproto=tcp dstif=\"Ethernet0\" proto=https src=10.0.0.5 "
        "srcport=51000 srcname=laptop-alice dst=198.51.100.7 dstport=443 sent=1200 rcvd=5400 "
        "duration=2.50 action=pass logtype=\"connection\"");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.observer_serial, "SN210A0000001");
    EXPECT_EQ(e.rule_id, "7");
    EXPECT_EQ(e.rule_name, "web-out");
    EXPECT_EQ(e.ingress_interface, "Ethernet1");
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_bytes, 1200u);
    EXPECT_EQ(e.duration_ns, 2'500'000'000);
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-05-01T08:00:00.000Z");
    EXPECT_EQ(core::to_ecs_json(e).find("laptop-alice"), std::string::npos);
}

TEST(Stormshield, AlarmBlockIpv6) {
    auto p = run_sns(
        "id=firewall time=\"2024-05-01 10:00:00\" fw=\"SN1\" tz=+0000 startime=\"2024-05-01 "
        "10:00:00\" pri=1 srcif=\"Ethernet0\" ipproto=tcp src=2001:db8::66 srcport=4000 "
        "dst=2001:db8::1 dstport=22 action=block msg=\"Port scan\" class=protocol alarmid=28 "
        "logtype=\"alarm\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.rule_id, "28");
    EXPECT_EQ(p.event.rule_name, "Port scan");
    EXPECT_TRUE(p.event.src_ip.is_v6());
}

TEST(Stormshield, AuthFailureHashesUser) {
    auto p = run_sns(
        "id=firewall time=\"2024-05-01 10:00:00\" fw=\"SN1\" tz=+0200 startime=\"2024-05-01 "
        "10:00:00\" user=\"dave\" src=203.0.113.9 method=\"PASSWORD\" error=3 "
        "msg=\"Authentication Failed\" logtype=\"auth\"");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_FALSE(p.event.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(p.event).find("dave"), std::string::npos);
}

TEST(Stormshield, UnquotedTimeSystemIgnoredAndMalformed) {
    auto a = run_sns("id=firewall time=2024-05-01 10:00:00 fw=SN1 tz=+0100 "
                     "startime=2024-05-01 10:00:00 security=0 system=0 logtype=monitor");
    ASSERT_TRUE(a.result);
    EXPECT_EQ(*a.result, Disposition::kIgnored);
    EXPECT_EQ(core::format_iso8601(a.event.time_ns), "2024-05-01T09:00:00.000Z");
    auto b = run_sns("id=firewall time=\"2024");
    ASSERT_FALSE(b.result);
    EXPECT_EQ(b.result.error().field(), "fw");
    auto c = run_sns("fw=\"SN1\" logtype=\"filter\" src=10.0.0.1 srcport=999999 duration=1.");
    ASSERT_TRUE(c.result);
    EXPECT_FALSE(c.event.has(core::Event::kSrcPort));
}

}  // namespace
}  // namespace cyberalarm::parse
