// SYN scanning's packet layer with hand-made packets: header building, checksums, the
// keyed sequence check, and the reply parsers on truncated, corrupt and wrong answers.
#include <gtest/gtest.h>

#include <vector>

#include "scan/internal/raw_tcp.h"

namespace cyberalarm::scan::internal {
namespace {

core::IpAddress ip(const char* s) { return *core::IpAddress::parse(s); }

constexpr std::array<std::uint8_t, 16> kKey = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// A reply segment from `from`:sport to `to`:dport with flags, seq, ack, and a correct
// checksum unless `good_checksum` is false.
std::vector<std::uint8_t> segment(const core::IpAddress& from, std::uint16_t sport,
                                  const core::IpAddress& to, std::uint16_t dport,
                                  std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                                  bool good_checksum = true) {
    std::vector<std::uint8_t> s(20, 0);
    s[0] = sport >> 8;
    s[1] = sport & 0xff;
    s[2] = dport >> 8;
    s[3] = dport & 0xff;
    for (int i = 0; i < 4; ++i) {
        s[4 + i] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
        s[8 + i] = static_cast<std::uint8_t>(ack >> (24 - 8 * i));
    }
    s[12] = 5 << 4;
    s[13] = flags;
    s[14] = 0xff;
    std::uint16_t c = tcp_checksum(from, to, s);
    if (!good_checksum) {
        c ^= 0x0101;
    }
    s[16] = c >> 8;
    s[17] = c & 0xff;
    return s;
}

// An IPv4 datagram around `seg` with a correct header checksum.
std::vector<std::uint8_t> ipv4(const core::IpAddress& from, const core::IpAddress& to,
                               const std::vector<std::uint8_t>& seg) {
    std::vector<std::uint8_t> d(20, 0);
    d[0] = 0x45;
    std::size_t total = 20 + seg.size();
    d[2] = static_cast<std::uint8_t>(total >> 8);
    d[3] = static_cast<std::uint8_t>(total);
    d[6] = 0x40;  // don't fragment
    d[8] = 64;
    d[9] = 6;
    for (int i = 0; i < 4; ++i) {
        d[12 + i] = from.bytes()[12 + i];
        d[16 + i] = to.bytes()[12 + i];
    }
    std::uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) {
        sum += static_cast<std::uint32_t>(d[i] << 8 | d[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    d[10] = static_cast<std::uint8_t>(~sum >> 8);
    d[11] = static_cast<std::uint8_t>(~sum);
    d.insert(d.end(), seg.begin(), seg.end());
    return d;
}

TEST(SynPacket, SynHeaderFieldsAndChecksum) {
    auto src = ip("192.0.2.1");
    auto dst = ip("198.51.100.7");
    auto syn = build_syn(src, 40000, dst, 443, 0x01020304);
    EXPECT_EQ(syn[0] << 8 | syn[1], 40000);
    EXPECT_EQ(syn[2] << 8 | syn[3], 443);
    EXPECT_EQ(syn[4], 1);
    EXPECT_EQ(syn[7], 4);
    EXPECT_EQ(syn[12] >> 4, 6);  // 24 bytes: header and the MSS option
    EXPECT_EQ(syn[13], 0x02);    // SYN only
    EXPECT_EQ(tcp_checksum(src, dst, syn), 0);
    // The pseudo-header counts: the same bytes do not sum to zero for another destination.
    EXPECT_NE(tcp_checksum(src, ip("198.51.100.8"), syn), 0);
}

TEST(SynPacket, ChecksumMatchesAWorkedExample) {
    // RFC 1071-style sum over a known SYN (10.0.0.1:1234 → 10.0.0.2:80, seq 1, no options),
    // computed by hand: pseudo-header 0a00+0001+0a00+0002+0006+0014 = 0x141d, header
    // 04d2+0050+0000+0001+0000+0000+5002+0400 = 0x5925, sum 0x6d42, checksum 0x92bd.
    std::vector<std::uint8_t> s = {0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
                                   0x50, 0x02, 0x04, 0x00, 0, 0, 0, 0};
    EXPECT_EQ(tcp_checksum(ip("10.0.0.1"), ip("10.0.0.2"), s), 0x92bd);
}

TEST(SynPacket, Ipv6ChecksumUsesSixteenByteAddresses) {
    auto src = ip("2001:db8::1");
    auto dst = ip("2001:db8::2");
    auto syn = build_syn(src, 50000, dst, 22, 7);
    EXPECT_EQ(tcp_checksum(src, dst, syn), 0);
    EXPECT_NE(tcp_checksum(ip("2001:db8::3"), dst, syn), 0);
}

TEST(SynPacket, ParsesSynAckAndRstFromIpv4) {
    auto us = ip("127.0.0.1");
    auto them = ip("127.0.0.2");
    auto r = parse_ipv4_reply(ipv4(them, us, segment(them, 80, us, 40000, 0x12, 99, 1001)),
                              ChecksumCheck::kVerify);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->kind, ReplyKind::kSynAck);
    EXPECT_EQ(r->src, them);
    EXPECT_EQ(r->dst, us);
    EXPECT_EQ(r->sport, 80);
    EXPECT_EQ(r->dport, 40000);
    EXPECT_EQ(r->ack, 1001u);
    auto rst = parse_ipv4_reply(ipv4(them, us, segment(them, 81, us, 40000, 0x14, 0, 1001)),
                                ChecksumCheck::kVerify);
    ASSERT_TRUE(rst.has_value());
    EXPECT_EQ(rst->kind, ReplyKind::kRst);
    auto syn_only = parse_ipv4_reply(ipv4(them, us, segment(them, 81, us, 40000, 0x02, 0, 0)),
                                     ChecksumCheck::kVerify);
    ASSERT_TRUE(syn_only.has_value());
    EXPECT_EQ(syn_only->kind, ReplyKind::kOther);  // our own SYN seen on loopback
}

TEST(SynPacket, RejectsTruncatedPackets) {
    auto us = ip("127.0.0.1");
    auto them = ip("127.0.0.2");
    auto whole = ipv4(them, us, segment(them, 80, us, 40000, 0x12, 1, 2));
    for (std::size_t n = 0; n < whole.size(); ++n) {
        std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + static_cast<long>(n));
        EXPECT_FALSE(parse_ipv4_reply(cut, ChecksumCheck::kSkip).has_value()) << n << " bytes";
    }
    // Total length claiming more than arrived, and a TCP data offset past the segment.
    auto longer = whole;
    longer[3] += 4;
    EXPECT_FALSE(parse_ipv4_reply(longer, ChecksumCheck::kSkip).has_value());
    auto offset = whole;
    offset[20 + 12] = 0xf0;
    EXPECT_FALSE(parse_ipv4_reply(offset, ChecksumCheck::kSkip).has_value());
    auto seg = segment(them, 80, us, 40000, 0x12, 1, 2);
    seg.resize(19);
    EXPECT_FALSE(parse_tcp_segment(them, us, seg, ChecksumCheck::kSkip).has_value());
}

TEST(SynPacket, RejectsWrongChecksumsWhenVerifying) {
    auto us = ip("192.0.2.1");
    auto them = ip("192.0.2.9");
    auto bad_tcp = ipv4(them, us, segment(them, 80, us, 40000, 0x12, 1, 2, false));
    auto r = parse_ipv4_reply(bad_tcp, ChecksumCheck::kVerify);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), core::ErrorCode::kCorrupt);
    EXPECT_TRUE(parse_ipv4_reply(bad_tcp, ChecksumCheck::kSkip).has_value());
    auto bad_ip = ipv4(them, us, segment(them, 80, us, 40000, 0x12, 1, 2));
    bad_ip[10] ^= 0xff;
    EXPECT_FALSE(parse_ipv4_reply(bad_ip, ChecksumCheck::kVerify).has_value());
    auto v6us = ip("2001:db8::1");
    auto v6them = ip("2001:db8::2");
    EXPECT_FALSE(parse_tcp_segment(v6them, v6us, segment(v6them, 80, v6us, 40000, 0x12, 1, 2, false),
                                   ChecksumCheck::kVerify)
                     .has_value());
    EXPECT_TRUE(parse_tcp_segment(v6them, v6us, segment(v6them, 80, v6us, 40000, 0x12, 1, 2),
                                  ChecksumCheck::kVerify)
                    .has_value());
}

TEST(SynPacket, RejectsFragmentsAndOtherProtocols) {
    auto us = ip("127.0.0.1");
    auto them = ip("127.0.0.2");
    auto frag = ipv4(them, us, segment(them, 80, us, 40000, 0x12, 1, 2));
    frag[6] = 0x20;  // more fragments (header checksum not checked here)
    EXPECT_EQ(parse_ipv4_reply(frag, ChecksumCheck::kSkip).error().code(), core::ErrorCode::kUnsupported);
    auto udp = ipv4(them, us, segment(them, 80, us, 40000, 0x12, 1, 2));
    udp[9] = 17;
    EXPECT_EQ(parse_ipv4_reply(udp, ChecksumCheck::kSkip).error().code(), core::ErrorCode::kUnsupported);
    auto v6 = ipv4(them, us, segment(them, 80, us, 40000, 0x12, 1, 2));
    v6[0] = 0x65;
    EXPECT_FALSE(parse_ipv4_reply(v6, ChecksumCheck::kSkip).has_value());
}

TEST(SynCookie, AcceptsOnlyTheAcknowledgedSequence) {
    auto cookie = SynCookie::with_key(kKey);
    ASSERT_TRUE(cookie.has_value());
    auto us = ip("127.0.0.1");
    auto them = ip("127.0.0.2");
    std::uint32_t seq = cookie->sequence(them, 80, 40000);
    EXPECT_EQ(seq, cookie->sequence(them, 80, 40000));  // stateless: same inputs, same value
    EXPECT_NE(seq, cookie->sequence(them, 81, 40000));
    EXPECT_NE(seq, cookie->sequence(ip("127.0.0.3"), 80, 40000));
    EXPECT_NE(seq, cookie->sequence(them, 80, 40001));
    auto reply = [&](std::uint8_t flags, std::uint32_t ack, std::uint16_t sport = 80) {
        return *parse_tcp_segment(them, us, segment(them, sport, us, 40000, flags, 5, ack),
                                  ChecksumCheck::kVerify);
    };
    EXPECT_TRUE(cookie->answers(reply(0x12, seq + 1)));   // SYN-ACK
    EXPECT_TRUE(cookie->answers(reply(0x14, seq + 1)));   // RST-ACK
    EXPECT_FALSE(cookie->answers(reply(0x12, seq)));      // wrong ack number
    EXPECT_FALSE(cookie->answers(reply(0x12, seq + 2)));
    EXPECT_FALSE(cookie->answers(reply(0x04, seq + 1)));  // RST without ACK
    EXPECT_FALSE(cookie->answers(reply(0x12, seq + 1, 81)));  // another port's answer
    EXPECT_FALSE(cookie->answers(reply(0x10, seq + 1)));  // a bare ACK is no answer
    // Another scan (another key) does not accept this one's answers.
    auto other = SynCookie::random();
    ASSERT_TRUE(other.has_value());
    EXPECT_FALSE(other->answers(reply(0x12, seq + 1)));
}

TEST(RawSender, RefusesAddressesOutsideTheTargets) {
    std::vector<core::IpAddress> allowed = {ip("127.0.0.1")};
    auto sender = RawSender::open(allowed);
    if (!sender) {
        ASSERT_EQ(sender.error().code(), core::ErrorCode::kPermissionDenied);
        GTEST_SKIP() << "no CAP_NET_RAW: " << sender.error().message();
    }
    EXPECT_TRUE(sender->allows(ip("127.0.0.1")));
    EXPECT_FALSE(sender->allows(ip("127.0.0.2")));
    EXPECT_FALSE(sender->allows(ip("::1")));
    auto refused = sender->send(ip("127.0.0.1"), 40000, ip("127.0.0.2"), 80, 1);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code(), core::ErrorCode::kPermissionDenied);
    auto v6 = sender->send(ip("::1"), 40000, ip("::1"), 80, 1);
    EXPECT_FALSE(v6.has_value());
    EXPECT_EQ(sender->fd_v6(), -1);  // no socket for a family with no target
    EXPECT_TRUE(sender->send(ip("127.0.0.1"), 40000, ip("127.0.0.1"), 9, 1).has_value());
}

}  // namespace
}  // namespace cyberalarm::scan::internal
