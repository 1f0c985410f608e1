// The engine's bounded group table and distinct sets against simple reference models.
#include "detect/internal/group_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <list>
#include <map>
#include <random>
#include <set>

#include "detect/internal/finding_book.h"

namespace cyberalarm::detect::internal {
namespace {

struct Value {
    int hits = 0;
    int resets = 0;
    void reset() {
        hits = 0;
        ++resets;
    }
};

GroupKey key_of(std::uint32_t n) {
    core::Event e;
    e.src_ip = core::IpAddress::v4(0xC6330000u + n);
    GroupKey k;
    append_field(k, e, Field::kSourceIp);
    return k;
}

// Random touches with eviction at a bound, checked step by step against a map and a list
// in update order: same size, same oldest, same hit counts (so values survive rehashing,
// backward-shift deletion and slot reuse intact).
TEST(GroupTable, MatchesAReferenceLruUnderRandomTouchesAndEvictions) {
    constexpr std::size_t kBound = 97;
    GroupTable<Value> table;
    std::map<std::uint32_t, int> ref_hits;
    std::list<std::uint32_t> ref_order;  // least recently updated first
    std::mt19937 rng(7);
    std::uint64_t evicted = 0;
    for (int step = 0; step < 200'000; ++step) {
        // A skewed key space: some keys come back often, most rarely.
        const std::uint32_t n = rng() % 4 == 0 ? rng() % 50 : rng() % 5000;
        bool inserted = false;
        Value& v = table.touch(key_of(n), inserted);
        ++v.hits;
        const bool ref_new = !ref_hits.contains(n);
        ASSERT_EQ(inserted, ref_new) << "step " << step;
        if (!ref_new) {
            ref_order.remove(n);
        }
        ref_order.push_back(n);
        ASSERT_EQ(v.hits, ++ref_hits[n]) << "step " << step;
        if (table.size() > kBound) {
            ASSERT_EQ(table.oldest().hits, ref_hits[ref_order.front()]);
            table.pop_oldest();
            ref_hits.erase(ref_order.front());
            ref_order.pop_front();
            ++evicted;
        }
        ASSERT_EQ(table.size(), ref_hits.size());
    }
    EXPECT_GT(evicted, 100'000u);
    // Emptying from the oldest end follows the reference order.
    while (!table.empty()) {
        EXPECT_EQ(table.oldest().hits, ref_hits[ref_order.front()]);
        ref_hits.erase(ref_order.front());
        ref_order.pop_front();
        table.pop_oldest();
    }
    EXPECT_TRUE(ref_order.empty());
}

TEST(GroupTable, AReusedSlotStartsReset) {
    GroupTable<Value> table;
    bool inserted = false;
    table.touch(key_of(1), inserted).hits = 5;
    table.pop_oldest();
    Value& v = table.touch(key_of(2), inserted);
    EXPECT_TRUE(inserted);
    EXPECT_EQ(v.hits, 0);
    EXPECT_EQ(v.resets, 1);
}

TEST(DistinctSet, CountsExactlyAndListsTheSmallestValuesSorted) {
    DistinctSet<core::IpAddress, IpHash> set;
    std::set<core::IpAddress> ref;
    std::mt19937 rng(3);
    for (int i = 0; i < 20'000; ++i) {
        const auto ip = core::IpAddress::v4(0x0A000000u + rng() % 5000);
        EXPECT_EQ(set.insert(ip), ref.insert(ip).second);
    }
    EXPECT_EQ(set.size(), ref.size());
    std::vector<core::IpAddress> smallest(ref.begin(), std::next(ref.begin(), kMaxListed));
    EXPECT_EQ(set.listed(), smallest);

    DistinctSet<std::uint16_t, PortHash> ports;
    for (std::uint16_t p : {443, 22, 443, 80, 22}) {
        ports.insert(p);
    }
    EXPECT_EQ(ports.size(), 3u);
    EXPECT_EQ(ports.listed(), (std::vector<std::uint16_t>{22, 80, 443}));
}

}  // namespace
}  // namespace cyberalarm::detect::internal
