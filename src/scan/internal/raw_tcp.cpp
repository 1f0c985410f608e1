#include "scan/internal/raw_tcp.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "scan/internal/net.h"

namespace cyberalarm::scan::internal {

using core::Error;
using core::ErrorCode;
using core::fail;

namespace {

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t get32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
    put16(p, static_cast<std::uint16_t>(v >> 16));
    put16(p + 2, static_cast<std::uint16_t>(v));
}

// One's-complement sum of 16-bit big-endian words (an odd last byte padded with zero).
std::uint64_t sum_words(std::span<const std::uint8_t> b, std::uint64_t acc) {
    std::size_t i = 0;
    for (; i + 1 < b.size(); i += 2) {
        acc += get16(b.data() + i);
    }
    if (i < b.size()) {
        acc += std::uint64_t{b[i]} << 8;
    }
    return acc;
}

std::uint16_t fold(std::uint64_t acc) {
    while ((acc >> 16) != 0) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    return static_cast<std::uint16_t>(~acc & 0xffff);
}

// The address bytes that go into a pseudo-header: 4 for IPv4, 16 for IPv6.
std::span<const std::uint8_t> address_bytes(const core::IpAddress& ip) {
    return ip.is_v4() ? std::span<const std::uint8_t>(ip.bytes()).subspan(12)
                      : std::span<const std::uint8_t>(ip.bytes());
}

Error malformed(const char* what) { return Error(ErrorCode::kParse, std::string("TCP reply: ") + what); }

}  // namespace

std::uint16_t tcp_checksum(const core::IpAddress& src, const core::IpAddress& dst,
                           std::span<const std::uint8_t> segment) {
    std::uint64_t acc = sum_words(address_bytes(src), 0);
    acc = sum_words(address_bytes(dst), acc);
    acc += IPPROTO_TCP;
    acc += segment.size();  // 32-bit length for IPv6; fits either way for our sizes
    return fold(sum_words(segment, acc));
}

std::array<std::uint8_t, kSynLength> build_syn(const core::IpAddress& src, std::uint16_t sport,
                                               const core::IpAddress& dst, std::uint16_t dport,
                                               std::uint32_t seq) {
    std::array<std::uint8_t, kSynLength> s{};
    put16(&s[0], sport);
    put16(&s[2], dport);
    put32(&s[4], seq);
    // ack 0
    s[12] = (kSynLength / 4) << 4;  // data offset
    s[13] = kSyn;
    put16(&s[14], 1024);  // window
    // checksum [16..17] 0 for now, urgent pointer 0
    s[20] = 2;  // MSS option, length 4, 1460
    s[21] = 4;
    put16(&s[22], 1460);
    put16(&s[16], tcp_checksum(src, dst, s));
    return s;
}

core::Result<TcpReply> parse_tcp_segment(const core::IpAddress& src, const core::IpAddress& dst,
                                         std::span<const std::uint8_t> seg, ChecksumCheck check) {
    if (seg.size() < 20) {
        return fail(malformed("shorter than a TCP header"));
    }
    std::size_t offset = static_cast<std::size_t>(seg[12] >> 4) * 4;
    if (offset < 20 || offset > seg.size()) {
        return fail(malformed("data offset outside the segment"));
    }
    if (src.is_v4() != dst.is_v4() || !src.is_set() || !dst.is_set()) {
        return fail(Error::invalid_argument("TCP reply: addresses of different families"));
    }
    if (check == ChecksumCheck::kVerify && tcp_checksum(src, dst, seg) != 0) {
        return fail(Error(ErrorCode::kCorrupt, "TCP reply: wrong checksum"));
    }
    TcpReply r;
    r.src = src;
    r.dst = dst;
    r.sport = get16(&seg[0]);
    r.dport = get16(&seg[2]);
    r.seq = get32(&seg[4]);
    r.ack = get32(&seg[8]);
    r.flags = seg[13];
    if ((r.flags & kRst) != 0) {
        r.kind = ReplyKind::kRst;
    } else if ((r.flags & (kSyn | kAck | kFin)) == (kSyn | kAck)) {
        r.kind = ReplyKind::kSynAck;
    }
    return r;
}

core::Result<TcpReply> parse_ipv4_reply(std::span<const std::uint8_t> d, ChecksumCheck check) {
    if (d.size() < 20) {
        return fail(malformed("shorter than an IPv4 header"));
    }
    if ((d[0] >> 4) != 4) {
        return fail(malformed("not IPv4"));
    }
    std::size_t ihl = static_cast<std::size_t>(d[0] & 0x0f) * 4;
    std::size_t total = get16(&d[2]);
    if (ihl < 20 || total < ihl || total > d.size()) {
        return fail(malformed("IPv4 lengths inconsistent"));
    }
    if (d[9] != IPPROTO_TCP) {
        return fail(Error::unsupported("TCP reply: not TCP"));
    }
    if ((get16(&d[6]) & 0x3fff) != 0) {  // more-fragments or an offset
        return fail(Error::unsupported("TCP reply: a fragment"));
    }
    if (check == ChecksumCheck::kVerify && fold(sum_words(d.first(ihl), 0)) != 0) {
        return fail(Error(ErrorCode::kCorrupt, "TCP reply: wrong IPv4 header checksum"));
    }
    core::IpAddress src = core::IpAddress::v4(get32(&d[12]));
    core::IpAddress dst = core::IpAddress::v4(get32(&d[16]));
    return parse_tcp_segment(src, dst, d.subspan(ihl, total - ihl), check);
}

// ---- SynCookie ----

struct SynCookie::Mac {
    std::array<std::uint8_t, 16> key{};
    EVP_MAC* mac = nullptr;
    EVP_MAC_CTX* ctx = nullptr;
    ~Mac() {
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
    }
};

SynCookie::SynCookie(std::unique_ptr<Mac> mac) : mac_(std::move(mac)) {}
SynCookie::SynCookie(SynCookie&&) noexcept = default;
SynCookie& SynCookie::operator=(SynCookie&&) noexcept = default;
SynCookie::~SynCookie() = default;

core::Result<SynCookie> SynCookie::with_key(const std::array<std::uint8_t, 16>& key) {
    auto m = std::make_unique<Mac>();
    m->key = key;
    m->mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    m->ctx = m->mac != nullptr ? EVP_MAC_CTX_new(m->mac) : nullptr;
    std::array<std::uint8_t, 16> out{};
    std::size_t n = 0;
    if (m->ctx == nullptr || EVP_MAC_init(m->ctx, key.data(), key.size(), nullptr) != 1 ||
        EVP_MAC_final(m->ctx, out.data(), &n, out.size()) != 1) {
        return fail(Error(ErrorCode::kInternal, "SYN scan: OpenSSL's SipHash does not work"));
    }
    return SynCookie(std::move(m));
}

core::Result<SynCookie> SynCookie::random() {
    std::array<std::uint8_t, 16> key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        return fail(Error(ErrorCode::kInternal, "SYN scan: no random key"));
    }
    return with_key(key);
}

std::uint32_t SynCookie::sequence(const core::IpAddress& dst, std::uint16_t dport,
                                  std::uint16_t sport) {
    std::array<std::uint8_t, 21> in{};
    std::memcpy(in.data(), dst.bytes().data(), 16);
    in[16] = dst.is_v4() ? 4 : 6;
    put16(&in[17], dport);
    put16(&in[19], sport);
    std::array<std::uint8_t, 16> out{};  // SipHash's default (and largest) output
    std::size_t n = 0;
    if (EVP_MAC_init(mac_->ctx, mac_->key.data(), mac_->key.size(), nullptr) != 1 ||
        EVP_MAC_update(mac_->ctx, in.data(), in.size()) != 1 ||
        EVP_MAC_final(mac_->ctx, out.data(), &n, out.size()) != 1) {
        // A MAC that worked at construction (with_key tries it) does not fail on fixed-size
        // input; if it ever did, a constant sequence still scans correctly, only without
        // the check against forged or stale answers.
        return 0x5ca1ab1e;
    }
    return get32(out.data());
}

bool SynCookie::answers(const TcpReply& r) {
    if (r.kind == ReplyKind::kOther || (r.flags & kAck) == 0) {
        return false;
    }
    return r.ack == sequence(r.src, r.sport, r.dport) + 1;
}

// ---- RawSender ----

core::Result<RawSender> RawSender::open(std::span<const core::IpAddress> allowed) {
    RawSender s;
    s.allowed_.assign(allowed.begin(), allowed.end());
    std::sort(s.allowed_.begin(), s.allowed_.end());
    bool v4 = std::any_of(allowed.begin(), allowed.end(), [](auto& a) { return a.is_v4(); });
    bool v6 = std::any_of(allowed.begin(), allowed.end(), [](auto& a) { return a.is_v6(); });
    for (auto [want, family, fd] : {std::tuple{v4, AF_INET, &s.v4_}, std::tuple{v6, AF_INET6, &s.v6_}}) {
        if (!want) {
            continue;
        }
        fd->reset(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
        if (!fd->valid()) {
            return fail(Error(errno == EPERM ? ErrorCode::kPermissionDenied : ErrorCode::kIo,
                              std::string("SYN scan: raw socket: ") + std::strerror(errno)));
        }
        // Room for a burst of answers; SO_RCVBUFFORCE needs CAP_NET_ADMIN, else the
        // ordinary (capped) option.
        int bytes = 8 << 20;
        if (::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
            (void)::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
        }
    }
    return s;
}

bool RawSender::allows(const core::IpAddress& dst) const {
    return std::binary_search(allowed_.begin(), allowed_.end(), dst);
}

core::Status RawSender::send(const core::IpAddress& src, std::uint16_t sport,
                             const core::IpAddress& dst, std::uint16_t dport, std::uint32_t seq) {
    if (!allows(dst)) {
        return fail(Error(ErrorCode::kPermissionDenied,
                          "SYN scan: refusing to send to " + dst.to_string() +
                              ": not an address of the allowed targets"));
    }
    if (src.is_v4() != dst.is_v4()) {
        return fail(Error::invalid_argument("SYN scan: source and destination of different families"));
    }
    int fd = dst.is_v4() ? v4_.get() : v6_.get();
    auto syn = build_syn(src, sport, dst, dport, seq);
    sockaddr_storage sa;
    socklen_t len = to_sockaddr(dst, 0, sa);  // raw sockets take no port
    if (::sendto(fd, syn.data(), syn.size(), 0, reinterpret_cast<sockaddr*>(&sa), len) < 0) {
        bool full = errno == ENOBUFS || errno == EAGAIN;
        return fail(Error(full ? ErrorCode::kUnavailable : ErrorCode::kIo,
                          std::string("SYN scan: send: ") + std::strerror(errno)));
    }
    return {};
}

core::Result<core::IpAddress> source_address_for(const core::IpAddress& dst) {
    sockaddr_storage sa;
    socklen_t len = to_sockaddr(dst, 9, sa);  // any port: connect() on UDP sends nothing
    core::UniqueFd fd(::socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_storage me{};
    socklen_t mlen = sizeof me;
    if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&me), &mlen) != 0) {
        return fail(Error(ErrorCode::kUnavailable,
                          "SYN scan: no route to " + dst.to_string() + ": " + std::strerror(errno)));
    }
    if (me.ss_family == AF_INET) {
        return core::IpAddress::v4(ntohl(reinterpret_cast<sockaddr_in*>(&me)->sin_addr.s_addr));
    }
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), &reinterpret_cast<sockaddr_in6*>(&me)->sin6_addr, 16);
    return core::IpAddress::v6(b);
}

core::Status filter_destination_port(int fd, int family, std::uint16_t port) {
    // IPv4 raw sockets see the IP header first (variable length); IPv6 ones the TCP header.
    std::vector<sock_filter> code;
    if (family == AF_INET) {
        code = {
            BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),        // x = IP header length
            BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),         // a = TCP destination port
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, 0xffff),
            BPF_STMT(BPF_RET | BPF_K, 0),
        };
    } else {
        code = {
            BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, 0xffff),
            BPF_STMT(BPF_RET | BPF_K, 0),
        };
    }
    sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
        return fail(Error(ErrorCode::kIo, std::string("SYN scan: filter: ") + std::strerror(errno)));
    }
    return {};
}

}  // namespace cyberalarm::scan::internal
