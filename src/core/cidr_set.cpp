#include "core/cidr_set.h"

#include <algorithm>
#include <cassert>

namespace cyberalarm::core {

namespace {

template <typename R>
void merge_ranges(std::vector<R>& ranges) {
    std::sort(ranges.begin(), ranges.end(), [](const R& a, const R& b) { return a.lo < b.lo; });
    std::vector<R> merged;
    merged.reserve(ranges.size());
    for (const auto& r : ranges) {
        // Adjacent ranges merge too; hi + 1 cannot overflow when hi < lo of the next.
        if (!merged.empty() && (r.lo <= merged.back().hi || r.lo - 1 == merged.back().hi)) {
            merged.back().hi = std::max(merged.back().hi, r.hi);
        } else {
            merged.push_back(r);
        }
    }
    ranges.swap(merged);
    ranges.shrink_to_fit();
}

template <typename R, typename V>
bool find_in(const std::vector<R>& ranges, V value) {
    // First range whose lo is greater than value; the candidate is the one before it.
    auto it = std::upper_bound(ranges.begin(), ranges.end(), value,
                               [](V v, const R& r) { return v < r.lo; });
    if (it == ranges.begin()) {
        return false;
    }
    --it;
    return value <= it->hi;
}

}  // namespace

void CidrSet::add(const Cidr& cidr) {
    sealed_ = false;
    if (cidr.base.is_v4()) {
        std::uint32_t lo = cidr.base.v4_value();
        // Shifting a 32-bit value by 32 is undefined, so /32 is its own case.
        std::uint32_t host_mask = cidr.prefix >= 32 ? 0u : (0xffffffffu >> cidr.prefix);
        v4_.push_back({lo, lo | host_mask});
    } else {
        Uint128 lo = cidr.base.as_u128();
        Uint128 host_mask =
            cidr.prefix == 0 ? ~static_cast<Uint128>(0)
                             : (cidr.prefix == 128 ? 0 : (~static_cast<Uint128>(0) >> cidr.prefix));
        v6_.push_back({lo, lo | host_mask});
    }
}

Status CidrSet::add_list(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ',' || text[i] == ' ' || text[i] == '\t' ||
                                   text[i] == '\n' || text[i] == '\r')) {
            ++i;
        }
        std::size_t start = i;
        while (i < text.size() && text[i] != ',' && text[i] != ' ' && text[i] != '\t' &&
               text[i] != '\n' && text[i] != '\r') {
            ++i;
        }
        if (i > start) {
            auto cidr = Cidr::parse(text.substr(start, i - start));
            if (!cidr) {
                return fail(std::move(cidr.error()).at_offset(start));
            }
            add(*cidr);
        }
    }
    return {};
}

void CidrSet::merge(const CidrSet& other) {
    sealed_ = false;
    v4_.insert(v4_.end(), other.v4_.begin(), other.v4_.end());
    v6_.insert(v6_.end(), other.v6_.begin(), other.v6_.end());
}

void CidrSet::seal() {
    merge_ranges(v4_);
    merge_ranges(v6_);
    sealed_ = true;
}

bool CidrSet::contains(const IpAddress& ip) const {
    assert(sealed_ && "CidrSet::contains before seal()");
    if (ip.is_v4()) {
        return find_in(v4_, ip.v4_value());
    }
    if (ip.is_v6()) {
        return find_in(v6_, ip.as_u128());
    }
    return false;
}

}  // namespace cyberalarm::core
