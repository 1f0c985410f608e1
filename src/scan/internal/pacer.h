// Per-address pacing of new connections during identification and checks, so `--rate`
// bounds every connection the scanner opens to an address, not only discovery's.
//
// The worker threads of one scan share a Pacer and install it for themselves with a
// PacerScope; connect_tcp() (net.h) waits on the thread's current pacer, if any. Threads
// without a scope are not paced (unit tests, the ownership check).
//
// Thread safety: Pacer::wait may be called from many threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "core/ip.h"

namespace cyberalarm::scan::internal {

class Pacer {
public:
    // `per_second` new connections per address; bursts of up to max(1, per_second / 10).
    explicit Pacer(double per_second) : rate_(per_second) {}

    // Blocks until a connection to `address` may start.
    void wait(const core::IpAddress& address);

private:
    struct Bucket {
        double tokens = 1;
        std::chrono::steady_clock::time_point refilled = std::chrono::steady_clock::now();
    };
    double rate_;
    std::mutex mu_;
    std::map<core::IpAddress, Bucket> buckets_;
};

// Installs `pacer` as this thread's current one for the scope's lifetime.
class PacerScope {
public:
    explicit PacerScope(Pacer* pacer);
    ~PacerScope();
    PacerScope(const PacerScope&) = delete;
    PacerScope& operator=(const PacerScope&) = delete;

private:
    Pacer* previous_;
};

// This thread's pacer, or null.
[[nodiscard]] Pacer* current_pacer();

}  // namespace cyberalarm::scan::internal
