#include <gtest/gtest.h>

#include "report/internal/heavy_hitters.h"
#include "report/internal/timeline.h"
#include "report/report.h"
#include "report/sample_input.h"

namespace cyberalarm::report {
namespace {

using test::kWeekStartNs;
using test::make_event;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kHour = 3600 * kSecond;

TEST(SummaryBuilder, CountsActionsCategoriesAndFormats) {
    SummaryBuilder b;
    b.add(make_event(kWeekStartNs, "198.51.100.1", "203.0.113.1", 22, core::Action::kDeny));
    b.add(make_event(kWeekStartNs + 1, "198.51.100.1", "203.0.113.1", 22, core::Action::kDrop));
    b.add(make_event(kWeekStartNs + 2, "198.51.100.2", "203.0.113.1", 443, core::Action::kAllow));
    auto ids =
        make_event(kWeekStartNs + 3, "198.51.100.3", "203.0.113.1", 80, core::Action::kAlert);
    ids.category = core::Category::kIds;
    ids.format = "suricata_eve";
    b.add(ids);
    core::Event no_time;  // counted, but not on the timeline
    b.add(no_time);

    auto s = b.finish();
    EXPECT_EQ(s.events, 5u);
    EXPECT_EQ(s.blocked, 2u);
    EXPECT_EQ(s.allowed, 1u);
    EXPECT_EQ(s.alerts, 1u);
    EXPECT_EQ(s.by_category.at("firewall"), 4u);
    EXPECT_EQ(s.by_category.at("ids"), 1u);
    EXPECT_EQ(s.by_format.at("fortigate"), 3u);
    EXPECT_EQ(s.by_format.at("suricata_eve"), 1u);
    EXPECT_EQ(s.by_format.at("unknown"), 1u);
    EXPECT_EQ(s.first_ns, kWeekStartNs);
    EXPECT_EQ(s.last_ns, kWeekStartNs + 3);
    std::uint64_t on_timeline = 0;
    for (auto n : s.timeline_total) {
        on_timeline += n;
    }
    EXPECT_EQ(on_timeline, 4u);
    ASSERT_EQ(s.top_sources.size(), 3u);
    EXPECT_EQ(s.top_sources[0].key, "198.51.100.1");
    EXPECT_EQ(s.top_sources[0].count, 2u);
    ASSERT_EQ(s.top_ports.size(), 3u);
    EXPECT_EQ(s.top_ports[0].key, "22/tcp");
    EXPECT_EQ(s.top_ports[0].count, 2u);
    EXPECT_FALSE(s.top_approximate);
}

TEST(SummaryBuilder, OnlyExternalSourcesCount) {
    SummaryBuilder b;
    auto out = make_event(kWeekStartNs, "10.0.0.5", "198.51.100.9", 443, core::Action::kAllow);
    out.direction = core::Direction::kOutbound;
    b.add(out);
    auto unknown_private = out;
    unknown_private.direction = core::Direction::kUnknown;
    b.add(unknown_private);
    auto unknown_public = make_event(kWeekStartNs, "198.51.100.9", "10.0.0.5", 53,
                                     core::Action::kDeny, core::Transport::kUdp);
    unknown_public.direction = core::Direction::kUnknown;
    b.add(unknown_public);
    auto s = b.finish();
    ASSERT_EQ(s.top_sources.size(), 1u);
    EXPECT_EQ(s.top_sources[0].key, "198.51.100.9");
    ASSERT_EQ(s.top_ports.size(), 1u);
    EXPECT_EQ(s.top_ports[0].key, "53/udp");
}

TEST(Timeline, MergesPairsWhenSpanOutgrowsMaximum) {
    internal::Timeline t;
    EXPECT_EQ(t.width_ns(), internal::Timeline::kBaseWidthNs);
    // One event per hour for a week, plus one blocked: ends in 1-hour buckets (168 of them).
    for (std::int64_t h = 0; h < 168; ++h) {
        t.add(kWeekStartNs + h * kHour + 10 * kSecond, h == 5);
    }
    EXPECT_EQ(t.width_ns(), kHour);
    EXPECT_EQ(t.start_ns(), kWeekStartNs);
    ASSERT_EQ(t.buckets().size(), 168u);
    for (const auto& b : t.buckets()) {
        EXPECT_EQ(b.total, 1u);
    }
    EXPECT_EQ(t.buckets()[5].blocked, 1u);
    // A second week doubles the width; pairs merge and nothing is lost.
    for (std::int64_t h = 168; h < 336; ++h) {
        t.add(kWeekStartNs + h * kHour, false);
    }
    EXPECT_EQ(t.width_ns(), 2 * kHour);
    ASSERT_EQ(t.buckets().size(), 168u);
    EXPECT_EQ(t.buckets()[0].total, 2u);
    EXPECT_EQ(t.buckets()[2].blocked, 1u);
}

TEST(Timeline, GrowsLeftForOutOfOrderEventsAndStaysBounded) {
    internal::Timeline t;
    t.add(kWeekStartNs + 10 * kHour, false);
    t.add(kWeekStartNs, true);  // earlier than the first
    EXPECT_LE(t.start_ns(), kWeekStartNs);
    EXPECT_EQ(t.start_ns() % t.width_ns(), 0);
    EXPECT_LE(t.buckets().size(), internal::Timeline::kMaxBuckets);
    std::uint64_t total = 0;
    std::uint64_t blocked = 0;
    for (const auto& b : t.buckets()) {
        total += b.total;
        blocked += b.blocked;
    }
    EXPECT_EQ(total, 2u);
    EXPECT_EQ(blocked, 1u);
    EXPECT_EQ(t.buckets().front().blocked, 1u);
    // A stamp years away still fits in the bound.
    t.add(kWeekStartNs + 3 * 365 * 24 * kHour, false);
    t.add(kSecond, false);
    EXPECT_LE(t.buckets().size(), internal::Timeline::kMaxBuckets);
    EXPECT_EQ(t.buckets().front().total, 1u);
    EXPECT_EQ(t.buckets().back().total, 1u);
}

TEST(HeavyHitters, ExactUntilFullThenBoundedWithErrorBound) {
    internal::HeavyHitters<std::uint32_t> h(4);
    for (std::uint32_t k = 0; k < 4; ++k) {
        h.add(k);
    }
    EXPECT_FALSE(h.approximate());
    for (int i = 0; i < 100; ++i) {
        h.add(7);
    }
    EXPECT_TRUE(h.approximate());
    for (std::uint32_t k = 100; k < 200; ++k) {
        h.add(k);  // a stream of one-offs
        h.add(7);
    }
    EXPECT_LE(h.size(), 4u);
    auto top = h.top(1);
    ASSERT_EQ(top.size(), 1u);
    EXPECT_EQ(top[0].first, 7u);
    EXPECT_LE(top[0].second, 200u);
    EXPECT_GE(top[0].second + h.max_error(), 200u);
}

TEST(SummaryBuilder, MillionEventsStayWithinBoundedMemory) {
    constexpr std::size_t kMaxKeys = 1000;
    SummaryBuilder b(kMaxKeys);
    auto e = make_event(kWeekStartNs, "198.51.100.1", "203.0.113.1", 22, core::Action::kDeny);
    const auto heavy = *core::IpAddress::parse("192.0.2.66");
    for (std::uint32_t i = 0; i < 1'000'000; ++i) {
        // Every tenth event comes from one address; the rest from a million others.
        e.src_ip = i % 10 == 0 ? heavy : core::IpAddress::v4(0x2D000000u + i);
        e.dst_port = static_cast<std::uint16_t>(i % 10 == 0 ? 3389 : 1024 + i % 60000);
        // Spread over 30 days.
        e.time_ns = kWeekStartNs + static_cast<std::int64_t>(i) * 2592 * 1'000'000;
        e.action = i % 2 == 0 ? core::Action::kDeny : core::Action::kAllow;
        b.add(e);
        if (i % 100'000 == 0) {
            EXPECT_LE(b.tracked_keys(), 2 * kMaxKeys);
        }
    }
    EXPECT_LE(b.tracked_keys(), 2 * kMaxKeys);
    auto s = b.finish();
    EXPECT_EQ(s.events, 1'000'000u);
    EXPECT_EQ(s.blocked, 500'000u);
    EXPECT_LE(s.timeline_total.size(), internal::Timeline::kMaxBuckets);
    EXPECT_GE(s.timeline_total.size(), 48u);
    EXPECT_EQ(s.bucket_ns, 4 * kHour);  // a month in 4-hour buckets
    EXPECT_LE(s.top_sources.size(), 10u);
    EXPECT_LE(s.top_ports.size(), 10u);
    EXPECT_TRUE(s.top_approximate);
    ASSERT_FALSE(s.top_sources.empty());
    EXPECT_EQ(s.top_sources[0].key, "192.0.2.66");
    EXPECT_EQ(s.top_ports[0].key, "3389/tcp");
    EXPECT_LE(s.top_sources[0].count, 100'000u);
    EXPECT_GE(s.top_sources[0].count + s.top_error, 100'000u);
    std::uint64_t total = 0;
    for (auto n : s.timeline_total) {
        total += n;
    }
    EXPECT_EQ(total, 1'000'000u);
}

}  // namespace
}  // namespace cyberalarm::report
