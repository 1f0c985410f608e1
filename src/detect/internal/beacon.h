// BeaconDetector: finds an internal host connecting to one outside destination (address,
// port, transport) at a regular interval — malware calling home. Per pair it keeps the last
// `history` connection times; with at least min_connections it takes the median interval
// and the median absolute deviation, and reports when the interval is long enough to be
// deliberate and the deviation small relative to it. Pairs idle longer than idle_ns are
// forgotten. Internal to the detect library.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <string>
#include <unordered_map>

#include "core/event.h"
#include "detect/engine.h"
#include "detect/internal/finding_book.h"
#include "detect/internal/group_key.h"

namespace cyberalarm::detect::internal {

struct BeaconVerdict {
    bool periodic = false;
    double median_s = 0;
    double jitter = 0;  // MAD / median
};

// The verdict for a sorted list of connection times (ns).
BeaconVerdict judge_intervals(const std::deque<std::int64_t>& times, const BeaconOptions& opt);

class BeaconDetector {
public:
    explicit BeaconDetector(BeaconOptions opt, std::size_t max_pairs = 200'000)
        : opt_(opt), max_pairs_(max_pairs) {}

    // REQUIRES: e is outbound.
    void observe(const core::Event& e, std::int64_t now, const std::string& member,
                 FindingBook& book, std::uint64_t& findings_opened);
    void expire(std::int64_t now);

private:
    struct Pair {
        std::deque<std::int64_t> times;
        std::int64_t last_ns = 0;
        std::list<GroupKey>::iterator lru;
        bool reported = false;
        std::size_t finding = 0;
    };
    BeaconOptions opt_;
    std::size_t max_pairs_;
    std::unordered_map<GroupKey, Pair, GroupKeyHash> pairs_;
    std::list<GroupKey> lru_;
};

}  // namespace cyberalarm::detect::internal
