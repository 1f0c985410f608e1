// The server's scan service against a real SQLite store and a real service on 127.0.0.1:
// requests refused outside the member's verified assets, a requested run stored with its
// results, the schedule (due, not due, due again), the scan window, restart and shutdown.
#include "server/scan_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "../scan/loopback_server.h"
#include "server/server_support.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace cyberalarm {
namespace {

using namespace std::chrono_literals;
using server::ScanService;
using server::ScanServiceOptions;
using test::TempDir;
using test::must;

constexpr std::int64_t kHour = 3'600'000'000'000;

// An HTTP server that tells its version and sends no security headers: the scanner must
// identify it and report both.
std::unique_ptr<scan::loopback::LoopbackServer> leaky_http() {
    return std::make_unique<scan::loopback::LoopbackServer>([](int fd) {
        scan::loopback::LoopbackServer::read_until(fd, "\r\n\r\n");
        scan::loopback::LoopbackServer::send_text(
            fd,
            "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
            "Content-Length: 27\r\nConnection: close\r\n\r\n<html><p>hello</p></html>\n\n");
    });
}

class ScanServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = must(store::open_sqlite(dir_.path() / "store.db"), "store");
        auto nation = tenant(store::TenantLevel::kNation, 0, "Nation");
        auto region = tenant(store::TenantLevel::kRegion, nation, "Region");
        auto force = tenant(store::TenantLevel::kForce, region, "Force");
        member_ = tenant(store::TenantLevel::kMember, force, "School");
        other_ = tenant(store::TenantLevel::kMember, force, "Charity");
    }

    store::TenantId tenant(store::TenantLevel level, store::TenantId parent, std::string name) {
        store::Tenant t;
        t.level = level;
        t.parent = parent;
        t.name = std::move(name);
        return must(store_->create_tenant(std::move(t)), "tenant").id;
    }

    // Registers `value` for `member`, verified unless told otherwise.
    void add_asset(store::TenantId member, std::string value, bool verified = true) {
        store::Asset a;
        a.member = member;
        a.kind = store::AssetKind::kNetwork;
        a.value = std::move(value);
        auto added = must(store_->add_asset(store::Scope::of({member}), a), "asset");
        if (verified) {
            must(store_->mark_asset_verified(store::Scope::of({member}), added.id, "test", now_),
                 "verify");
        }
    }

    ScanServiceOptions options(std::uint16_t port) {
        ScanServiceOptions o;
        o.scan.tcp_ports = {port};
        o.scan.udp = false;
        o.every = 24h;
        o.tick = 50ms;
        o.now_ns = [this] { return now_.load(); };
        return o;
    }

    std::vector<store::ScanRun> runs(store::TenantId member) {
        return must(store_->list_scans(store::Scope::of({member}), member), "runs");
    }
    store::ScanRun run(store::TenantId member, std::int64_t id) {
        for (auto& r : runs(member)) {
            if (r.id == id) {
                return r;
            }
        }
        ADD_FAILURE() << "no run " << id;
        return {};
    }

    TempDir dir_;
    std::unique_ptr<store::Store> store_;
    store::TenantId member_ = 0;
    store::TenantId other_ = 0;
    std::atomic<std::int64_t> now_{1'760'000'000 * 1'000'000'000LL};
};

TEST_F(ScanServiceTest, RefusesTargetsOutsideTheMembersVerifiedAssets) {
    add_asset(member_, "127.0.0.1/32");
    add_asset(member_, "127.0.0.2/32", /*verified=*/false);
    add_asset(other_, "127.0.0.3/32");
    auto svc = must(ScanService::create(*store_, options(9)), "service");
    for (const char* target : {"127.0.0.2", "127.0.0.3", "192.0.2.1", "127.0.0.0/24"}) {
        auto refused = svc->request(member_, {target}, "user:1");
        ASSERT_FALSE(refused) << target;
        EXPECT_EQ(refused.error().code(), core::ErrorCode::kPermissionDenied) << target;
        EXPECT_NE(refused.error().message().find(target), std::string::npos)
            << refused.error().message();
    }
    // A list with one bad target is refused whole; nothing was queued or stored.
    EXPECT_FALSE(svc->request(member_, {"127.0.0.1", "127.0.0.3"}, "user:1"));
    EXPECT_EQ(svc->queued(), 0u);
    EXPECT_TRUE(runs(member_).empty());
}

TEST_F(ScanServiceTest, RequestedRunIsStoredWithItsFindings) {
    auto http = leaky_http();
    add_asset(member_, "127.0.0.1/32");
    auto o = options(http->port());
    o.every = 0h;  // requests only
    auto svc = must(ScanService::create(*store_, std::move(o)), "service");
    svc->start();
    const auto id = must(svc->request(member_, {"127.0.0.1"}, "user:7"), "request");
    ASSERT_TRUE(svc->wait_idle(60s));
    const auto r = run(member_, id);
    EXPECT_EQ(r.status, "done");
    EXPECT_EQ(r.requested_by, "user:7");
    EXPECT_EQ(r.targets, "127.0.0.1");
    EXPECT_NE(r.finished_ns, 0);
    auto results = must(store_->scan_results(store::Scope::of({member_}), member_, id), "results");
    auto has = [&](std::string_view check) {
        return std::any_of(results.begin(), results.end(), [&](const store::ScanResult& s) {
            return s.check == check && s.port == http->port() && s.target == "127.0.0.1";
        });
    };
    EXPECT_TRUE(has("http.version_disclosure"));
    EXPECT_TRUE(has("http.security_headers"));
    // The other member sees none of it.
    EXPECT_FALSE(store_->scan_results(store::Scope::of({other_}), member_, id));
    EXPECT_EQ(svc->runs_done(), 1u);
}

TEST_F(ScanServiceTest, ScheduleQueuesDueMembersOnceAndAgainAfterTheInterval) {
    auto http = leaky_http();
    add_asset(member_, "127.0.0.1/32");
    add_asset(other_, "127.0.0.9/32", /*verified=*/false);  // nothing verified: never scheduled
    auto o = options(http->port());
    o.tick = 1h;  // the scheduler thread makes one pass, at start; the test makes the others
    auto svc = must(ScanService::create(*store_, std::move(o)), "service");
    EXPECT_EQ(must(svc->schedule_due(), "schedule"), 1u);
    EXPECT_EQ(must(svc->schedule_due(), "schedule"), 0u) << "a queued run is not queued twice";
    svc->start();
    ASSERT_TRUE(svc->wait_idle(60s));
    now_ += 23 * kHour;
    EXPECT_EQ(must(svc->schedule_due(), "schedule"), 0u) << "not due before 24 h";
    now_ += 2 * kHour;
    EXPECT_EQ(must(svc->schedule_due(), "schedule"), 1u);
    ASSERT_TRUE(svc->wait_idle(60s));
    auto all = runs(member_);
    ASSERT_EQ(all.size(), 2u);
    for (const auto& r : all) {
        EXPECT_EQ(r.requested_by, "schedule");
        EXPECT_EQ(r.status, "done");
    }
    EXPECT_TRUE(runs(other_).empty());
    // Each scheduled run is in the audit log, naming the member and the run.
    auto audit = must(store_->read_audit(1, 1000, member_), "audit");
    EXPECT_EQ(std::count_if(audit.begin(), audit.end(),
                            [&](const store::AuditRecord& a) {
                                return a.action == "scan" && a.actor == "system:scanner" &&
                                       a.member == member_;
                            }),
              2);
}

TEST_F(ScanServiceTest, OutsideTheWindowRunsWaitAndShutdownFinishesThem) {
    add_asset(member_, "127.0.0.1/32");
    auto o = options(9);
    // now_ is 08:53 UTC; the window opens at 01:00 and closes at 02:00.
    o.scan.window = must(scan::ScanWindow::parse("01:00-02:00"), "window");
    auto svc = must(ScanService::create(*store_, std::move(o)), "service");
    EXPECT_EQ(must(svc->schedule_due(), "schedule"), 0u) << "no scheduled run outside the window";
    svc->start();
    const auto id = must(svc->request(member_, {"127.0.0.1"}, "user:1"), "request");
    EXPECT_FALSE(svc->wait_idle(300ms));
    EXPECT_EQ(run(member_, id).status, "queued");
    svc->stop();
    const auto r = run(member_, id);
    EXPECT_EQ(r.status, "failed: stopped by a server shutdown");
    EXPECT_NE(r.finished_ns, 0);
    EXPECT_FALSE(svc->request(member_, {"127.0.0.1"}, "user:1")) << "no runs after stop";
}

TEST_F(ScanServiceTest, RunsLeftUnfinishedByACrashAreMarkedOnStart) {
    add_asset(member_, "127.0.0.1/32");
    store::ScanRun left;
    left.member = member_;
    left.targets = "127.0.0.1";
    left.requested_by = "schedule";
    left.started_ns = now_;
    left.status = "running";
    const auto id = must(store_->start_scan(store::Scope::of({member_}), left), "start").id;
    auto svc = must(ScanService::create(*store_, options(9)), "service");
    EXPECT_EQ(run(member_, id).status, "failed: interrupted by a server restart");
    // The interrupted scheduled run does not count: the member is due again at once.
    EXPECT_EQ(must(svc->schedule_due(), "schedule"), 1u);
}

TEST_F(ScanServiceTest, AnAssetRemovedAfterTheRequestIsNotScanned) {
    add_asset(member_, "127.0.0.1/32");
    auto o = options(9);
    o.scan.window = must(scan::ScanWindow::parse("01:00-02:00"), "window");  // closed now
    auto svc = must(ScanService::create(*store_, std::move(o)), "service");
    svc->start();
    const auto id = must(svc->request(member_, {"127.0.0.1"}, "user:1"), "request");
    for (const auto& a : must(store_->list_assets(store::Scope::of({member_}), member_), "assets")) {
        must(store_->delete_asset(store::Scope::of({member_}), a.id), "delete");
    }
    now_ += 17 * kHour;  // 01:53 UTC: the window is open
    ASSERT_TRUE(svc->wait_idle(30s));
    const auto r = run(member_, id);
    EXPECT_EQ(r.status.rfind("failed: ", 0), 0u) << r.status;
    EXPECT_NE(r.status.find("127.0.0.1"), std::string::npos) << r.status;
    EXPECT_TRUE(must(store_->scan_results(store::Scope::of({member_}), member_, id), "results").empty());
}

TEST_F(ScanServiceTest, BadProbeFileIsAClearError) {
    auto o = options(9);
    o.probes = dir_.path() / "missing.yaml";
    auto svc = ScanService::create(*store_, std::move(o));
    ASSERT_FALSE(svc);
    EXPECT_NE(svc.error().to_string().find("scanner.probes"), std::string::npos)
        << svc.error().to_string();
}

}  // namespace
}  // namespace cyberalarm
