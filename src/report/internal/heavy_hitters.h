// HeavyHitters: counts keys in a table of at most `capacity` entries (Misra-Gries).
//
// While the distinct keys fit, counts are exact. When a new key meets a full table, that
// key's one unit and one unit of every held key cancel out: all counts drop by one and the
// zeros leave. Each such step removes capacity + 1 units from the stream total, so there are
// at most N / (capacity + 1) of them and the total work stays O(N). Every reported count is
// then at most `max_error()` below the true count, and any key seen more than
// N / (capacity + 1) times is still held.
//
// Thread safety: not shared.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ip.h"

namespace cyberalarm::report::internal {

template <typename Key, typename Hash = std::hash<Key>>
class HeavyHitters {
public:
    explicit HeavyHitters(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

    void add(const Key& key) {
        if (auto it = counts_.find(key); it != counts_.end()) {
            ++it->second;
            return;
        }
        if (counts_.size() < capacity_) {
            counts_.emplace(key, 1);
            return;
        }
        ++decrements_;
        for (auto it = counts_.begin(); it != counts_.end();) {
            if (--it->second == 0) {
                it = counts_.erase(it);
            } else {
                ++it;
            }
        }
    }

    // The k largest counts, largest first; ties by key order so output is deterministic.
    [[nodiscard]] std::vector<std::pair<Key, std::uint64_t>> top(std::size_t k) const {
        std::vector<std::pair<Key, std::uint64_t>> all(counts_.begin(), counts_.end());
        auto by_count = [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        };
        k = std::min(k, all.size());
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(),
                          by_count);
        all.resize(k);
        return all;
    }

    [[nodiscard]] std::size_t size() const { return counts_.size(); }
    [[nodiscard]] bool approximate() const { return decrements_ > 0; }
    // How far below the true count any reported count can be.
    [[nodiscard]] std::uint64_t max_error() const { return decrements_; }

private:
    std::size_t capacity_;
    std::uint64_t decrements_ = 0;
    std::unordered_map<Key, std::uint64_t, Hash> counts_;
};

struct IpHash {
    std::size_t operator()(const core::IpAddress& ip) const {
        std::uint64_t halves[2];
        std::memcpy(halves, ip.bytes().data(), sizeof halves);
        // Mixing both halves matters: IPv4 lives entirely in the high half (mapped form).
        std::uint64_t h = halves[0] * 0x9E3779B97F4A7C15ull ^ halves[1];
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 32;
        return static_cast<std::size_t>(h + (ip.is_v4() ? 1u : 0u));
    }
};

}  // namespace cyberalarm::report::internal
