// Conformance: ingest (counters, revocation, durability), search filters, pagination (also
// while events arrive), and summaries.
#include <set>
#include <thread>

#include "store_conformance.h"

namespace cyberalarm::store::test {
namespace {

using core::ErrorCode;

constexpr std::int64_t kSec = 1'000'000'000;

// 100 events for col-a at t = 1..100 s: sources 203.0.113.(i % 10), ports cycling
// 22/80/443/3389, every fifth an IDS alert, every third allowed.
std::vector<core::Event> sample_events() {
    std::vector<core::Event> out;
    const std::uint16_t ports[] = {22, 80, 443, 3389};
    for (int i = 1; i <= 100; ++i) {
        out.push_back(make_event(i * kSec, "203.0.113." + std::to_string(i % 10), "192.0.2.10",
                                 ports[i % 4],
                                 i % 5 == 0 ? core::Category::kIds : core::Category::kFirewall,
                                 i % 3 == 0 ? core::Action::kAllow : core::Action::kDeny));
    }
    return out;
}

std::vector<EventRecord> all_pages(Store& store, const Scope& scope, EventQuery q) {
    std::vector<EventRecord> out;
    for (int guard = 0; guard < 10'000; ++guard) {
        auto page = store.search_events(scope, q);
        EXPECT_TRUE(page) << page.error().to_string();
        if (!page) {
            break;
        }
        out.insert(out.end(), page->items.begin(), page->items.end());
        if (page->next_cursor.empty()) {
            break;
        }
        q.cursor = page->next_cursor;
    }
    return out;
}

TEST_P(StoreConformance, AppendMovesCollectorCounters) {
    const Tenants t = make_tree();
    const auto events = sample_events();
    ASSERT_TRUE(store_->append_events("col-a", events, 100, 5000));
    ASSERT_TRUE(store_->append_events("col-a", std::span(events).first(10), 90, 6000));
    auto c = store_->get_collector("col-a");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->high_water, 100u);  // never moves back
    EXPECT_EQ(c->events_total, 110u);
    EXPECT_EQ(c->last_seen_ns, 6000);
    EXPECT_EQ(store_->append_events("nope", events, 1, 1).error().code(), ErrorCode::kNotFound);
    ASSERT_TRUE(store_->revoke_collector("col-b", 1));
    EXPECT_EQ(store_->append_events("col-b", events, 1, 1).error().code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(store_->get_collector("col-b")->events_total, 0u);
    auto b_events = store_->search_events(Scope::of({t.b.id}), EventQuery{});
    ASSERT_TRUE(b_events);
    EXPECT_TRUE(b_events->items.empty());
}

TEST_P(StoreConformance, EventsRoundTripAndSurviveReopen) {
    const Tenants t = make_tree();
    const auto events = sample_events();
    ASSERT_TRUE(store_->append_events("col-a", events, 100, 1));
    reopen();
    auto page = store_->search_events(Scope::of({t.a.id}), EventQuery{});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 100u);
    // Newest first, every field kept.
    EXPECT_EQ(page->items.front().event, events.back());
    EXPECT_EQ(page->items.back().event, events.front());
    EXPECT_EQ(page->items.front().member, t.a.id);
    EXPECT_EQ(page->items.front().collector_id, "col-a");
    EXPECT_GT(page->items.front().id, page->items.back().id);
    EXPECT_EQ(store_->get_collector("col-a")->events_total, 100u);
}

TEST_P(StoreConformance, EventFiltersSelectExactly) {
    const Tenants t = make_tree();
    const auto events = sample_events();
    ASSERT_TRUE(store_->append_events("col-a", events, 100, 1));
    const Scope a = Scope::of({t.a.id});
    auto count = [&](EventQuery q, auto pred) {
        std::size_t expected = 0;
        for (const auto& e : events) {
            expected += pred(e) ? 1 : 0;
        }
        q.limit = 7;  // several pages each
        const auto got = all_pages(*store_, a, q);
        for (const auto& r : got) {
            EXPECT_TRUE(pred(r.event));
        }
        EXPECT_EQ(got.size(), expected);
    };
    EventQuery q;
    q.from_ns = 10 * kSec;
    q.to_ns = 20 * kSec;
    count(q, [](const core::Event& e) { return e.time_ns >= 10 * kSec && e.time_ns < 20 * kSec; });
    q = {};
    q.address = *core::IpAddress::parse("203.0.113.3");
    count(q, [&](const core::Event& e) { return e.src_ip == *q.address; });
    q.address = *core::IpAddress::parse("192.0.2.10");  // as destination
    count(q, [](const core::Event&) { return true; });
    q = {};
    q.port = 443;
    count(q, [](const core::Event& e) { return e.dst_port == 443; });
    q = {};
    q.category = core::Category::kIds;
    count(q, [](const core::Event& e) { return e.category == core::Category::kIds; });
    q.action = core::Action::kAllow;
    q.port = 3389;
    count(q, [](const core::Event& e) {
        return e.category == core::Category::kIds && e.action == core::Action::kAllow &&
               e.dst_port == 3389;
    });
    q = {};
    q.address = *core::IpAddress::parse("203.0.113.5");
    q.port = 80;
    q.from_ns = 30 * kSec;
    count(q, [&](const core::Event& e) {
        return e.src_ip == *q.address && e.dst_port == 80 && e.time_ns >= 30 * kSec;
    });
}

TEST_P(StoreConformance, PagesAreCappedAndCursorsBoundToTheirQuery) {
    const Tenants t = make_tree();
    std::vector<core::Event> many(kMaxPageSize + 50, make_event(kSec, "198.51.100.1", "192.0.2.1", 22));
    ASSERT_TRUE(store_->append_events("col-a", many, 1, 1));
    const Scope a = Scope::of({t.a.id});
    EventQuery q;
    q.limit = 1'000'000;
    auto page = store_->search_events(a, q);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->items.size(), kMaxPageSize);
    ASSERT_FALSE(page->next_cursor.empty());

    EventQuery other = q;
    other.port = 22;
    other.cursor = page->next_cursor;
    auto refused = store_->search_events(a, other);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
    other.cursor = "garbage";
    EXPECT_EQ(store_->search_events(a, other).error().code(), ErrorCode::kInvalidArgument);

    q.cursor = page->next_cursor;
    auto rest = store_->search_events(a, q);
    ASSERT_TRUE(rest);
    EXPECT_EQ(rest->items.size(), 50u);
    EXPECT_TRUE(rest->next_cursor.empty());
}

TEST_P(StoreConformance, PaginationHasNoGapsOrDuplicatesWhileEventsArrive) {
    const Tenants t = make_tree();
    std::vector<core::Event> first;
    for (int i = 0; i < 2000; ++i) {
        // Many share a timestamp, so ties are broken by id across page boundaries.
        first.push_back(make_event((i / 7) * kSec, "198.51.100.9", "192.0.2.1", 22));
    }
    ASSERT_TRUE(store_->append_events("col-a", first, 1, 1));
    const Scope a = Scope::of({t.a.id});
    auto before = all_pages(*store_, a, EventQuery{});
    ASSERT_EQ(before.size(), 2000u);
    std::set<std::int64_t> expected;
    for (const auto& r : before) {
        expected.insert(r.id);
    }

    // A writer appends events (newer, older and equal times) while a reader pages.
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        std::int64_t n = 0;
        while (!stop.load()) {
            std::vector<core::Event> batch;
            for (int i = 0; i < 20; ++i, ++n) {
                batch.push_back(make_event(((n * 37) % 400) * kSec, "198.51.100.9", "192.0.2.1", 22));
            }
            ASSERT_TRUE(store_->append_events("col-a", batch, 2, 2));
        }
    });
    EventQuery q;
    q.limit = 33;
    std::vector<EventRecord> seen;
    for (;;) {
        auto page = store_->search_events(a, q);
        ASSERT_TRUE(page);
        seen.insert(seen.end(), page->items.begin(), page->items.end());
        if (page->next_cursor.empty()) {
            break;
        }
        q.cursor = page->next_cursor;
    }
    stop = true;
    writer.join();
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_TRUE(ids.insert(seen[i].id).second) << "duplicate id " << seen[i].id;
        if (i > 0) {
            const auto& p = seen[i - 1];
            EXPECT_TRUE(p.event.time_ns > seen[i].event.time_ns ||
                        (p.event.time_ns == seen[i].event.time_ns && p.id > seen[i].id));
        }
    }
    for (const std::int64_t id : expected) {
        EXPECT_TRUE(ids.count(id) == 1) << "missing id " << id;
    }
}

TEST_P(StoreConformance, SummaryCountsTopListsAndBuckets) {
    const Tenants t = make_tree();
    ASSERT_TRUE(store_->append_events("col-a", sample_events(), 100, 1));
    ASSERT_TRUE(store_->append_events("col-b", sample_events(), 100, 1));
    EventQuery q;
    q.from_ns = 1 * kSec;
    q.to_ns = 101 * kSec;
    auto s = store_->summarize_events(Scope::of({t.a.id}), q, 50 * kSec, 3);
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->events, 100u);
    EXPECT_EQ(s->denied, 100u - 33u);  // every third allowed
    ASSERT_EQ(s->per_bucket.size(), 2u);
    EXPECT_EQ(s->per_bucket[0], std::make_pair(1 * kSec, std::uint64_t{50}));
    EXPECT_EQ(s->per_bucket[1], std::make_pair(51 * kSec, std::uint64_t{50}));
    ASSERT_EQ(s->top_sources.size(), 3u);
    EXPECT_EQ(s->top_sources[0].second, 10u);
    ASSERT_EQ(s->top_ports.size(), 3u);
    EXPECT_EQ(s->top_ports[0].second, 25u);
    // Both members under the service scope; a member outside the scope counts nothing.
    EXPECT_EQ(store_->summarize_events(Scope::service(), q, kSec * 1000, 3)->events, 200u);
    q.member = t.b.id;
    EXPECT_EQ(store_->summarize_events(Scope::of({t.a.id}), q, kSec, 3)->events, 0u);
    EXPECT_EQ(store_->summarize_events(Scope::service(), q, 0, 3).error().field(), "bucket_ns");
}

}  // namespace
}  // namespace cyberalarm::store::test
