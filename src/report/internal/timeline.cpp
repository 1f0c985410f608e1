#include "report/internal/timeline.h"

#include <utility>

namespace cyberalarm::report::internal {

void Timeline::add(std::int64_t time_ns, bool blocked) {
    if (buckets_.empty()) {
        start_ns_ = floor_to_width(time_ns);
        buckets_.resize(1);
    } else if (time_ns < start_ns_) {
        // Grow to the left: widen until [floor(t), end) fits, then prepend empty buckets.
        while ((end_ns() - floor_to_width(time_ns)) / width_ns_ >
               static_cast<std::int64_t>(kMaxBuckets)) {
            widen();
        }
        auto new_start = floor_to_width(time_ns);
        auto extra = static_cast<std::size_t>((start_ns_ - new_start) / width_ns_);
        buckets_.insert(buckets_.begin(), extra, Bucket{});
        start_ns_ = new_start;
    } else {
        while ((time_ns - start_ns_) / width_ns_ >= static_cast<std::int64_t>(kMaxBuckets)) {
            widen();
        }
        auto needed = static_cast<std::size_t>((time_ns - start_ns_) / width_ns_) + 1;
        if (needed > buckets_.size()) {
            buckets_.resize(needed);
        }
    }
    auto& b = buckets_[static_cast<std::size_t>((time_ns - start_ns_) / width_ns_)];
    ++b.total;
    if (blocked) {
        ++b.blocked;
    }
}

void Timeline::widen() {
    auto doubled = width_ns_ * 2;
    if (start_ns_ % doubled != 0) {
        // The first bucket is the second half of a doubled one: pad so pairs line up.
        buckets_.insert(buckets_.begin(), Bucket{});
        start_ns_ -= width_ns_;
    }
    std::vector<Bucket> merged((buckets_.size() + 1) / 2);
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        merged[i / 2].total += buckets_[i].total;
        merged[i / 2].blocked += buckets_[i].blocked;
    }
    buckets_ = std::move(merged);
    width_ns_ = doubled;
}

}  // namespace cyberalarm::report::internal
