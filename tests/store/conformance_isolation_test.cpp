// Conformance: member A's scope never reads, changes or pages into member B's data — not by
// guessing ids, not by reusing a cursor, not by filters — and what it cannot see looks
// exactly like what does not exist.
#include "store_conformance.h"

namespace cyberalarm::store::test {

void StoreIsolation::SetUp() {
    StoreConformance::SetUp();
    t_ = make_tree();
    a_ = Scope::of({t_.a.id});
    for (const char* col : {"col-a", "col-b"}) {
        std::vector<core::Event> events;
        for (int i = 0; i < 30; ++i) {
            events.push_back(make_event(1000 + i, col[4] == 'a' ? "198.51.100.1" : "198.51.100.2",
                                        "192.0.2.10", 22));
        }
        ASSERT_TRUE(store_->append_events(col, events, 30, 1));
    }
    detect::Finding f;
    f.id = "shared-id";
    f.sources = {*core::IpAddress::parse("198.51.100.2")};
    f.ports = {22};
    f.first_seen_ns = 1;
    f.last_seen_ns = 2;
    ASSERT_TRUE(store_->upsert_findings(t_.a.id, std::vector{f}, 1));
    f.id = "b-only";
    ASSERT_TRUE(store_->upsert_findings(t_.b.id, std::vector{f}, 1));
}

namespace {

using core::ErrorCode;

TEST_P(StoreIsolation, EventsOfAnotherMemberAreNeverReturned) {
    EventQuery q;
    q.limit = 5;
    auto own = store_->search_events(a_, q);
    ASSERT_TRUE(own);
    ASSERT_EQ(own->items.size(), 5u);
    for (const auto& item : own->items) {
        EXPECT_EQ(item.member, t_.a.id);
    }
    q.member = t_.b.id;  // asking for B by filter
    auto by_member = store_->search_events(a_, q);
    ASSERT_TRUE(by_member);
    EXPECT_TRUE(by_member->items.empty());
    EXPECT_TRUE(by_member->next_cursor.empty());
    q = {};
    q.address = *core::IpAddress::parse("198.51.100.2");  // B's source
    EXPECT_TRUE(store_->search_events(a_, q)->items.empty());
    EXPECT_EQ(store_->summarize_events(a_, q, 1000, 5)->events, 0u);

    // A cursor from B's own query cannot be replayed under A's scope.
    EventQuery bq;
    bq.limit = 5;
    auto b_page = store_->search_events(Scope::of({t_.b.id}), bq);
    ASSERT_TRUE(b_page);
    ASSERT_FALSE(b_page->next_cursor.empty());
    bq.cursor = b_page->next_cursor;
    EXPECT_EQ(store_->search_events(a_, bq).error().code(), ErrorCode::kInvalidArgument);
    // An empty scope sees nothing at all.
    EXPECT_TRUE(store_->search_events(Scope::none(), EventQuery{})->items.empty());
}

TEST_P(StoreIsolation, FindingsOfAnotherMemberLookMissing) {
    auto other = store_->get_finding(a_, t_.b.id, "b-only");
    auto missing = store_->get_finding(a_, t_.a.id, "no-such-id");
    ASSERT_FALSE(other);
    ASSERT_FALSE(missing);
    EXPECT_EQ(other.error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
    // Same id, two members: A's scope gets A's.
    auto shared = store_->get_finding(a_, t_.a.id, "shared-id");
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->member, t_.a.id);
    EXPECT_EQ(store_->set_finding_status(a_, t_.b.id, "b-only", FindingStatus::kResolved, 5)
                  .error()
                  .code(),
              ErrorCode::kNotFound);
    EXPECT_EQ(store_->get_finding(Scope::service(), t_.b.id, "b-only")->status,
              FindingStatus::kOpen);
    FindingQuery q;
    q.member = t_.b.id;
    EXPECT_TRUE(store_->search_findings(a_, q)->items.empty());
    q = {};
    q.address = *core::IpAddress::parse("198.51.100.2");
    auto by_address = store_->search_findings(a_, q);
    ASSERT_TRUE(by_address);
    ASSERT_EQ(by_address->items.size(), 1u);
    EXPECT_EQ(by_address->items.front().member, t_.a.id);
    FindingQuery bq;
    bq.limit = 1;
    ASSERT_TRUE(store_->upsert_findings(t_.b.id, std::vector{shared->finding}, 2));
    auto b_page = store_->search_findings(Scope::of({t_.b.id}), bq);
    ASSERT_FALSE(b_page->next_cursor.empty());
    bq.cursor = b_page->next_cursor;
    EXPECT_EQ(store_->search_findings(a_, bq).error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(StoreIsolation, AssetsScansReportsOfAnotherMemberLookMissing) {
    const Scope b = Scope::of({t_.b.id});
    Asset asset;
    asset.member = t_.b.id;
    asset.kind = AssetKind::kHost;
    asset.value = "www.b.example";
    auto b_asset = store_->add_asset(b, asset);
    ASSERT_TRUE(b_asset);
    asset.member = t_.b.id;
    EXPECT_EQ(store_->add_asset(a_, asset).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->list_assets(a_, t_.b.id).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->list_assets(a_, 999999).error().code(), ErrorCode::kNotFound);
    const auto guess = store_->mark_asset_verified(a_, b_asset->id, "operator", 1);
    const auto absent = store_->mark_asset_verified(a_, 999999, "operator", 1);
    EXPECT_EQ(guess.error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(guess.error().code(), absent.error().code());
    EXPECT_EQ(store_->delete_asset(a_, b_asset->id).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->list_assets(b, t_.b.id)->front().verified_ns, 0);

    ScanRun run;
    run.member = t_.b.id;
    EXPECT_EQ(store_->start_scan(a_, run).error().code(), ErrorCode::kNotFound);
    auto b_run = store_->start_scan(b, run);
    ASSERT_TRUE(b_run);
    ASSERT_TRUE(store_->add_scan_results(b_run->id, std::vector<ScanResult>(2)));
    EXPECT_EQ(store_->list_scans(a_, t_.b.id).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->scan_results(a_, t_.b.id, std::nullopt).error().code(), ErrorCode::kNotFound);
    // B's scan id under A's own member: not found, not an empty list of A's.
    EXPECT_EQ(store_->scan_results(a_, t_.a.id, b_run->id).error().code(), ErrorCode::kNotFound);

    ReportRecord rep;
    rep.tenant = t_.b.id;
    rep.kind = "member-weekly";
    rep.content_type = "text/html";
    rep.body = "B's week";
    auto b_report = store_->put_report(rep);
    ASSERT_TRUE(b_report);
    auto guessed = store_->get_report(a_, *b_report);
    auto nothing = store_->get_report(a_, *b_report + 1000);
    EXPECT_EQ(guessed.error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(guessed.error().message(),
              "report " + std::to_string(*b_report) + " not found");
    EXPECT_EQ(nothing.error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->list_reports(a_, t_.b.id).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->list_enroll_tokens(a_)->size(), 0u);
    EXPECT_EQ(store_->list_collectors(a_, std::nullopt)->size(), 1u);
}

}  // namespace
}  // namespace cyberalarm::store::test
