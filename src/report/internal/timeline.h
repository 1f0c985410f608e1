// Timeline: event and blocked counts in fixed-width time buckets, in bounded memory.
//
// Buckets start on multiples of their width since the epoch. The width starts at
// kBaseWidthNs (1 h / 1024, about 3.5 s) and doubles — adjacent pairs merge — whenever the
// covered span would need more than kMaxBuckets, so a day ends in 7.5-minute buckets, a week
// in 1-hour ones and a month in 4-hour ones, and there are always at most kMaxBuckets.
// Events may arrive out of order; the timeline grows at either end.
//
// Thread safety: not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/time.h"

namespace cyberalarm::report::internal {

class Timeline {
public:
    static constexpr std::size_t kMaxBuckets = 192;
    static constexpr std::int64_t kBaseWidthNs = 3600 * core::kNanosPerSecond / 1024;

    struct Bucket {
        std::uint64_t total = 0;
        std::uint64_t blocked = 0;
    };

    // REQUIRES: 0 <= time_ns < core::kMaxTimeNs (callers skip unknown or absurd times).
    void add(std::int64_t time_ns, bool blocked);

    [[nodiscard]] std::int64_t start_ns() const { return start_ns_; }
    [[nodiscard]] std::int64_t width_ns() const { return width_ns_; }
    [[nodiscard]] const std::vector<Bucket>& buckets() const { return buckets_; }

private:
    // Doubles the width: re-aligns the start to the new width, then merges pairs.
    void widen();
    [[nodiscard]] std::int64_t floor_to_width(std::int64_t t) const { return t - t % width_ns_; }
    [[nodiscard]] std::int64_t end_ns() const {
        return start_ns_ + static_cast<std::int64_t>(buckets_.size()) * width_ns_;
    }

    std::int64_t start_ns_ = 0;
    std::int64_t width_ns_ = kBaseWidthNs;
    std::vector<Bucket> buckets_;
};

}  // namespace cyberalarm::report::internal
