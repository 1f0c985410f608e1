#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::clavister(), line);
}

TEST(Clavister, ConnOpenClassicForm) {
    auto p =
        run("<134>[2019-05-17 10:31:42] EFW: CONN: prio=1 id=00600001 rev=1 "
            "event=conn_open action=allow rule=LAN_to_WAN conn=open connipproto=TCP "
            "connrecvif=lan connsrcip=192.168.1.10 connsrcport=51234 conndestif=wan "
            "conndestip=203.0.113.5 conndestport=443");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 90);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2019-05-17T10:31:42.000Z");
    EXPECT_EQ(e.event_code, "00600001");
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.rule_name, "LAN_to_WAN");
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_port, 51234);
    EXPECT_EQ(e.dst_ip.to_string(), "203.0.113.5");
    EXPECT_EQ(e.ingress_interface, "lan");
    EXPECT_EQ(e.egress_interface, "wan");
}

TEST(Clavister, BracketedDropWithPacketFieldsAndAbbreviatedBytes) {
    auto p =
        run("id=6000051 event=ruleset_drop_packet action=drop [message=Packet dropped "
            "recvzone=\"z\" ][rules rule=Default_Drop ][ippacket ipproto=TCP "
            "srcip=2001:db8::9 destip=2001:db8::1 ][tcp srcport=5000 destport=22 ]");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.action, core::Action::kDrop);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::9");
    EXPECT_EQ(p.event.dst_port, 22);
    EXPECT_EQ(p.event.rule_name, "Default_Drop");
    auto c =
        run("<134>May 17 10:31:42 fw1 EFW: CONN: prio=1 id=00600002 rev=1 "
            "event=conn_close action=close connipproto=UDP connsrcip=10.0.0.1 "
            "connsrcport=5000 conndestip=10.0.0.2 conndestport=53 origsent=4.52 K "
            "termsent=75.0");
    ASSERT_TRUE(c.result) << c.result.error().to_string();
    EXPECT_EQ(c.event.src_bytes, 4520u);
    EXPECT_EQ(c.event.dst_bytes, 75u);
}

TEST(Clavister, UserauthIsAuthAndHashed) {
    auto p =
        run("<134>May 17 10:31:42 fw1 EFW: USERAUTH: prio=2 id=03700030 rev=1 "
            "event=bad_user_credentials action=disallow_login username=frank "
            "srcip=198.51.100.4");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.category, core::Category::kAuth);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    EXPECT_EQ(core::to_ecs_json(p.event).find("frank"), std::string::npos);
}

TEST(Clavister, SystemMessageIsIgnoredAndGarbageIsAnError) {
    auto p =
        run("id=1100002 event=route_exported_to_ospf_as [message=Route exported "
            "routezone=z ][rules rule=Export ]");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
    auto bad =
        run("<134>May 17 10:31:42 fw1 EFW: CONN: prio=1 id=1 event=conn_open "
            "connsrcip=10.0.0.300");
    ASSERT_FALSE(bad.result);
    EXPECT_EQ(bad.result.error().field(), "connsrcip");
    auto none = run("<134>May 17 10:31:42 fw1 EFW: CONN: prio=1");
    EXPECT_FALSE(none.result);
    EXPECT_EQ(run("id=foo").confidence, 0);
}

}  // namespace
}  // namespace cyberalarm::parse
