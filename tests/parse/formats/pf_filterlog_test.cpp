#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::pf_filterlog(), line);
}

TEST(PfFilterlog, PfSenseTcpBlockIn) {
    auto p = run("<134>Nov  3 08:00:00 fw1 filterlog[4242]: 5,,,1000000103,igb0,match,block,in,"
                 "4,0x0,,241,54321,0,none,6,tcp,44,198.51.100.20,192.0.2.8,51515,3389,0,S,"
                 "1234567,,1024,,mss");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 90);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2023-11-03T08:00:00.000Z");
    EXPECT_EQ(e.rule_id, "5");
    EXPECT_EQ(e.rule_name, "1000000103");
    EXPECT_EQ(e.ingress_interface, "igb0");
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_ip.to_string(), "198.51.100.20");
    EXPECT_EQ(e.dst_port, 3389);
    EXPECT_EQ(e.bytes, 44u);
    EXPECT_EQ(e.observer_vendor, "Netgate");
    EXPECT_EQ(e.observer_name, "fw1");
}

TEST(PfFilterlog, OpnsenseUdpPassOutIpv6) {
    auto p = run("<134>1 2023-11-03T08:00:00+01:00 opn filterlog 123 - [meta sequenceId=\"9\"] "
                 "77,,,0123456789abcdef0123456789abcdef,em1,match,pass,out,6,0x00,0x12345,64,"
                 "udp,17,60,2001:db8::5,2001:db8:1::53,40000,53,60");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2023-11-03T07:00:00.000Z");
    EXPECT_EQ(e.egress_interface, "em1");
    EXPECT_TRUE(e.ingress_interface.empty());
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.transport, core::Transport::kUdp);
    EXPECT_EQ(e.dst_ip.to_string(), "2001:db8:1::53");
    EXPECT_EQ(e.dst_port, 53);
    EXPECT_EQ(e.observer_product, "OPNsense");
}

TEST(PfFilterlog, IcmpAndCarpAndAnchor) {
    auto icmp = run("9,,,1000000001,em0,match,block,in,4,0x0,,50,1,0,none,1,icmp,84,"
                    "198.51.100.1,192.0.2.1,request,77,1");
    ASSERT_TRUE(icmp.result) << icmp.result.error().to_string();
    EXPECT_GE(icmp.confidence, 80);  // a bare record, without syslog header
    EXPECT_EQ(icmp.event.transport, core::Transport::kIcmp);
    EXPECT_EQ(icmp.event.icmp_type, 8);
    EXPECT_FALSE(icmp.event.has(core::Event::kDstPort));

    auto carp = run("Nov  3 08:00:00 fw filterlog: 60,,,1000000202,em2,match,pass,in,4,0xe0,,"
                    "255,0,0,DF,112,carp,56,192.0.2.2,224.0.0.18,advertise,255,1,2,0,1");
    ASSERT_TRUE(carp.result);
    EXPECT_EQ(carp.event.ip_protocol, 112);

    auto anchor = run("Nov  3 08:00:00 fw filterlog: 12,3,myanchor,lbl,em0,match,pass,in,4,0x0,,"
                      "64,1,0,DF,17,udp,40,192.0.2.3,192.0.2.4,1,2,20");
    ASSERT_TRUE(anchor.result);
    EXPECT_EQ(anchor.event.rule_ruleset, "myanchor");
}

TEST(PfFilterlog, MalformedAndTruncated) {
    auto cut = run("Nov  3 08:00:00 fw filterlog: 5,,,100,em0,match,block,in,4,0x0,,64,1,0,"
                   "none,6,tcp,44,198.51.100.20");
    ASSERT_FALSE(cut.result);
    EXPECT_EQ(cut.result.error().field(), "source.ip");

    auto bad_port = run("Nov  3 08:00:00 fw filterlog: 5,,,100,em0,match,block,in,4,0x0,,64,1,0,"
                        "none,6,tcp,44,198.51.100.20,192.0.2.1,70000,22,0");
    ASSERT_FALSE(bad_port.result);
    EXPECT_EQ(bad_port.result.error().field(), "source.port");
    EXPECT_NE(bad_port.result.error().offset(), core::Error::kNoOffset);

    auto version = run("Nov  3 08:00:00 fw filterlog: 5,,,100,em0,match,block,in,9,x");
    ASSERT_FALSE(version.result);
    EXPECT_EQ(version.result.error().field(), "ip_version");

    EXPECT_EQ(run("Nov  3 08:00:00 fw sshd[1]: 1,2,3").confidence, 0);
}

TEST(PfFilterlog, CompanionLines) {
    auto dhcp = run("<190>Nov  3 08:00:00 fw dhcpd[1]: DHCPACK on 192.0.2.50 to "
                    "00:11:22:33:44:55 via em1");
    ASSERT_TRUE(dhcp.result);
    EXPECT_EQ(*dhcp.result, Disposition::kIgnored);
    EXPECT_LT(dhcp.confidence, 30);

    auto dns = run("<30>Nov  3 08:00:00 fw unbound[2]: [2:0] info: 192.0.2.60 "
                   "private-name.example. A IN");
    ASSERT_TRUE(dns.result);
    EXPECT_EQ(*dns.result, Disposition::kEvent);
    EXPECT_EQ(dns.event.src_ip.to_string(), "192.0.2.60");
    std::string json = core::to_ecs_json(dns.event);
    EXPECT_EQ(json.find("private-name"), std::string::npos);  // the query name is dropped
}

// Totality: every truncation of a valid line gives an Event, kIgnored or an Error.
TEST(PfFilterlog, EveryTruncationIsHandled) {
    const std::string_view kLines[] = {
        "<134>1 2023-11-03T08:00:00+01:00 opn filterlog 123 - - 77,,,abc,em1,match,pass,out,6,0x0"
        "0,0x12345,64,udp,17,60,2001:db8::5,2001:db8:1::53,40000,53,60",
        "9,,,1,em0,match,block,in,4,0x0,,50,1,0,none,1,icmp,84,198.51.100.1,192.0.2.1,request,77,"
        "1"};
    for (std::string_view line : kLines) {
        for (std::size_t n = 0; n <= line.size(); ++n) {
            std::string cut(line.substr(0, n));
            auto p = run(cut);
            if (p.result) {
                EXPECT_TRUE(*p.result == Disposition::kEvent || *p.result == Disposition::kIgnored);
            }
        }
    }
}

}  // namespace
}  // namespace cyberalarm::parse
