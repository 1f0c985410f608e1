#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::openbsd_pf(), line);
}

TEST(OpenbsdPf, TcpBlockInViaSyslogWithTcpdumpStamp) {
    auto p = run("Nov  5 10:00:01 obsd pf: Nov 05 10:00:00.250000 rule 4/(match) block in on "
                 "em0: 198.51.100.3.51000 > 192.0.2.7.22: S 100:100(0) win 16384 <mss 1460> (DF)");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2023-11-05T10:00:00.000Z");
    EXPECT_EQ(e.rule_id, "4");
    EXPECT_EQ(e.action, core::Action::kDeny);
    EXPECT_EQ(e.ingress_interface, "em0");
    EXPECT_EQ(e.src_ip.to_string(), "198.51.100.3");
    EXPECT_EQ(e.src_port, 51000);
    EXPECT_EQ(e.dst_port, 22);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.observer_product, "pf");
}

TEST(OpenbsdPf, Ipv6UdpPassOutWithAnchorAndUid) {
    auto p = run("rule 2.my-anchor.1/(match) [uid 0, pid 77] pass out on em1: "
                 "2001:db8::5.5353 > 2001:db8::53.53: 1234+ A? secret-host.example. (40)");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    const auto& e = p.event;
    EXPECT_EQ(e.rule_id, "2");
    EXPECT_EQ(e.rule_ruleset, "my-anchor");
    EXPECT_EQ(e.action, core::Action::kAllow);
    EXPECT_EQ(e.egress_interface, "em1");
    EXPECT_EQ(e.src_ip.to_string(), "2001:db8::5");
    EXPECT_EQ(e.dst_port, 53);
    EXPECT_EQ(e.transport, core::Transport::kUdp);
    EXPECT_EQ(core::to_ecs_json(e).find("secret-host"), std::string::npos);
}

TEST(OpenbsdPf, IcmpAndFreeBsdVerbose) {
    auto icmp = run("rule 0/(match) block in on vio0: 198.51.100.1 > 192.0.2.1: icmp: echo "
                    "request");
    ASSERT_TRUE(icmp.result) << icmp.result.error().to_string();
    EXPECT_EQ(icmp.event.transport, core::Transport::kIcmp);
    EXPECT_EQ(icmp.event.icmp_type, 8);
    EXPECT_FALSE(icmp.event.has(core::Event::kSrcPort));

    auto fbsd = run("rule 3/0(match): block in on em0: (tos 0x0, ttl 64, id 1, offset 0, flags "
                    "[DF], proto TCP (6), length 60) 198.51.100.2.4000 > 192.0.2.2.443: Flags "
                    "[S], seq 1, win 65535, length 0");
    ASSERT_TRUE(fbsd.result) << fbsd.result.error().to_string();
    EXPECT_EQ(fbsd.event.transport, core::Transport::kTcp);
    EXPECT_EQ(fbsd.event.bytes, 60u);
    EXPECT_EQ(fbsd.event.dst_port, 443);
    EXPECT_EQ(fbsd.event.rule_id, "3");
}

TEST(OpenbsdPf, MalformedAndTruncated) {
    auto no_iface = run("rule 1/(match) block in em0: 198.51.100.1.1 > 192.0.2.1.2: S");
    ASSERT_FALSE(no_iface.result);
    EXPECT_EQ(no_iface.result.error().field(), "interface");

    auto cut = run("rule 1/(match) block in on em0: 198.51.100.1.1");
    ASSERT_FALSE(cut.result);
    EXPECT_EQ(cut.result.error().field(), "source.ip");

    auto bad = run("rule 1/(match) block in on em0: 198.51.100.999.1 > 192.0.2.1.2: S");
    ASSERT_FALSE(bad.result);
    EXPECT_NE(bad.result.error().offset(), core::Error::kNoOffset);

    EXPECT_EQ(run("Nov  5 10:00:01 h kernel: nothing to see").confidence, 0);
}

// Totality: every truncation of a valid line gives an Event, kIgnored or an Error.
TEST(OpenbsdPf, EveryTruncationIsHandled) {
    const std::string_view kLines[] = {
        "Nov  5 10:00:01 obsd pf: Nov 05 10:00:00.250000 rule 2.a.1/(match) [uid 0, pid 1] block "
        "in on em0: 2001:db8::3.51000 > 2001:db8::7.22: S 100:100(0) win 16384",
        "rule 3/0(match): block in on em0: (tos 0x0, ttl 64, proto TCP (6), length 60) 198.51.100"
        ".2.4000 > 192.0.2.2.443: Flags [S]"};
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
