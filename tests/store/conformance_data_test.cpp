// Conformance: findings (upsert merge, search, status), scans, reports, the audit chain and
// retention.
#include <limits>
#include <set>

#include "store_conformance.h"

namespace cyberalarm::store::test {
namespace {

using core::ErrorCode;

constexpr std::int64_t kDay = 86'400'000'000'000;

detect::Finding make_finding(std::string id, std::int64_t first, std::int64_t last,
                             std::string_view source, std::uint16_t port) {
    detect::Finding f;
    f.id = std::move(id);
    f.kind = detect::FindingKind::kPortScan;
    f.severity = core::Severity::kMedium;
    f.rule = "port-scan";
    f.title = "Port scan from " + std::string(source);
    f.advice = "Nothing to do if the ports are closed.";
    f.sources = {*core::IpAddress::parse(source)};
    f.targets = {*core::IpAddress::parse("192.0.2.10")};
    f.ports = {port};
    f.count = 10;
    f.distinct_ports = 1;
    f.first_seen_ns = first;
    f.last_seen_ns = last;
    return f;
}

TEST_P(StoreConformance, FindingUpsertMergesAndKeepsStatus) {
    const Tenants t = make_tree();
    const Scope a = Scope::of({t.a.id});
    ASSERT_TRUE(store_->upsert_findings(t.a.id, std::vector{make_finding("f1", 100, 200, "198.51.100.1", 22)}, 1000));
    ASSERT_TRUE(store_->set_finding_status(a, t.a.id, "f1", FindingStatus::kAcknowledged, 1500));
    auto updated = make_finding("f1", 150, 900, "198.51.100.2", 23);
    updated.count = 99;
    updated.severity = core::Severity::kHigh;
    ASSERT_TRUE(store_->upsert_findings(t.a.id, std::vector{updated}, 2000));
    auto got = store_->get_finding(a, t.a.id, "f1");
    ASSERT_TRUE(got) << got.error().to_string();
    EXPECT_EQ(got->status, FindingStatus::kAcknowledged);
    EXPECT_EQ(got->created_ns, 1000);
    EXPECT_EQ(got->updated_ns, 2000);
    EXPECT_EQ(got->finding.count, 99u);
    EXPECT_EQ(got->finding.severity, core::Severity::kHigh);
    EXPECT_EQ(got->finding.first_seen_ns, 100);  // the earliest sighting stays
    EXPECT_EQ(got->finding.last_seen_ns, 900);
    EXPECT_EQ(got->finding.ports, std::vector<std::uint16_t>{23});
    // Address and port search follow the new lists, not the old.
    FindingQuery q;
    q.address = *core::IpAddress::parse("198.51.100.1");
    EXPECT_TRUE(store_->search_findings(a, q)->items.empty());
    q.address = *core::IpAddress::parse("198.51.100.2");
    EXPECT_EQ(store_->search_findings(a, q)->items.size(), 1u);
    q = {};
    q.port = 23;
    EXPECT_EQ(store_->search_findings(a, q)->items.size(), 1u);
    EXPECT_EQ(store_->upsert_findings(t.force1.id, std::vector{updated}, 1).error().code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->set_finding_status(a, t.a.id, "nope", FindingStatus::kResolved, 1)
                  .error()
                  .code(),
              ErrorCode::kNotFound);
}

TEST_P(StoreConformance, FindingSearchFiltersAndPages) {
    const Tenants t = make_tree();
    std::vector<detect::Finding> fs;
    for (int i = 0; i < 25; ++i) {
        auto f = make_finding("f" + std::to_string(i), 10, 1000 + i / 2, "198.51.100.7", 22);
        f.kind = i % 2 == 0 ? detect::FindingKind::kPortScan : detect::FindingKind::kBruteForce;
        f.severity = i % 5 == 0 ? core::Severity::kCritical : core::Severity::kLow;
        fs.push_back(f);
    }
    ASSERT_TRUE(store_->upsert_findings(t.a.id, fs, 1));
    ASSERT_TRUE(store_->upsert_findings(t.c.id, fs, 1));
    const Scope ac = Scope::of({t.a.id, t.c.id});
    FindingQuery q;
    q.limit = 4;
    std::set<std::pair<TenantId, std::string>> seen;
    std::int64_t last_seen = std::numeric_limits<std::int64_t>::max();
    for (int guard = 0; guard < 100; ++guard) {
        auto page = store_->search_findings(ac, q);
        ASSERT_TRUE(page) << page.error().to_string();
        for (const auto& r : page->items) {
            EXPECT_TRUE(seen.insert({r.member, r.finding.id}).second);
            EXPECT_LE(r.finding.last_seen_ns, last_seen);
            last_seen = r.finding.last_seen_ns;
        }
        if (page->next_cursor.empty()) {
            break;
        }
        q.cursor = page->next_cursor;
    }
    EXPECT_EQ(seen.size(), 50u);
    q = {};
    q.member = t.a.id;
    q.kind = detect::FindingKind::kBruteForce;
    q.min_severity = core::Severity::kHigh;
    auto page = store_->search_findings(ac, q);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 2u);  // f5, f15
    for (const auto& r : page->items) {
        EXPECT_EQ(r.member, t.a.id);
        EXPECT_EQ(r.finding.kind, detect::FindingKind::kBruteForce);
    }
    q = {};
    q.status = FindingStatus::kResolved;
    EXPECT_TRUE(store_->search_findings(ac, q)->items.empty());
    q = {};
    q.from_ns = 1012;
    EXPECT_EQ(store_->search_findings(Scope::of({t.a.id}), q)->items.size(), 1u);  // f24
}

TEST_P(StoreConformance, ScansRecordRunsAndResults) {
    const Tenants t = make_tree();
    const Scope a = Scope::of({t.a.id});
    ScanRun run;
    run.member = t.a.id;
    run.targets = "192.0.2.10";
    run.requested_by = "user:1";
    auto started = store_->start_scan(a, run);
    ASSERT_TRUE(started) << started.error().to_string();
    EXPECT_EQ(started->status, "running");
    ScanResult r;
    r.target = "192.0.2.10";
    r.port = 22;
    r.service = "ssh";
    r.product = "OpenSSH";
    r.version = "9.2p1";
    r.check = "cve";
    r.cve = "CVE-2024-6387";
    r.severity = core::Severity::kHigh;
    r.cvss = 8.1;
    r.title = "regreSSHion";
    r.seen_ns = 500;
    ASSERT_TRUE(store_->add_scan_results(started->id, std::vector{r, r}));
    r.member = t.b.id;
    EXPECT_EQ(store_->add_scan_results(started->id, std::vector{r}).error().field(), "member");
    ASSERT_TRUE(store_->finish_scan(started->id, "done", 900));
    auto runs = store_->list_scans(a, t.a.id);
    ASSERT_TRUE(runs);
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ(runs->front().finished_ns, 900);
    EXPECT_EQ(runs->front().status, "done");
    auto results = store_->scan_results(a, t.a.id, started->id);
    ASSERT_TRUE(results);
    ASSERT_EQ(results->size(), 2u);
    EXPECT_EQ(results->front().cve, "CVE-2024-6387");
    EXPECT_DOUBLE_EQ(results->front().cvss, 8.1);
    EXPECT_EQ(results->front().member, t.a.id);
    EXPECT_EQ(store_->finish_scan(999, "done", 1).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->add_scan_results(999, std::vector{r}).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ReportsListNewestFirstWithoutBodies) {
    const Tenants t = make_tree();
    ReportRecord rep;
    rep.tenant = t.a.id;
    rep.kind = "member-weekly";
    rep.content_type = "text/html";
    rep.body = "<html>week 1</html>";
    rep.created_ns = 100;
    auto r1 = store_->put_report(rep);
    rep.body = std::string("%PDF\0binary", 11);
    rep.content_type = "application/pdf";
    rep.created_ns = 200;
    auto r2 = store_->put_report(rep);
    ASSERT_TRUE(r1 && r2);
    const Scope a = Scope::of({t.a.id});
    auto list = store_->list_reports(a, t.a.id);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ(list->front().id, *r2);
    EXPECT_TRUE(list->front().body.empty());
    auto got = store_->get_report(a, *r2);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->body, rep.body);
    rep.tenant = 4242;
    EXPECT_EQ(store_->put_report(rep).error().field(), "tenant");
    // A force report needs every member of the force in scope.
    rep.tenant = t.force1.id;
    auto force_report = store_->put_report(rep);
    ASSERT_TRUE(force_report);
    EXPECT_EQ(store_->get_report(a, *force_report).error().code(), ErrorCode::kNotFound);
    EXPECT_TRUE(store_->get_report(Scope::of({t.a.id, t.b.id}), *force_report));
}

TEST_P(StoreConformance, AuditChainIsGaplessAndRecomputable) {
    const Tenants t = make_tree();
    auto empty_head = store_->audit_head();
    ASSERT_TRUE(empty_head);
    EXPECT_EQ(empty_head->seq, 0);
    EXPECT_EQ(empty_head->hash, "");
    for (int i = 0; i < 20; ++i) {
        AuditRecord rec;
        rec.time_ns = 1000 + i;
        rec.actor = "user:" + std::to_string(i);
        rec.action = "read";
        rec.member = i % 2 == 0 ? t.a.id : t.b.id;
        rec.target = "findings";
        rec.detail = "role=member_viewer";
        auto stored = store_->append_audit(rec);
        ASSERT_TRUE(stored) << stored.error().to_string();
        EXPECT_EQ(stored->seq, i + 1);
    }
    AuditRecord no_actor;
    no_actor.action = "read";
    EXPECT_EQ(store_->append_audit(no_actor).error().field(), "actor");
    auto all = store_->read_audit(1, 100, std::nullopt);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 20u);
    std::string prev;
    for (std::size_t i = 0; i < all->size(); ++i) {
        const AuditRecord& r = (*all)[i];
        EXPECT_EQ(r.seq, static_cast<std::int64_t>(i) + 1);
        EXPECT_EQ(r.prev_hash, prev);
        EXPECT_EQ(r.hash, audit_hash(r));
        prev = r.hash;
    }
    auto window = store_->read_audit(5, 3, std::nullopt);
    ASSERT_TRUE(window);
    ASSERT_EQ(window->size(), 3u);
    EXPECT_EQ(window->front().seq, 5);
    auto about_b = store_->read_audit(1, 100, t.b.id);
    ASSERT_TRUE(about_b);
    EXPECT_EQ(about_b->size(), 10u);
    for (const auto& r : *about_b) {
        EXPECT_EQ(r.member, t.b.id);
    }
    // The head, kept apart from the rows, is the last record appended (also after reopening).
    auto head = store_->audit_head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->seq, 20);
    EXPECT_EQ(head->hash, prev);
    reopen();
    EXPECT_EQ(store_->audit_head()->hash, prev);
    AuditRecord next;
    next.actor = "operator-cli";
    next.action = "config";
    auto after = store_->append_audit(next);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->seq, 21);
    EXPECT_EQ(after->prev_hash, prev);
    EXPECT_EQ(store_->audit_head()->seq, 21);
    EXPECT_EQ(store_->audit_head()->hash, after->hash);
}

TEST_P(StoreConformance, RetentionDeletesPerClassAndRecordsItself) {
    const Tenants t = make_tree();
    const std::int64_t now = 1000 * kDay;
    std::vector<core::Event> events;
    for (int d = 600; d < 1000; d += 10) {  // one event per 10 days: 9 within the last 90
        events.push_back(make_event(d * kDay + 1, "198.51.100.1", "192.0.2.1", 22));
    }
    ASSERT_TRUE(store_->append_events("col-a", events, 1, 1));
    ASSERT_TRUE(store_->append_events("col-c", events, 1, 1));
    ASSERT_TRUE(store_->upsert_findings(t.a.id, std::vector{make_finding("old", 1, 2, "198.51.100.1", 22), make_finding("new", 1, now - kDay, "198.51.100.1", 22)}, 1));
    ReportRecord rep;
    rep.tenant = t.a.id;
    rep.kind = "member-weekly";
    rep.content_type = "text/html";
    rep.created_ns = 1;
    ASSERT_TRUE(store_->put_report(rep));
    AuditRecord seed;
    seed.actor = "user:1";
    seed.action = "login";
    seed.time_ns = 5;
    ASSERT_TRUE(store_->append_audit(seed));

    RetentionPolicy policy;  // 90 / 365 / 365 / 730 / forever
    auto run = store_->run_retention(policy, now);
    ASSERT_TRUE(run) << run.error().to_string();
    EXPECT_EQ(run->events_deleted, 2u * (40 - 9));
    EXPECT_EQ(run->findings_deleted, 1u);
    EXPECT_EQ(run->reports_deleted, 1u);
    EXPECT_EQ(run->audit_deleted, 0u);
    EXPECT_EQ(store_->get_finding(Scope::service(), t.a.id, "old").error().code(),
              ErrorCode::kNotFound);
    EXPECT_TRUE(store_->get_finding(Scope::service(), t.a.id, "new"));
    EventQuery all;
    all.limit = kMaxPageSize;
    EXPECT_EQ(store_->search_events(Scope::service(), all)->items.size(), 18u);

    auto history = store_->retention_history(10);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 1u);
    EXPECT_EQ(history->front().events_deleted, run->events_deleted);
    EXPECT_EQ(history->front().ran_ns, now);
    auto audit = store_->read_audit(1, 100, std::nullopt);
    ASSERT_TRUE(audit);
    std::vector<std::string> classes;
    for (const auto& r : *audit) {
        if (r.actor == "system:retention") {
            classes.push_back(r.target);
            EXPECT_EQ(r.action, "retention");
        }
    }
    EXPECT_EQ(classes, (std::vector<std::string>{"events", "findings", "reports"}));

    // The audit log itself only when the policy says so; the chain continues.
    policy.audit_days = 1;
    auto second = store_->run_retention(policy, now);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->events_deleted, 0u);
    EXPECT_EQ(second->audit_deleted, 1u);  // the login; the first run's records are a day old
    auto rest = store_->read_audit(1, 100, std::nullopt);
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->size(), 4u);
    EXPECT_EQ(rest->front().seq, 2);
    EXPECT_EQ(rest->back().seq, 5);
    EXPECT_EQ(rest->back().target, "audit");
    EXPECT_EQ(store_->retention_history(10)->size(), 2u);
}

}  // namespace
}  // namespace cyberalarm::store::test
