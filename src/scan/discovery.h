// Discovery: which TCP ports of the allowed addresses accept connections.
//
// Two ways, chosen by DiscoveryOptions::mode (kAuto: SYN when this process may open raw
// sockets — CAP_NET_RAW — else connect), with the same caps, pacing, timeouts and retries:
//
// Connect scan (scan_connect): an asynchronous connect() scan on one thread with epoll (no root needed): up to
// `max_in_flight` connections at once (bounded by the process's file limit) and at most
// `per_target_in_flight` per address, paced by `per_target_rate` new connections per second
// per address. Timeouts adapt per address from measured round-trip times (the TCP
// retransmission-timer rule, RFC 6298: srtt + 4·rttvar, clamped to [min_timeout,
// max_timeout]); a port that neither accepts nor refuses in time is retried `retries`
// times before it is called filtered.
//
// SYN scan (scan_syn, syn_scan.cpp): one SYN per (address, port) from a raw socket, with a
// source port the kernel reserved for this scan and a keyed sequence number
// (internal/raw_tcp.h); open = SYN-ACK, closed = RST, filtered = silent after the retries.
// The kernel answers each SYN-ACK with an RST (no socket of ours owns the connection), so
// no connection is ever completed. IPv4 and IPv6.
//
// The caller passes only addresses a TargetPolicy allowed (target.h); this layer does not
// re-check them, except that the raw sender refuses any destination outside `addresses`.
//
// Thread safety: scan_tcp may run on several threads at once on different inputs; `cancel`
// may be set from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::scan {

enum class DiscoveryMode : std::uint8_t {
    kAuto,     // SYN if raw sockets may be opened, else connect
    kConnect,  // connect(): no privileges
    kSyn,      // raw SYN; fails with kPermissionDenied without CAP_NET_RAW
};

[[nodiscard]] const char* to_string(DiscoveryMode mode);

struct DiscoveryOptions {
    DiscoveryMode mode = DiscoveryMode::kAuto;
    std::size_t max_in_flight = 4096;        // whole scan; lowered to fit RLIMIT_NOFILE
    std::size_t per_target_in_flight = 2048;  // per address
    double per_target_rate = 0;              // new connections per second per address; 0 = no cap
    int retries = 1;                         // extra attempts for a silent port
    std::chrono::milliseconds initial_timeout{1000};
    std::chrono::milliseconds min_timeout{50};
    std::chrono::milliseconds max_timeout{3000};
};

struct OpenPort {
    core::IpAddress address;
    std::uint16_t port = 0;
    double rtt_ms = 0;  // connect round trip
};

struct DiscoveryStats {
    std::uint64_t attempts = 0;
    std::uint64_t open = 0;
    std::uint64_t closed = 0;    // refused
    std::uint64_t filtered = 0;  // silent after every retry
    std::uint64_t errors = 0;    // unreachable and the like
    std::uint64_t stray = 0;     // SYN scan: replies that failed the sequence check
    DiscoveryMode mode = DiscoveryMode::kConnect;  // what ran (never kAuto)
};

// Whether this process may open raw sockets (CAP_NET_RAW), i.e. kAuto means SYN.
[[nodiscard]] bool have_raw_socket_capability();

// Open ports, sorted by address then port, by options.mode (stats->mode says which ran).
// Fails only when no socket can be made at all (or kSyn without raw sockets).
[[nodiscard]] core::Result<std::vector<OpenPort>> scan_tcp(
    std::span<const core::IpAddress> addresses, std::span<const std::uint16_t> ports,
    const DiscoveryOptions& options, DiscoveryStats* stats = nullptr,
    const std::atomic<bool>* cancel = nullptr);

// The two engines, whatever options.mode says.
[[nodiscard]] core::Result<std::vector<OpenPort>> scan_connect(
    std::span<const core::IpAddress> addresses, std::span<const std::uint16_t> ports,
    const DiscoveryOptions& options, DiscoveryStats* stats = nullptr,
    const std::atomic<bool>* cancel = nullptr);
[[nodiscard]] core::Result<std::vector<OpenPort>> scan_syn(
    std::span<const core::IpAddress> addresses, std::span<const std::uint16_t> ports,
    const DiscoveryOptions& options, DiscoveryStats* stats = nullptr,
    const std::atomic<bool>* cancel = nullptr);

// Sorts `open` by address then port (both engines' results).
void sort_open_ports(std::vector<OpenPort>& open);

}  // namespace cyberalarm::scan
