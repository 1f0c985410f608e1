// CidrSet: a set of address prefixes (member networks, trusted sources, intel ranges)
// answering "is this address inside?" in O(log n) over merged, sorted ranges.
//
// Build it with add() calls, then call seal() once; contains() is valid only after seal().
// Overlapping and adjacent prefixes are merged, so memory is bounded by the input.
//
// Thread safety: after seal(), any number of threads may call contains() concurrently.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::core {

class CidrSet {
public:
    void add(const Cidr& cidr);
    // Parses a comma- or whitespace-separated list of prefixes.
    [[nodiscard]] Status add_list(std::string_view text);
    // Adds every range of `other` (sealed or not); seal() again afterwards.
    void merge(const CidrSet& other);
    void seal();

    [[nodiscard]] bool contains(const IpAddress& ip) const;
    [[nodiscard]] bool empty() const { return v4_.empty() && v6_.empty(); }
    [[nodiscard]] std::size_t range_count() const { return v4_.size() + v6_.size(); }

private:
    struct Range4 {
        std::uint32_t lo, hi;
    };
    struct Range6 {
        Uint128 lo, hi;
    };
    std::vector<Range4> v4_;
    std::vector<Range6> v6_;
    bool sealed_ = true;
};

}  // namespace cyberalarm::core
