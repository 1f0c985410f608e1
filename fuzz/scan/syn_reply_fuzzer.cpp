// SYN-scan replies as the raw sockets hand them over: byte 0 picks an IPv4 datagram (IP
// header first) or an IPv6 segment (32 bytes of source and destination address first, as
// recvmsg gives them), and whether checksums are verified.
#include <array>
#include <cstdlib>

#include "fuzz_common.h"
#include "scan/internal/raw_tcp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::scan::internal;
    using cyberalarm::core::IpAddress;
    if (size < 1) {
        return 0;
    }
    bool v6 = (data[0] & 1) != 0;
    ChecksumCheck check = (data[0] & 2) != 0 ? ChecksumCheck::kVerify : ChecksumCheck::kSkip;
    std::span<const std::uint8_t> rest(data + 1, size - 1);
    cyberalarm::core::Result<TcpReply> r;
    std::span<const std::uint8_t> segment;
    if (v6) {
        if (rest.size() < 32) {
            return 0;
        }
        std::array<std::uint8_t, 16> a{}, b{};
        std::copy_n(rest.begin(), 16, a.begin());
        std::copy_n(rest.begin() + 16, 16, b.begin());
        segment = rest.subspan(32);
        r = parse_tcp_segment(IpAddress::v6(a), IpAddress::v6(b), segment, check);
    } else {
        r = parse_ipv4_reply(rest, check);
        if (r) {
            segment = rest.subspan(static_cast<std::size_t>(rest[0] & 0x0f) * 4);
        }
    }
    if (!r) {
        return 0;
    }
    // A verified reply's checksum sums to zero over the segment as the IP length bounds it.
    if (v6 && check == ChecksumCheck::kVerify && tcp_checksum(r->src, r->dst, segment) != 0) {
        std::abort();
    }
    if ((r->kind == ReplyKind::kRst) != ((r->flags & 0x04) != 0)) {
        std::abort();
    }
    static auto cookie = SynCookie::with_key({7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7});
    if (cookie && cookie->answers(*r) && r->ack != cookie->sequence(r->src, r->sport, r->dport) + 1) {
        std::abort();
    }
    return 0;
}
