// IntelSet: indicators in one vector; addresses and prefixes flattened at seal() into sorted,
// disjoint intervals, each naming the most specific prefix ("node") that covers it.
//
// Why intervals rather than per-prefix-length hash tables: a miss in a hash design probes one
// table per prefix length present (up to 33 for IPv4, each a cache miss), while the interval
// array answers any address with one bucket read and a short binary search: a 65,536-entry
// bucket table on 16 address bits narrows the search to a few dozen intervals (two or three
// cache lines) for a million indicators. Expiry cannot be flattened (it depends on the query
// time), so each node keeps its parent: a lookup whose node has no live indicator walks up to
// the next less specific prefix.
#include "intel/intel_set.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <string>
#include <unordered_map>

namespace cyberalarm::intel {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxDomain = 253;

// All indicators for one distinct prefix or domain, best (highest confidence) first.
struct Node {
    std::uint32_t best = 0;    // index into indicators_ of the first in the group
    std::uint32_t first = 0;   // range in order_
    std::uint32_t count = 0;
    std::uint32_t parent = kNone;       // next less specific prefix, or kNone
    std::int64_t best_expires = kNever; // expiry of `best`, kNever if none: answers most
                                        // lookups without touching the indicator itself
    std::int64_t max_expires = kNever;  // latest expiry in the group; kNever if one never expires
};

template <typename Key>
struct Span {
    Key start;
    Key end;  // inclusive
    std::uint32_t node;
};

// Sorted interval starts with the node covering each interval (kNone for a gap), and a
// bucket table on the 16 bits below the prefix all indicators share (none for random IPv4;
// 2001:db8::/32, say, for an IPv6 feed), so a lookup searches only a few intervals.
template <typename Key>
struct RangeIndex {
    static constexpr unsigned kWidth = sizeof(Key) * 8;
    static constexpr unsigned kBucketBits = 16;

    std::vector<Key> starts;
    std::vector<std::uint32_t> nodes;
    std::vector<std::uint32_t> buckets;  // interval holding base + (b << shift); last = size-1
    Key base = 0;
    unsigned shift = 0;

    void emit(Key start, std::uint32_t node) {
        if (!nodes.empty() && nodes.back() == node) {
            return;
        }
        starts.push_back(start);
        nodes.push_back(node);
    }

    // `spans` sorted by start ascending, then end descending (outer before inner). Fills the
    // interval arrays and each node's parent.
    void build(const std::vector<Span<Key>>& spans, std::vector<Node>& all_nodes) {
        starts.clear();
        nodes.clear();
        const Key max = std::numeric_limits<Key>::max();
        std::vector<const Span<Key>*> stack;
        Key cursor = 0;
        bool exhausted = false;  // cursor passed max
        auto pop = [&] {
            const Span<Key>* top = stack.back();
            stack.pop_back();
            if (!exhausted && cursor <= top->end) {
                emit(cursor, top->node);
                if (top->end == max) {
                    exhausted = true;
                } else {
                    cursor = top->end + 1;
                }
            }
        };
        for (const auto& s : spans) {
            while (!stack.empty() && stack.back()->end < s.start) {
                pop();
            }
            if (cursor < s.start) {
                emit(cursor, stack.empty() ? kNone : stack.back()->node);
                cursor = s.start;
            }
            all_nodes[s.node].parent = stack.empty() ? kNone : stack.back()->node;
            stack.push_back(&s);
        }
        while (!stack.empty()) {
            pop();
        }
        if (!exhausted) {
            emit(cursor, kNone);
        }
        starts.shrink_to_fit();
        nodes.shrink_to_fit();
        build_buckets(spans);
    }

    void build_buckets(const std::vector<Span<Key>>& spans) {
        Key lo = 0;
        Key hi = 0;
        if (!spans.empty()) {
            lo = spans.front().start;
            for (const auto& s : spans) {
                hi = std::max(hi, s.end);
            }
        }
        unsigned common = 0;  // leading bits lo and hi share
        while (common < kWidth && ((lo ^ hi) >> (kWidth - 1 - common) & 1) == 0) {
            ++common;
        }
        unsigned free_bits = kWidth - common;
        unsigned bucket_bits = std::min(kBucketBits, free_bits);
        shift = free_bits - bucket_bits;
        base = common >= kWidth ? lo : lo & ~(~Key{0} >> common);
        std::size_t count = std::size_t{1} << bucket_bits;
        buckets.assign(count + 1, 0);
        std::size_t k = 0;
        for (std::size_t b = 0; b < count; ++b) {
            Key at = base + (static_cast<Key>(b) << shift);
            while (k + 1 < starts.size() && starts[k + 1] <= at) {
                ++k;
            }
            buckets[b] = static_cast<std::uint32_t>(k);
        }
        buckets[count] = static_cast<std::uint32_t>(starts.size() - 1);
    }

    // Index of the interval holding x.
    [[nodiscard]] std::size_t lookup(Key x) const {
        if (x < base) {
            return find(x, 0, buckets[0]);
        }
        std::size_t last = buckets.size() - 1;
        Key b = (x - base) >> shift;
        std::size_t i = b >= static_cast<Key>(last) ? last - 1 : static_cast<std::size_t>(b);
        std::size_t hi = b >= static_cast<Key>(last) ? buckets[last] : buckets[i + 1];
        return find(x, buckets[i], hi);
    }

    // Index of the last interval in [lo, hi] whose start <= x; starts[lo] <= x is required.
    [[nodiscard]] std::size_t find(Key x, std::size_t lo, std::size_t hi) const {
        const Key* p = starts.data() + lo;
        std::size_t len = hi - lo + 1;
        while (len > 1) {
            std::size_t half = len / 2;
            p = p[half] <= x ? p + half : p;
            len -= half;
        }
        return static_cast<std::size_t>(p - starts.data());
    }
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

bool live(const Indicator& ind, std::int64_t at_ns) {
    return at_ns == 0 || ind.expires_ns == 0 || at_ns < ind.expires_ns;
}

// Lower-cases and strips a trailing dot and a leading "*."; empty if not a plausible name.
std::string normalise_domain(std::string_view d) {
    if (d.size() >= 2 && d[0] == '*' && d[1] == '.') {
        d.remove_prefix(2);
    }
    if (!d.empty() && d.back() == '.') {
        d.remove_suffix(1);
    }
    if (d.empty() || d.size() > kMaxDomain) {
        return {};
    }
    std::string out(d);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

struct IntelSet::Impl {
    std::vector<Indicator> indicators;
    std::vector<std::uint32_t> order;
    std::vector<Node> nodes;
    RangeIndex<std::uint32_t> v4;
    RangeIndex<core::Uint128> v6;
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> domains;
    bool sealed = false;

    [[nodiscard]] const Indicator* resolve(std::uint32_t node, std::int64_t at_ns) const {
        while (node != kNone) {
            const Node& n = nodes[node];
            if (at_ns == 0) {
                return &indicators[n.best];
            }
            if (n.best_expires > at_ns) {
                return &indicators[n.best];
            }
            if (n.max_expires > at_ns) {
                for (std::uint32_t i = n.first; i < n.first + n.count; ++i) {
                    const Indicator& ind = indicators[order[i]];
                    if (live(ind, at_ns)) {
                        return &ind;
                    }
                }
            }
            node = n.parent;
        }
        return nullptr;
    }

    void build();
};

namespace {

// Sort key for grouping: family, prefix base, prefix length, then best first.
struct AddrKey {
    std::uint8_t family;  // 4, 6; domains are not in this sort
    core::Uint128 base;
    std::uint8_t prefix;
};

AddrKey addr_key(const Indicator& ind) {
    const core::Cidr& c = ind.prefix;
    unsigned bits = c.base.is_v4() ? c.prefix + 96u : c.prefix;
    core::Uint128 mask = bits == 0 ? 0 : ~static_cast<core::Uint128>(0) << (128 - bits);
    return {static_cast<std::uint8_t>(c.base.is_v4() ? 4 : 6), c.base.as_u128() & mask, c.prefix};
}

}  // namespace

void IntelSet::Impl::build() {
    order.clear();
    nodes.clear();
    domains.clear();
    std::vector<std::uint32_t> addrs;
    std::vector<std::uint32_t> names;
    for (std::uint32_t i = 0; i < indicators.size(); ++i) {
        (indicators[i].type == IndicatorType::kDomain ? names : addrs).push_back(i);
    }
    std::vector<AddrKey> keys(indicators.size());
    for (auto i : addrs) {
        keys[i] = addr_key(indicators[i]);
    }
    auto better = [&](std::uint32_t a, std::uint32_t b) {
        if (indicators[a].confidence != indicators[b].confidence) {
            return indicators[a].confidence > indicators[b].confidence;
        }
        return a < b;
    };
    std::sort(addrs.begin(), addrs.end(), [&](std::uint32_t a, std::uint32_t b) {
        const AddrKey& x = keys[a];
        const AddrKey& y = keys[b];
        if (x.family != y.family) {
            return x.family < y.family;
        }
        if (x.base != y.base) {
            return x.base < y.base;
        }
        if (x.prefix != y.prefix) {
            return x.prefix < y.prefix;  // outer before inner
        }
        return better(a, b);
    });
    std::sort(names.begin(), names.end(), [&](std::uint32_t a, std::uint32_t b) {
        if (indicators[a].domain != indicators[b].domain) {
            return indicators[a].domain < indicators[b].domain;
        }
        return better(a, b);
    });

    order.reserve(indicators.size());
    std::vector<Span<std::uint32_t>> spans4;
    std::vector<Span<core::Uint128>> spans6;
    auto group = [&](const std::vector<std::uint32_t>& idx, auto same, auto on_node) {
        for (std::size_t i = 0; i < idx.size();) {
            std::size_t j = i + 1;
            while (j < idx.size() && same(idx[i], idx[j])) {
                ++j;
            }
            Node n;
            n.best = idx[i];
            n.first = static_cast<std::uint32_t>(order.size());
            n.count = static_cast<std::uint32_t>(j - i);
            n.max_expires = 0;
            for (std::size_t k = i; k < j; ++k) {
                order.push_back(idx[k]);
                std::int64_t e = indicators[idx[k]].expires_ns;
                n.max_expires = std::max(n.max_expires, e == 0 ? kNever : e);
            }
            std::int64_t best = indicators[idx[i]].expires_ns;
            n.best_expires = best == 0 ? kNever : best;
            nodes.push_back(n);
            on_node(idx[i], static_cast<std::uint32_t>(nodes.size() - 1));
            i = j;
        }
    };
    group(
        addrs,
        [&](std::uint32_t a, std::uint32_t b) {
            return keys[a].family == keys[b].family && keys[a].base == keys[b].base &&
                   keys[a].prefix == keys[b].prefix;
        },
        [&](std::uint32_t ind, std::uint32_t node) {
            const AddrKey& k = keys[ind];
            if (k.family == 4) {
                auto base = static_cast<std::uint32_t>(k.base);
                std::uint32_t host = k.prefix >= 32 ? 0 : ~std::uint32_t{0} >> k.prefix;
                spans4.push_back({base, base | host, node});
            } else {
                core::Uint128 host =
                    k.prefix >= 128 ? 0 : ~static_cast<core::Uint128>(0) >> k.prefix;
                spans6.push_back({k.base, k.base | host, node});
            }
        });
    group(
        names,
        [&](std::uint32_t a, std::uint32_t b) {
            return indicators[a].domain == indicators[b].domain;
        },
        [&](std::uint32_t ind, std::uint32_t node) { domains.emplace(indicators[ind].domain, node); });

    v4.build(spans4, nodes);
    v6.build(spans6, nodes);
    sealed = true;
}

IntelSet::IntelSet() : impl_(std::make_unique<Impl>()) {}
IntelSet::~IntelSet() = default;
IntelSet::IntelSet(IntelSet&&) noexcept = default;
IntelSet& IntelSet::operator=(IntelSet&&) noexcept = default;

void IntelSet::add(Indicator indicator) {
    if (indicator.type == IndicatorType::kDomain) {
        indicator.domain = normalise_domain(indicator.domain);
        if (indicator.domain.empty()) {
            return;
        }
    } else {
        const core::Cidr& c = indicator.prefix;
        unsigned max = c.base.is_v4() ? 32 : 128;
        if (!c.base.is_set() || c.prefix > max) {
            return;
        }
        indicator.type = c.prefix == max ? IndicatorType::kAddress : IndicatorType::kPrefix;
    }
    indicator.confidence = std::clamp(indicator.confidence, 0, 100);
    if (impl_->indicators.size() >= kNone - 1) {
        return;  // node and order indices are 32-bit
    }
    impl_->indicators.push_back(std::move(indicator));
    impl_->sealed = false;
}

void IntelSet::seal() {
    if (!impl_->sealed) {
        impl_->build();
    }
}

const Indicator* IntelSet::match(const core::IpAddress& ip, std::int64_t at_ns) const {
    const Impl& m = *impl_;
    if (!m.sealed) {
        return nullptr;
    }
    if (ip.is_v4()) {
        return m.resolve(m.v4.nodes[m.v4.lookup(ip.v4_value())], at_ns);
    }
    if (ip.is_v6()) {
        return m.resolve(m.v6.nodes[m.v6.lookup(ip.as_u128())], at_ns);
    }
    return nullptr;
}

const Indicator* IntelSet::match_domain(std::string_view domain, std::int64_t at_ns) const {
    const Impl& m = *impl_;
    if (!m.sealed || m.domains.empty()) {
        return nullptr;
    }
    std::array<char, kMaxDomain + 1> buf{};
    if (!domain.empty() && domain.back() == '.') {
        domain.remove_suffix(1);
    }
    if (domain.empty() || domain.size() > kMaxDomain) {
        return nullptr;
    }
    for (std::size_t i = 0; i < domain.size(); ++i) {
        buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(domain[i])));
    }
    std::string_view name(buf.data(), domain.size());
    // The name itself, then each parent: a.b.evil.example, b.evil.example, evil.example …
    while (!name.empty()) {
        if (auto it = m.domains.find(name); it != m.domains.end()) {
            if (const Indicator* hit = m.resolve(it->second, at_ns)) {
                return hit;
            }
        }
        auto dot = name.find('.');
        if (dot == std::string_view::npos) {
            break;
        }
        name.remove_prefix(dot + 1);
    }
    return nullptr;
}

std::size_t IntelSet::size() const { return impl_->indicators.size(); }

}  // namespace cyberalarm::intel
