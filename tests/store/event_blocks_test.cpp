// Event blocks (src/store/sqlite/internal/event_blocks.h): encoding sorts by time and splits
// evenly, bodies round-trip, the filter never loses a key, and damaged bytes are refused.
#include "store/sqlite/internal/event_blocks.h"

#include <gtest/gtest.h>

#include <random>

#include "core/event_codec.h"
#include "store_conformance.h"

namespace cyberalarm::store::test {
namespace {

using sqlite::BlockView;
using sqlite::encode_blocks;

std::vector<core::Event> random_events(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::vector<core::Event> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(make_event(static_cast<std::int64_t>(rng() % 1000),
                                 "198.51.100." + std::to_string(rng() % 250), "192.0.2.7",
                                 static_cast<std::uint16_t>(1 + rng() % 2000),
                                 rng() % 2 ? core::Category::kIds : core::Category::kFirewall));
    }
    return out;
}

TEST(EventBlocks, SortByTimeStablyAndSplitEvenly) {
    const auto events = random_events(5000, 1);
    const auto blocks = encode_blocks(events);
    ASSERT_EQ(blocks.size(), 2u);  // 2 × 2500, not 4096 + 904
    std::vector<core::Event> expected = events;
    std::stable_sort(expected.begin(), expected.end(),
                     [](const core::Event& a, const core::Event& b) { return a.time_ns < b.time_ns; });
    std::size_t at = 0;
    for (const auto& b : blocks) {
        EXPECT_EQ(b.count, 2500u);
        auto v = BlockView::parse(b.body);
        ASSERT_TRUE(v) << v.error().to_string();
        ASSERT_EQ(v->size(), b.count);
        EXPECT_EQ(v->time(0), b.min_time_ns);
        EXPECT_EQ(v->time(v->size() - 1), b.max_time_ns);
        for (std::size_t i = 0; i < v->size(); ++i, ++at) {
            auto e = v->event(i);
            ASSERT_TRUE(e) << e.error().to_string();
            EXPECT_EQ(*e, expected[at]);
        }
    }
    EXPECT_EQ(at, events.size());
    EXPECT_TRUE(encode_blocks({}).empty());
}

TEST(EventBlocks, FilterNeverMissesAKeyAndRejectsMostOthers) {
    const auto events = random_events(4000, 2);
    const auto blocks = encode_blocks(events);
    ASSERT_EQ(blocks.size(), 1u);
    const std::string& filter = blocks[0].filter;
    for (const auto& e : events) {
        EventQuery q;
        q.address = e.src_ip;
        q.port = e.dst_port;
        q.category = e.category;
        q.action = e.action;
        EXPECT_TRUE(sqlite::filter_may_match(filter, q));
        EXPECT_TRUE(sqlite::event_matches(e, q));
        q.address = e.dst_ip;
        EXPECT_TRUE(sqlite::filter_may_match(filter, q));
    }
    // Ports 3000..12999 are in no event: about 1% may pass (a false positive), not more.
    int passed = 0;
    for (int p = 3000; p < 13000; ++p) {
        EventQuery q;
        q.port = static_cast<std::uint16_t>(p);
        passed += sqlite::filter_may_match(filter, q) ? 1 : 0;
    }
    EXPECT_LT(passed, 300);
    EventQuery av;
    av.category = core::Category::kAv;
    EXPECT_FALSE(sqlite::filter_may_match(filter, av));
    // A filter that is not one says "maybe": the exact check after decoding decides.
    EXPECT_TRUE(sqlite::filter_may_match("", av));
    EXPECT_TRUE(sqlite::filter_may_match("\x07\x04xxxxxxxx", av));
}

TEST(EventBlocks, ExactMatchNeedsThePortPresent) {
    core::Event e = make_event(1, "198.51.100.1", "192.0.2.1", 22);
    EventQuery q;
    q.port = 22;
    EXPECT_TRUE(sqlite::event_matches(e, q));
    e.present &= ~core::Event::kDstPort;
    EXPECT_FALSE(sqlite::event_matches(e, q));
    q = {};
    q.address = *core::IpAddress::parse("192.0.2.1");
    EXPECT_TRUE(sqlite::event_matches(e, q));
    q.address = *core::IpAddress::parse("192.0.2.2");
    EXPECT_FALSE(sqlite::event_matches(e, q));
}

TEST(EventBlocks, DamagedBodiesAreRefused) {
    const auto blocks = encode_blocks(random_events(50, 3));
    const std::string& body = blocks[0].body;
    // Every truncation is refused (the lengths no longer add up), never over-read.
    for (std::size_t n = 0; n < body.size(); ++n) {
        auto v = BlockView::parse(std::string_view(body).substr(0, n));
        EXPECT_FALSE(v) << n;
        if (!v) {
            EXPECT_EQ(v.error().code(), core::ErrorCode::kCorrupt);
        }
    }
    std::string bad = body;
    bad[0] = 2;  // unknown version
    EXPECT_FALSE(BlockView::parse(bad));
    bad = body;
    bad[12] = 0x7f;  // the first time's top byte: now later than the second
    EXPECT_FALSE(BlockView::parse(bad));
    // An event whose bytes were changed: the block parses, the event is refused.
    bad = body;
    bad[body.size() - 1] = static_cast<char>(0xff);
    bad[5 + 8 * 50 + 4 * 50] = 9;  // first event's version byte
    auto v = BlockView::parse(bad);
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->event(0));
}

}  // namespace
}  // namespace cyberalarm::store::test
