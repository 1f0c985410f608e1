// BeaconDetector: finds an internal host connecting to one outside destination (address,
// port, transport) at a regular interval — malware calling home. Per pair it keeps the last
// `history` connection times; with at least min_connections it takes the median interval
// and the median absolute deviation, and reports when the interval is long enough to be
// deliberate and the deviation small relative to it. Pairs idle longer than idle_ns are
// forgotten. Internal to the detect library.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "detect/engine.h"
#include "detect/internal/finding_book.h"
#include "detect/internal/group_key.h"
#include "detect/internal/group_table.h"

namespace cyberalarm::detect::internal {

struct BeaconVerdict {
    bool periodic = false;
    double median_s = 0;
    double jitter = 0;  // MAD / median
};

// The verdict for a sorted list of connection times (ns).
BeaconVerdict judge_intervals(std::span<const std::int64_t> times, const BeaconOptions& opt);

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
        std::vector<std::int64_t> times;  // sorted, at most `history`
        std::int64_t last_ns = 0;
        bool reported = false;
        std::size_t finding = 0;
        void reset() {
            times.clear();
            last_ns = 0;
            reported = false;
            finding = 0;
        }
    };
    BeaconOptions opt_;
    std::size_t max_pairs_;
    GroupTable<Pair> pairs_;  // least recently updated first
};

}  // namespace cyberalarm::detect::internal
