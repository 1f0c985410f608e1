#include "store/sqlite/internal/event_blocks.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>

#include "core/event_codec.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::uint8_t kBodyVersion = 1;
constexpr std::uint8_t kFilterVersion = 1;
constexpr std::size_t kBodyHeader = 5;    // version, count
constexpr std::size_t kFilterHeader = 2;  // version, probes
constexpr std::uint8_t kProbes = 4;
constexpr std::size_t kBitsPerKey = 10;  // about 1% false positives with 4 probes
constexpr std::size_t kMinFilterBytes = 8;
constexpr std::size_t kMaxFilterBytes = std::size_t{1} << 20;

enum class KeyKind : std::uint8_t { kAddress = 1, kPort = 2, kCategory = 3, kAction = 4 };

// A fixed 64-bit hash (FNV-1a, then a SplitMix64 finaliser to spread the bits): it is part
// of the stored format, so it must not depend on the standard library's std::hash.
std::uint64_t key_hash(KeyKind kind, const void* data, std::size_t n) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    const auto step = [&h](std::uint8_t b) {
        h ^= b;
        h *= 0x100000001b3ULL;
    };
    step(static_cast<std::uint8_t>(kind));
    const auto* p = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < n; ++i) {
        step(p[i]);
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

std::uint64_t address_key(const core::IpAddress& ip) {
    const auto& b = ip.bytes();
    return key_hash(KeyKind::kAddress, b.data(), b.size());
}
std::uint64_t port_key(std::uint16_t port) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(port), static_cast<std::uint8_t>(port >> 8)};
    return key_hash(KeyKind::kPort, b, 2);
}
std::uint64_t byte_key(KeyKind kind, std::uint8_t value) { return key_hash(kind, &value, 1); }

// The keys of one event, as a search asks for them.
template <typename Add>
void event_keys(const core::Event& e, Add add) {
    if (e.src_ip.is_set()) {
        add(address_key(e.src_ip));
    }
    if (e.dst_ip.is_set()) {
        add(address_key(e.dst_ip));
    }
    if (e.has(core::Event::kDstPort)) {
        add(port_key(e.dst_port));
    }
    add(byte_key(KeyKind::kCategory, static_cast<std::uint8_t>(e.category)));
    add(byte_key(KeyKind::kAction, static_cast<std::uint8_t>(e.action)));
}

// Bit i of probe j: double hashing over the two halves of the 64-bit hash.
template <typename Bit>
void probes(std::uint64_t h, std::size_t bits, std::uint8_t k, Bit bit) {
    const std::uint64_t h1 = h;
    const std::uint64_t h2 = (h >> 32) | 1;
    for (std::uint8_t j = 0; j < k; ++j) {
        bit((h1 + j * h2) & (bits - 1));
    }
}

// Distinct 64-bit hashes, by open addressing (0 marks an empty slot; a zero hash is taken
// as 1, which only merges two keys in the filter, never loses one).
class HashSet {
public:
    explicit HashSet(std::size_t expected)
        : slots_(std::bit_ceil(std::max<std::size_t>(16, expected * 2)), 0) {}
    void add(std::uint64_t h) {
        h = h == 0 ? 1 : h;
        for (std::size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
            if (slots_[i] == h) {
                return;
            }
            if (slots_[i] == 0) {
                slots_[i] = h;
                ++size_;
                return;
            }
        }
    }
    template <typename F>
    void each(F f) const {
        for (const std::uint64_t h : slots_) {
            if (h != 0) {
                f(h);
            }
        }
    }
    [[nodiscard]] std::size_t size() const { return size_; }

private:
    std::vector<std::uint64_t> slots_;
    std::size_t size_ = 0;
};

std::string make_filter(std::span<const core::Event* const> events) {
    HashSet keys(events.size() * 3);
    for (const core::Event* e : events) {
        event_keys(*e, [&](std::uint64_t h) { keys.add(h); });
    }
    const std::size_t bytes = std::clamp(std::bit_ceil((keys.size() * kBitsPerKey + 7) / 8),
                                         kMinFilterBytes, kMaxFilterBytes);
    std::string filter(kFilterHeader + bytes, '\0');
    filter[0] = static_cast<char>(kFilterVersion);
    filter[1] = static_cast<char>(kProbes);
    auto* bits = reinterpret_cast<std::uint8_t*>(filter.data() + kFilterHeader);
    keys.each([&](std::uint64_t h) {
        probes(h, bytes * 8, kProbes, [&](std::uint64_t b) { bits[b / 8] |= std::uint8_t(1u << (b % 8)); });
    });
    return filter;
}

void put_u32(std::string& out, std::uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) {
        b[i] = static_cast<char>(v >> (8 * i));
    }
    out.append(b, 4);
}

void put_i64(std::string& out, std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    char b[8];
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<char>(u >> (8 * i));
    }
    out.append(b, 8);
}

std::uint64_t get_le(std::string_view s, std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) {
        v = (v << 8) | static_cast<std::uint8_t>(s[at + static_cast<std::size_t>(i)]);
    }
    return v;
}

core::Error corrupt(const std::string& why) {
    return core::Error::corrupt("stored event block: " + why);
}

}  // namespace

EncodedBlock encode_sorted_block(std::span<const core::Event* const> events) {
    EncodedBlock block;
    block.count = static_cast<std::uint32_t>(events.size());
    block.min_time_ns = events.front()->time_ns;
    block.max_time_ns = events.back()->time_ns;
    block.filter = make_filter(events);
    // Header, times and room for the end offsets, then each encoding appended in place (its
    // end offset written as it goes): the events are copied once.
    std::string& body = block.body;
    body.reserve(kBodyHeader + events.size() * 92);
    body.push_back(static_cast<char>(kBodyVersion));
    put_u32(body, block.count);
    for (const core::Event* e : events) {
        put_i64(body, e->time_ns);
    }
    const std::size_t ends_at = body.size();
    body.resize(ends_at + 4 * events.size());
    const std::size_t data_at = body.size();
    for (std::size_t i = 0; i < events.size(); ++i) {
        core::encode_event(*events[i], body);
        const auto end = static_cast<std::uint32_t>(body.size() - data_at);
        for (std::size_t b = 0; b < 4; ++b) {
            body[ends_at + 4 * i + b] = static_cast<char>(end >> (8 * b));
        }
    }
    return block;
}

std::vector<EncodedBlock> encode_blocks(std::span<const core::Event> events) {
    std::vector<const core::Event*> sorted(events.size());
    std::transform(events.begin(), events.end(), sorted.begin(), [](const core::Event& e) { return &e; });
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const core::Event* a, const core::Event* b) { return a->time_ns < b->time_ns; });
    std::vector<EncodedBlock> blocks;
    // Even blocks: 5000 events make two of 2500, not one of 4096 and one of 904.
    const std::size_t n_blocks = (sorted.size() + kBlockEvents - 1) / kBlockEvents;
    for (std::size_t b = 0, at = 0; b < n_blocks; ++b) {
        const std::size_t end = sorted.size() * (b + 1) / n_blocks;
        blocks.push_back(encode_sorted_block(std::span(sorted).subspan(at, end - at)));
        at = end;
    }
    return blocks;
}

bool filter_may_match(std::string_view filter, const EventQuery& query) {
    const std::size_t bytes = filter.size() < kFilterHeader ? 0 : filter.size() - kFilterHeader;
    const auto k = filter.empty() ? 0 : static_cast<std::uint8_t>(filter[1 % filter.size()]);
    if (filter.empty() || static_cast<std::uint8_t>(filter[0]) != kFilterVersion || k == 0 ||
        k > 16 || bytes < kMinFilterBytes || bytes > kMaxFilterBytes || !std::has_single_bit(bytes)) {
        return true;
    }
    const auto* bits = reinterpret_cast<const std::uint8_t*>(filter.data() + kFilterHeader);
    const auto has = [&](std::uint64_t h) {
        h = h == 0 ? 1 : h;
        bool all = true;
        probes(h, bytes * 8, k, [&](std::uint64_t b) { all = all && (bits[b / 8] >> (b % 8) & 1) != 0; });
        return all;
    };
    if (query.address && (!query.address->is_set() || !has(address_key(*query.address)))) {
        return false;
    }
    if (query.port && !has(port_key(*query.port))) {
        return false;
    }
    if (query.category && !has(byte_key(KeyKind::kCategory, static_cast<std::uint8_t>(*query.category)))) {
        return false;
    }
    return !query.action || has(byte_key(KeyKind::kAction, static_cast<std::uint8_t>(*query.action)));
}

bool event_matches(const core::Event& e, const EventQuery& q) {
    if (q.address) {
        const auto& want = q.address->bytes();
        const bool src = e.src_ip.is_set() && e.src_ip.bytes() == want;
        const bool dst = e.dst_ip.is_set() && e.dst_ip.bytes() == want;
        if (!q.address->is_set() || (!src && !dst)) {
            return false;
        }
    }
    if (q.port && (!e.has(core::Event::kDstPort) || e.dst_port != *q.port)) {
        return false;
    }
    if (q.category && e.category != *q.category) {
        return false;
    }
    return !q.action || e.action == *q.action;
}

core::Result<BlockView> BlockView::parse(std::string_view body) {
    if (body.size() < kBodyHeader || static_cast<std::uint8_t>(body[0]) != kBodyVersion) {
        return core::fail(corrupt("unknown version or truncated header"));
    }
    BlockView v;
    v.body_ = body;
    v.count_ = get_le(body, 1, 4);
    if (v.count_ == 0 || v.count_ > kBlockEvents) {
        return core::fail(corrupt("event count " + std::to_string(v.count_) + " out of range"));
    }
    v.times_at_ = kBodyHeader;
    v.ends_at_ = v.times_at_ + 8 * v.count_;
    v.data_at_ = v.ends_at_ + 4 * v.count_;
    if (body.size() < v.data_at_) {
        return core::fail(corrupt("truncated index"));
    }
    const std::size_t data = body.size() - v.data_at_;
    std::uint64_t prev_end = 0;
    for (std::size_t i = 0; i < v.count_; ++i) {
        const std::uint64_t end = get_le(body, v.ends_at_ + 4 * i, 4);
        if (end <= prev_end || end > data) {
            return core::fail(corrupt("event " + std::to_string(i) + " has a bad length"));
        }
        prev_end = end;
        if (i > 0 && v.time(i) < v.time(i - 1)) {
            return core::fail(corrupt("times out of order"));
        }
    }
    if (prev_end != data) {
        return core::fail(corrupt("trailing bytes"));
    }
    return v;
}

std::int64_t BlockView::time(std::size_t i) const {
    return static_cast<std::int64_t>(get_le(body_, times_at_ + 8 * i, 8));
}

std::string_view BlockView::encoded(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : get_le(body_, ends_at_ + 4 * (i - 1), 4);
    const std::size_t end = get_le(body_, ends_at_ + 4 * i, 4);
    return body_.substr(data_at_ + begin, end - begin);
}

core::Result<core::Event> BlockView::event(std::size_t i) const {
    const std::string_view bytes = encoded(i);
    std::size_t used = 0;
    auto e = core::decode_event(std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()),
                                &used);
    if (!e || used != bytes.size()) {
        return core::fail(corrupt("event " + std::to_string(i) + " does not decode"));
    }
    if (e->time_ns != time(i)) {
        return core::fail(corrupt("event " + std::to_string(i) + " disagrees with its time"));
    }
    return e;
}

}  // namespace cyberalarm::store::sqlite
