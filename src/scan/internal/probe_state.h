// Per-address state that both discovery engines (connect, discovery.cpp; SYN, syn_scan.cpp)
// keep: the RFC 6298 round-trip estimator that sets the timeout of a silent port, the
// in-flight count, the rate bucket and the queue of (port, attempt) still to try.
//
// Thread safety: owned by one engine thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <utility>

#include "core/ip.h"
#include "scan/discovery.h"

namespace cyberalarm::scan::internal {

using ProbeClock = std::chrono::steady_clock;

struct RttState {
    double srtt_ms = -1;
    double rttvar_ms = 0;
    void sample(double ms) {
        if (srtt_ms < 0) {
            srtt_ms = ms;
            rttvar_ms = ms / 2;
            return;
        }
        rttvar_ms = 0.75 * rttvar_ms + 0.25 * std::fabs(srtt_ms - ms);
        srtt_ms = 0.875 * srtt_ms + 0.125 * ms;
    }
};

struct ProbeTarget {
    core::IpAddress address;
    RttState rtt;
    std::size_t in_flight = 0;
    double tokens = 1;  // rate bucket
    ProbeClock::time_point refilled = ProbeClock::now();
    std::deque<std::pair<std::uint16_t, int>> queue;  // port, attempt

    // srtt + 4·rttvar clamped to [min_timeout, max_timeout]; initial_timeout before a sample.
    [[nodiscard]] std::chrono::milliseconds timeout(const DiscoveryOptions& o) const {
        if (rtt.srtt_ms < 0) {
            return o.initial_timeout;
        }
        double ms = rtt.srtt_ms + 4 * rtt.rttvar_ms;
        auto v = std::chrono::milliseconds(static_cast<long>(std::ceil(ms)));
        return std::clamp(v, o.min_timeout, o.max_timeout);
    }

    // Whether one more probe may start now (per-address in-flight cap and rate); takes a
    // token when it may.
    bool may_send(const DiscoveryOptions& o, ProbeClock::time_point now) {
        if (in_flight >= o.per_target_in_flight) {
            return false;
        }
        if (o.per_target_rate <= 0) {
            return true;
        }
        double secs = std::chrono::duration<double>(now - refilled).count();
        double burst = std::max(1.0, o.per_target_rate / 10);
        tokens = std::min(burst, tokens + secs * o.per_target_rate);
        refilled = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
};

}  // namespace cyberalarm::scan::internal
