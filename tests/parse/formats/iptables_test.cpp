#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::iptables(), line);
}

TEST(Iptables, PlainLogTargetWithPrefix) {
    auto p = run("Nov  2 10:00:01 gw kernel: [ 9123.456789] FW DROP IN: IN=eth1 OUT= "
                 "MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=198.51.100.7 DST=192.0.2.10 "
                 "LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=4242 DF PROTO=TCP SPT=40000 DPT=22 "
                 "WINDOW=64240 RES=0x00 SYN URGP=0");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 50);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2023-11-02T10:00:01.000Z");
    EXPECT_EQ(e.observer_name, "gw");
    EXPECT_EQ(e.src_ip.to_string(), "198.51.100.7");
    EXPECT_EQ(e.dst_ip.to_string(), "192.0.2.10");
    EXPECT_EQ(e.src_port, 40000);
    EXPECT_EQ(e.dst_port, 22);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.action, core::Action::kDrop);
    EXPECT_EQ(e.rule_name, "FW DROP IN");
    EXPECT_EQ(e.ingress_interface, "eth1");
    EXPECT_TRUE(e.egress_interface.empty());
    EXPECT_EQ(e.src_bytes, 60u);
    EXPECT_TRUE(e.has(core::Event::kSrcBytes));
}

TEST(Iptables, UfwBlockIsDeny) {
    auto p = run("Nov  2 10:00:02 host kernel: [UFW BLOCK] IN=ens3 OUT= MAC=aa:bb "
                 "SRC=203.0.113.9 DST=192.0.2.1 LEN=40 TTL=240 ID=1 PROTO=UDP SPT=53 DPT=1900 "
                 "LEN=20");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kDeny);
    EXPECT_EQ(p.event.observer_product, "UFW");
    EXPECT_EQ(p.event.transport, core::Transport::kUdp);
    EXPECT_EQ(p.event.src_bytes, 40u);  // the IP length, not the later UDP length
}

TEST(Iptables, UbiquitiPrefixGivesRuleSetNumberAndVerdict) {
    auto p = run("<4>Nov  2 10:00:03 edge kernel: [WAN_IN-10-R]IN=eth0 OUT=eth1 "
                 "SRC=198.51.100.1 DST=192.0.2.5 LEN=52 PROTO=TCP SPT=1 DPT=3389");
    ASSERT_TRUE(p.result);
    EXPECT_GE(p.confidence, 70);
    EXPECT_EQ(p.event.rule_name, "WAN_IN");
    EXPECT_EQ(p.event.rule_id, "10");
    EXPECT_EQ(p.event.action, core::Action::kReject);
    EXPECT_EQ(p.event.observer_vendor, "Ubiquiti");
    EXPECT_EQ(p.event.egress_interface, "eth1");

    auto zone = run("Nov  2 10:00:03 edge kernel: [lan-wan-default-A]IN=eth1 OUT=eth0 "
                    "SRC=192.0.2.5 DST=198.51.100.1 LEN=52 PROTO=TCP SPT=1 DPT=443");
    ASSERT_TRUE(zone.result);
    EXPECT_EQ(zone.event.rule_name, "lan-wan");
    EXPECT_EQ(zone.event.rule_id, "default");
    EXPECT_EQ(zone.event.action, core::Action::kAllow);
}

TEST(Iptables, IcmpErrorQuotedPacketDoesNotOverwrite) {
    auto p = run("Nov  2 10:00:04 fw REJECT: IN=eth0 OUT= SRC=192.0.2.1 DST=198.51.100.2 "
                 "LEN=88 PROTO=ICMP TYPE=3 CODE=3 [SRC=198.51.100.2 DST=203.0.113.3 LEN=60 "
                 "PROTO=UDP SPT=1111 DPT=2222 LEN=40 ]");
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.src_ip.to_string(), "192.0.2.1");
    EXPECT_EQ(e.dst_ip.to_string(), "198.51.100.2");
    EXPECT_EQ(e.transport, core::Transport::kIcmp);
    EXPECT_EQ(e.icmp_type, 3);
    EXPECT_EQ(e.icmp_code, 3);
    EXPECT_FALSE(e.has(core::Event::kSrcPort));
    EXPECT_FALSE(e.has(core::Event::kDstPort));
    EXPECT_EQ(e.src_bytes, 88u);
    EXPECT_EQ(e.action, core::Action::kReject);
}

TEST(Iptables, Ipv6Icmpv6) {
    auto p = run("Nov  2 10:00:05 h kernel: [  12.5] IN= OUT=eth0 SRC=2001:db8::1 "
                 "DST=ff02::16 LEN=96 TC=0 HOPLIMIT=1 FLOWLBL=0 PROTO=ICMPv6 TYPE=143 CODE=0");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::1");
    EXPECT_EQ(p.event.transport, core::Transport::kIcmpv6);
    EXPECT_EQ(p.event.icmp_type, 143);
    EXPECT_EQ(p.event.egress_interface, "eth0");
    EXPECT_EQ(p.event.action, core::Action::kUnknown);
}

TEST(Iptables, ProxmoxFirewallLine) {
    auto p = run("100 2 tap100i0-IN 14/Nov/2023:09:30:00 +0100 policy DROP: IN=fwbr100i0 "
                 "OUT=fwbr100i0 PHYSIN=fwln100i0 PHYSOUT=tap100i0 SRC=198.51.100.4 "
                 "DST=192.0.2.100 LEN=60 PROTO=TCP SPT=5555 DPT=22 SYN");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2023-11-14T08:30:00.000Z");
    EXPECT_EQ(e.action, core::Action::kDrop);
    EXPECT_EQ(e.rule_ruleset, "tap100i0-IN");
    EXPECT_EQ(e.observer_vendor, "Proxmox");
    EXPECT_EQ(e.ingress_interface, "fwbr100i0");
    EXPECT_EQ(e.dst_port, 22);
}

TEST(Iptables, ProxmoxRejectWordAndBadZone) {
    auto p = run("0 1 PVEFW-HOST-IN 14/Nov/2023:09:30:00 +0000 PVEFW-reject: IN=vmbr0 "
                 "SRC=2001:db8::a DST=2001:db8::b LEN=40 PROTO=TCP SPT=1 DPT=8006");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kReject);
    auto bad = run("0 1 PVEFW-HOST-IN 14/Nov/2023:09:30:00 +99 DROP: IN=vmbr0 SRC=192.0.2.1 "
                   "DST=192.0.2.2 PROTO=UDP SPT=1 DPT=2");
    ASSERT_FALSE(bad.result);
    EXPECT_EQ(bad.result.error().field(), "time");
}

TEST(Iptables, FragmentWithoutAddressesKeepsPorts) {
    auto p = run("Nov  2 10:00:06 gw user.info kernel: TTL=64 ID=1 DF PROTO=TCP SPT=5000 "
                 "DPT=443 WINDOW=10 RES=0x00 ACK URGP=0");
    ASSERT_TRUE(p.result);
    EXPECT_GT(p.confidence, 0);
    EXPECT_EQ(p.event.dst_port, 443);
    EXPECT_FALSE(p.event.src_ip.is_set());
}

TEST(Iptables, MalformedAndTruncatedLinesAreErrors) {
    auto bad_ip = run("Nov  2 10:00:07 gw kernel: IN=eth0 OUT= SRC=198.51.100.300 "
                      "DST=192.0.2.1 PROTO=TCP SPT=1 DPT=2");
    ASSERT_FALSE(bad_ip.result);
    EXPECT_EQ(bad_ip.result.error().field(), "SRC");
    EXPECT_NE(bad_ip.result.error().offset(), core::Error::kNoOffset);

    auto bad_port = run("Nov  2 10:00:07 gw kernel: IN=eth0 OUT= SRC=198.51.100.3 "
                        "DST=192.0.2.1 PROTO=TCP SPT=99999 DPT=2");
    ASSERT_FALSE(bad_port.result);
    EXPECT_EQ(bad_port.result.error().field(), "SPT");

    auto cut = run("Nov  2 10:00:07 gw kernel: IN=eth0 OUT= MAC=00:11");
    ASSERT_FALSE(cut.result);
    EXPECT_EQ(cut.result.error().field(), "SRC");

    auto cut_port = run("Nov  2 10:00:07 gw kernel: IN=eth0 OUT= SRC=198.51.100.3 "
                        "DST=192.0.2.1 PROTO=TCP SPT=");
    EXPECT_FALSE(cut_port.result);

    auto other = run("Nov  2 10:00:07 gw sshd[1]: Accepted password for root");
    EXPECT_EQ(other.confidence, 0);
    EXPECT_FALSE(other.result);
}

TEST(Iptables, NothingButMetadataInJson) {
    auto p = run("Nov  2 10:00:08 gw kernel: ssh-bruteforce DROP IN=eth0 OUT= "
                 "MAC=de:ad:be:ef:00:01:02:03:04:05:06:07:08:00 SRC=198.51.100.7 "
                 "DST=192.0.2.10 LEN=60 PROTO=TCP SPT=4 DPT=22");
    ASSERT_TRUE(p.result);
    std::string json = core::to_ecs_json(p.event);
    EXPECT_EQ(json.find("de:ad:be:ef"), std::string::npos);  // MAC addresses are not kept
    EXPECT_NE(json.find("198.51.100.7"), std::string::npos);
}

// Totality: every truncation of a valid line gives an Event, kIgnored or an Error.
TEST(Iptables, EveryTruncationIsHandled) {
    const std::string_view kLines[] = {
        "Nov  2 10:00:04 fw kernel: [ 1.5] [wan-lan-5-D]IN=eth0 OUT= SRC=192.0.2.1 DST=198.51.100"
        ".2 LEN=88 PROTO=ICMP TYPE=3 CODE=3 [SRC=198.51.100.2 DST=203.0.113.3 LEN=60 PROTO=UDP SP"
        "T=1111 DPT=2222 LEN=40 ]",
        "100 2 tap100i0-IN 14/Nov/2023:09:30:00 +0100 policy DROP: IN=fwbr100i0 SRC=2001:db8::1 D"
        "ST=2001:db8::2 LEN=60 PROTO=TCP SPT=5555 DPT=22 SYN"};
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
