// Discovery: which TCP ports of the allowed addresses accept connections.
//
// An asynchronous connect() scan on one thread with epoll (no root needed): up to
// `max_in_flight` connections at once (bounded by the process's file limit) and at most
// `per_target_in_flight` per address, paced by `per_target_rate` new connections per second
// per address. Timeouts adapt per address from measured round-trip times (the TCP
// retransmission-timer rule, RFC 6298: srtt + 4·rttvar, clamped to [min_timeout,
// max_timeout]); a port that neither accepts nor refuses in time is retried `retries`
// times before it is called filtered.
//
// The caller passes only addresses a TargetPolicy allowed (target.h); this layer does not
// re-check them.
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

struct DiscoveryOptions {
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
};

// Open ports, sorted by address then port. Fails only when no socket can be made at all.
[[nodiscard]] core::Result<std::vector<OpenPort>> scan_tcp(
    std::span<const core::IpAddress> addresses, std::span<const std::uint16_t> ports,
    const DiscoveryOptions& options, DiscoveryStats* stats = nullptr,
    const std::atomic<bool>* cancel = nullptr);

}  // namespace cyberalarm::scan
