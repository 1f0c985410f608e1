// The wall clock as the store counts time: UTC nanoseconds since the Unix epoch.
//
// Thread safety: a pure function of the system clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace cyberalarm::server {

inline std::int64_t wall_clock_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace cyberalarm::server
