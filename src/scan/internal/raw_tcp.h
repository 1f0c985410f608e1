// TCP segments for SYN scanning: building a SYN with its checksum, reading the answers a
// raw socket hands us (outside input: total, never trusting a length), and the keyed
// sequence numbers that let a reply be checked without remembering what was sent.
//
// A SYN carries the sequence number cookie(dst, dport, sport): the low 32 bits of a SipHash
// under a key drawn at random per scan (OpenSSL's EVP_MAC "SIPHASH"). An honest SYN-ACK or
// RST acknowledges cookie + 1; anything else (a stale answer of an earlier scan, another
// program's traffic to the same port, a forgery by someone who cannot see our SYNs) fails
// the check and is dropped.
//
// Thread safety: the free functions are pure. A SynCookie is not shared between threads
// (it reuses one MAC context). RawSender may be used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "core/unique_fd.h"

namespace cyberalarm::scan::internal {

inline constexpr std::size_t kSynLength = 24;  // 20-byte header + MSS option

// The TCP checksum (RFC 793, RFC 8200 §8.1) of `segment` (checksum field included as it
// is) with the pseudo-header of `src` and `dst`; both of one family. A segment whose stored
// checksum is right sums to 0.
[[nodiscard]] std::uint16_t tcp_checksum(const core::IpAddress& src, const core::IpAddress& dst,
                                         std::span<const std::uint8_t> segment);

// One SYN from src:sport to dst:dport with sequence `seq`, window 1024, MSS 1460, and its
// checksum filled in. REQUIRES: src and dst of one family.
[[nodiscard]] std::array<std::uint8_t, kSynLength> build_syn(const core::IpAddress& src,
                                                             std::uint16_t sport,
                                                             const core::IpAddress& dst,
                                                             std::uint16_t dport,
                                                             std::uint32_t seq);

enum class ReplyKind : std::uint8_t { kSynAck, kRst, kOther };

struct TcpReply {
    core::IpAddress src;  // the scanned host
    core::IpAddress dst;  // us
    std::uint16_t sport = 0;  // the scanned port
    std::uint16_t dport = 0;  // our source port
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;
    ReplyKind kind = ReplyKind::kOther;
};

// How much a reply's TCP checksum is trusted. Replies over loopback (and from NICs that
// offload checksums) reach a raw socket before the checksum is ever written, so the engine
// checks it only for non-loopback peers; tests check it always.
enum class ChecksumCheck : std::uint8_t { kVerify, kSkip };

// An IPv4 datagram as a raw IPv4 socket receives it (IP header first). kParse for anything
// truncated or inconsistent, kUnsupported for fragments, options-bearing lengths beyond the
// datagram, or another protocol; kCorrupt for a wrong header or TCP checksum.
[[nodiscard]] core::Result<TcpReply> parse_ipv4_reply(std::span<const std::uint8_t> datagram,
                                                      ChecksumCheck check);

// A TCP segment as a raw IPv6 socket delivers it (the kernel strips the IPv6 header and any
// extension headers); the addresses come from recvmsg.
[[nodiscard]] core::Result<TcpReply> parse_tcp_segment(const core::IpAddress& src,
                                                       const core::IpAddress& dst,
                                                       std::span<const std::uint8_t> segment,
                                                       ChecksumCheck check);

// Keyed sequence numbers (see the top of this file).
class SynCookie {
public:
    // A fresh random key; kInternal if OpenSSL cannot give one.
    [[nodiscard]] static core::Result<SynCookie> random();
    // A fixed key (tests, the fuzz target).
    [[nodiscard]] static core::Result<SynCookie> with_key(const std::array<std::uint8_t, 16>& key);

    [[nodiscard]] std::uint32_t sequence(const core::IpAddress& dst, std::uint16_t dport,
                                         std::uint16_t sport);
    // Whether `r` answers a SYN we sent: SYN-ACK or RST with ACK, acknowledging cookie + 1.
    [[nodiscard]] bool answers(const TcpReply& r);

    SynCookie(SynCookie&&) noexcept;
    SynCookie& operator=(SynCookie&&) noexcept;
    ~SynCookie();

private:
    struct Mac;
    explicit SynCookie(std::unique_ptr<Mac> mac);
    std::unique_ptr<Mac> mac_;
};

// Sends SYNs from raw sockets, to the allowed addresses only. Built from the addresses of
// ResolvedTargets (already allowed by a TargetPolicy); send() refuses every other
// destination before a packet is made — the last line of the scanner's safety rule.
class RawSender {
public:
    // Opens a raw IPPROTO_TCP socket for each family present in `allowed`.
    // kPermissionDenied without CAP_NET_RAW.
    [[nodiscard]] static core::Result<RawSender> open(std::span<const core::IpAddress> allowed);

    // Sends the SYN src:sport → dst:dport with sequence `seq`. kPermissionDenied, and no
    // packet, when `dst` is not allowed;
    // kUnavailable when the send queue is full (ENOBUFS, EAGAIN); kIo for other refusals.
    [[nodiscard]] core::Status send(const core::IpAddress& src, std::uint16_t sport,
                                    const core::IpAddress& dst, std::uint16_t dport,
                                    std::uint32_t seq);

    // The sockets replies arrive on (-1 for a family not in use).
    [[nodiscard]] int fd_v4() const { return v4_.get(); }
    [[nodiscard]] int fd_v6() const { return v6_.get(); }
    [[nodiscard]] bool allows(const core::IpAddress& dst) const;

private:
    std::vector<core::IpAddress> allowed_;  // sorted
    core::UniqueFd v4_;
    core::UniqueFd v6_;
};

// The local address the kernel would send from to reach `dst` (a connected UDP socket's
// name; nothing is sent).
[[nodiscard]] core::Result<core::IpAddress> source_address_for(const core::IpAddress& dst);

// Attaches a classic BPF filter to a raw socket of `family` so only TCP segments to
// `port` are queued (kernel-side, so a loaded host does not flood the scanner).
[[nodiscard]] core::Status filter_destination_port(int fd, int family, std::uint16_t port);

}  // namespace cyberalarm::scan::internal
