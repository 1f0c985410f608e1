// The SQLite backend: the conformance suite, and what only this backend promises — the file
// and its modes, migrations, query plans that use the indexes, errors for a busy or damaged
// database, and tamper evidence when the file is edited behind the store's back.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "core/event_codec.h"
#include "store/sqlite/internal/event_sql.h"
#include "store/sqlite/internal/migrations.h"
#include "store_conformance.h"

namespace cyberalarm::store::test {
namespace {

using core::ErrorCode;

core::Result<std::unique_ptr<Store>> open_in(const std::filesystem::path& dir) {
    return open_sqlite(dir / "db" / "store.db");
}

CA_STORE_CONFORMANCE(Sqlite, (BackendFactory{"sqlite", open_in}));

// A direct connection to the file, as an intruder (or an administrator) would have.
class RawDb {
public:
    explicit RawDb(const std::filesystem::path& path) {
        EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;
    ~RawDb() { sqlite3_close(db_); }
    void exec(const std::string& sql) {
        char* err = nullptr;
        EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
            << (err ? err : "") << " in " << sql;
        sqlite3_free(err);
    }
    // The first column of the first row of `sql`.
    std::int64_t scalar(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
        const std::int64_t v = st != nullptr && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        return v;
    }
    // Every row's `detail` column of EXPLAIN QUERY PLAN, joined by newlines.
    std::string plan(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr),
                  SQLITE_OK)
            << sqlite3_errmsg(db_);
        std::string out;
        while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
            out += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
            out += '\n';
        }
        sqlite3_finalize(st);
        return out;
    }

private:
    sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
protected:
    std::filesystem::path path() const { return dir_.path() / "data" / "store.db"; }
    std::unique_ptr<Store> open_ok(const SqliteOptions& options = {}) {
        auto s = open_sqlite(path(), options);
        EXPECT_TRUE(s) << s.error().to_string();
        return s ? std::move(*s) : nullptr;
    }
    cyberalarm::test::TempDir dir_;
};

// Tenants 1..4 (nation, region, force, member 4) and collector c1 of member 4.
void add_member_and_collector(Store& s) {
    Tenant t;
    t.level = TenantLevel::kNation;
    t.name = "N";
    for (const TenantLevel level :
         {TenantLevel::kNation, TenantLevel::kRegion, TenantLevel::kForce, TenantLevel::kMember}) {
        t.level = level;
        auto made = s.create_tenant(t);
        ASSERT_TRUE(made) << made.error().to_string();
        t.parent = made->id;
    }
    Collector c;
    c.id = "c1";
    c.member = 4;
    c.name = "gw";
    ASSERT_TRUE(s.create_collector(c));
}

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
}

TEST_F(SqliteStoreTest, CreatesPrivateFileAndDirectory) {
    auto s = open_ok();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->backend(), "sqlite");
    EXPECT_EQ(s->location(), path().string());
    EXPECT_EQ(s->schema_version(), sqlite::latest_schema_version());
    EXPECT_EQ(mode_of(path()), 0600u);
    EXPECT_EQ(mode_of(path().parent_path()), 0700u);
    s.reset();
    ASSERT_EQ(::chmod(path().c_str(), 0644), 0);
    auto refused = open_sqlite(path());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_NE(refused.error().message().find("chmod 600"), std::string::npos);
    ASSERT_EQ(::chmod(path().c_str(), 0600), 0);
    EXPECT_TRUE(open_sqlite(path()));
}

TEST_F(SqliteStoreTest, MigratesAVersionOneDatabase) {
    std::filesystem::create_directories(path().parent_path());
    {
        // Version 1 exactly as it was released, with data in it.
        RawDb raw(path());
        raw.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_ns INTEGER NOT NULL)");
        raw.exec(std::string(sqlite::migrations()[0].sql));
        raw.exec("INSERT INTO schema_migrations VALUES (1, 'tenancy and access', 1)");
        raw.exec("INSERT INTO tenants (id, level, parent, name, created_ns) VALUES "
                 "(1, 0, NULL, 'N', 1), (2, 1, 1, 'R', 1), (3, 2, 2, 'F', 1), (4, 3, 3, 'M', 1)");
        raw.exec("INSERT INTO collectors (id, member, name, created_ns) VALUES ('c1', 4, 'gw', 1)");
    }
    ASSERT_EQ(::chmod(path().c_str(), 0600), 0);
    auto s = open_ok();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->schema_version(), sqlite::latest_schema_version());
    EXPECT_EQ(s->get_tenant(4)->name, "M");
    ASSERT_TRUE(s->append_events("c1", std::vector{make_event(5, "198.51.100.1", "192.0.2.1", 22)},
                                 1, 1));
    EXPECT_EQ(s->search_events(Scope::of({4}), EventQuery{})->items.size(), 1u);
    s.reset();
    EXPECT_EQ(open_ok()->schema_version(), sqlite::latest_schema_version());  // idempotent
}

// A version-2 database with events in its `events` table: migration 3 moves every event into
// blocks (several per collector, interleaved batches of two collectors and two members),
// drops the table, and search, summaries and retention see exactly the events there were.
TEST_F(SqliteStoreTest, MigratesAVersionTwoDatabaseWithEvents) {
    std::filesystem::create_directories(path().parent_path());
    std::vector<core::Event> of_4;
    std::vector<core::Event> of_5;
    {
        RawDb raw(path());
        raw.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_ns INTEGER NOT NULL)");
        raw.exec(std::string(sqlite::migrations()[0].sql));
        raw.exec(std::string(sqlite::migrations()[1].sql));
        raw.exec("INSERT INTO schema_migrations VALUES (1, 'tenancy and access', 1), "
                 "(2, 'events, findings, scans, reports, retention', 1)");
        raw.exec("INSERT INTO tenants (id, level, parent, name, created_ns) VALUES (1, 0, NULL, "
                 "'N', 1), (2, 1, 1, 'R', 1), (3, 2, 2, 'F', 1), (4, 3, 3, 'M', 1), (5, 3, 3, 'M2', 1)");
        raw.exec("INSERT INTO collectors (id, member, name, created_ns) VALUES ('c1', 4, 'gw', 1), "
                 "('c2', 5, 'gw', 1)");
        raw.exec("BEGIN");
        // Batches as version 2 wrote them: 5000 events of c1, 30 of c2, 700 more of c1.
        for (const auto& [collector, n] : {std::pair{"c1", 5000}, {"c2", 30}, {"c1", 700}}) {
            const bool four = std::string(collector) == "c1";
            for (int i = 0; i < n; ++i) {
                auto e = make_event((i * 7919) % 6000 + (four ? 0 : 1'000'000), "198.51.100." + std::to_string(i % 200),
                                    "192.0.2.1", static_cast<std::uint16_t>(i % 50));
                std::string body;
                core::encode_event(e, body);
                std::string hex;
                for (const unsigned char c : body) {
                    static const char* digits = "0123456789abcdef";
                    hex += digits[c >> 4];
                    hex += digits[c & 15];
                }
                raw.exec("INSERT INTO events (member, time_ns, collector, category, action, body) "
                         "VALUES (" + std::string(four ? "4" : "5") + ", " + std::to_string(e.time_ns) +
                         ", '" + collector + "', 0, 0, x'" + hex + "')");
                (four ? of_4 : of_5).push_back(e);
            }
        }
        raw.exec("COMMIT");
    }
    ASSERT_EQ(::chmod(path().c_str(), 0600), 0);
    auto s = open_ok();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->schema_version(), sqlite::latest_schema_version());
    const auto all_of = [&](TenantId member, EventQuery q) {
        std::vector<EventRecord> out;
        q.limit = kMaxPageSize;
        for (;;) {
            auto page = s->search_events(Scope::of({member}), q);
            EXPECT_TRUE(page) << page.error().to_string();
            if (!page) {
                return out;
            }
            out.insert(out.end(), page->items.begin(), page->items.end());
            if (page->next_cursor.empty()) {
                return out;
            }
            q.cursor = page->next_cursor;
        }
    };
    const auto same_events = [](std::vector<core::Event> want, const std::vector<EventRecord>& got) {
        std::vector<std::string> a;
        std::vector<std::string> b;
        for (const auto& e : want) {
            a.emplace_back();
            core::encode_event(e, a.back());
        }
        for (const auto& r : got) {
            b.emplace_back();
            core::encode_event(r.event, b.back());
        }
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        return a == b;
    };
    const auto got_4 = all_of(4, EventQuery{});
    EXPECT_EQ(got_4.size(), of_4.size());
    EXPECT_TRUE(same_events(of_4, got_4));
    EXPECT_TRUE(same_events(of_5, all_of(5, EventQuery{})));
    for (const auto& r : got_4) {
        EXPECT_EQ(r.collector_id, "c1");
        EXPECT_EQ(r.member, 4);
    }
    EventQuery q;
    q.port = 7;
    EXPECT_EQ(all_of(4, q).size(), 5700u / 50);
    EXPECT_EQ(s->summarize_events(Scope::of({4, 5}), EventQuery{}, 1000, 3)->events, 5730u);
    {
        RawDb raw(path());
        EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'events'"), 0);
    }
    // New events after the moved ones get larger ids.
    ASSERT_TRUE(s->append_events("c1", std::vector{make_event(5, "198.51.100.1", "192.0.2.1", 22)},
                                 1, 1));
    const auto after = all_of(4, EventQuery{});
    ASSERT_EQ(after.size(), 5701u);
    std::int64_t max_old = 0;
    for (const auto& r : got_4) {
        max_old = std::max(max_old, r.id);
    }
    EXPECT_EQ(std::count_if(after.begin(), after.end(), [&](const EventRecord& r) { return r.id > max_old; }), 1);
}

// Group commit: appends from many threads at once share transactions; each caller gets its
// own status (a revoked collector's batches fail alone), and every acknowledged batch and
// counter is stored.
TEST_F(SqliteStoreTest, ConcurrentAppendsCommitTogetherAndFailAlone) {
    auto s = open_ok();
    ASSERT_TRUE(s);
    add_member_and_collector(*s);
    constexpr int kThreads = 6;
    constexpr int kBatches = 40;
    for (int t = 0; t < kThreads; ++t) {
        Collector c;
        c.id = "w" + std::to_string(t);
        c.member = 4;
        c.name = c.id;
        ASSERT_TRUE(s->create_collector(c));
    }
    ASSERT_TRUE(s->revoke_collector("w0", 1));
    std::atomic<int> ok{0};
    std::atomic<int> denied{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int b = 0; b < kBatches; ++b) {
                std::vector<core::Event> batch;
                for (int i = 0; i < 10; ++i) {
                    batch.push_back(make_event(b * 100 + i, "198.51.100." + std::to_string(t), "192.0.2.1", 22));
                }
                auto st = s->append_events("w" + std::to_string(t), batch,
                                           static_cast<std::uint64_t>(b + 1), 7);
                if (st) {
                    ++ok;
                } else if (st.error().code() == ErrorCode::kPermissionDenied) {
                    ++denied;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(ok.load(), (kThreads - 1) * kBatches);
    EXPECT_EQ(denied.load(), kBatches);
    for (int t = 1; t < kThreads; ++t) {
        auto c = s->get_collector("w" + std::to_string(t));
        ASSERT_TRUE(c);
        EXPECT_EQ(c->events_total, 10u * kBatches);
        EXPECT_EQ(c->high_water, static_cast<std::uint64_t>(kBatches));
        EventQuery q;
        q.address = *core::IpAddress::parse("198.51.100." + std::to_string(t));
        q.limit = kMaxPageSize;
        EXPECT_EQ(s->search_events(Scope::of({4}), q)->items.size(), 10u * kBatches);
    }
    EXPECT_EQ(s->get_collector("w0")->events_total, 0u);
    EXPECT_EQ(s->summarize_events(Scope::of({4}), EventQuery{}, 1000, 1)->events,
              10u * kBatches * (kThreads - 1));
}

// Retention trims a block that straddles the cutoff: the events left keep their ids.
TEST_F(SqliteStoreTest, RetentionTrimsABlockAndKeepsIds) {
    auto s = open_ok();
    ASSERT_TRUE(s);
    add_member_and_collector(*s);
    constexpr std::int64_t kDay = 86'400'000'000'000;
    std::vector<core::Event> events;
    for (int d = 0; d < 10; ++d) {
        events.push_back(make_event(d * kDay + 5, "198.51.100.1", "192.0.2.1", 22));
    }
    ASSERT_TRUE(s->append_events("c1", events, 1, 1));
    auto before = s->search_events(Scope::of({4}), EventQuery{});
    ASSERT_TRUE(before);
    RetentionPolicy policy;
    policy.events_days = 3;
    auto run = s->run_retention(policy, 10 * kDay);  // keeps days 7, 8, 9
    ASSERT_TRUE(run) << run.error().to_string();
    EXPECT_EQ(run->events_deleted, 7u);
    auto after = s->search_events(Scope::of({4}), EventQuery{});
    ASSERT_TRUE(after);
    ASSERT_EQ(after->items.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(after->items[i].id, before->items[i].id);
        EXPECT_EQ(after->items[i].event, before->items[i].event);
    }
    EventQuery q;
    q.port = 22;
    q.from_ns = 8 * kDay;
    EXPECT_EQ(s->search_events(Scope::of({4}), q)->items.size(), 2u);
    policy.events_days = 1;
    EXPECT_EQ(s->run_retention(policy, 20 * kDay)->events_deleted, 3u);  // the whole block
    EXPECT_TRUE(s->search_events(Scope::of({4}), EventQuery{})->items.empty());
}

TEST_F(SqliteStoreTest, RefusesANewerSchema) {
    open_ok().reset();
    {
        RawDb raw(path());
        raw.exec("INSERT INTO schema_migrations VALUES (99, 'from the future', 1)");
    }
    auto refused = open_sqlite(path());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), ErrorCode::kUnsupported);
    EXPECT_NE(refused.error().message().find("99"), std::string::npos);
    EXPECT_NE(refused.error().message().find(std::to_string(sqlite::latest_schema_version())),
              std::string::npos);
}

TEST_F(SqliteStoreTest, EditedAuditRowFailsRecomputation) {
    auto s = open_ok();
    ASSERT_TRUE(s);
    for (int i = 0; i < 5; ++i) {
        AuditRecord r;
        r.actor = "user:7";
        r.action = "export";
        r.target = "findings";
        r.detail = "grant=3";
        ASSERT_TRUE(s->append_audit(r));
    }
    {
        RawDb raw(path());
        raw.exec("UPDATE audit SET detail = 'grant=4' WHERE seq = 3");
    }
    auto records = s->read_audit(1, 10, std::nullopt);
    ASSERT_TRUE(records);
    ASSERT_EQ(records->size(), 5u);
    std::vector<std::int64_t> broken;
    std::string prev;
    for (const auto& r : *records) {
        if (r.prev_hash != prev || audit_hash(r) != r.hash) {
            broken.push_back(r.seq);
        }
        prev = r.hash;
    }
    EXPECT_EQ(broken, std::vector<std::int64_t>{3});
}

TEST_F(SqliteStoreTest, DamagedEventBlockIsCorruptNotACrash) {
    auto s = open_ok();
    ASSERT_TRUE(s);
    add_member_and_collector(*s);
    ASSERT_TRUE(s->append_events("c1", std::vector{make_event(5, "198.51.100.1", "192.0.2.1", 22)},
                                 1, 1));
    const auto damaged = [&](const std::string& update) {
        RawDb raw(path());
        raw.exec(update);
        auto page = s->search_events(Scope::of({4}), EventQuery{});
        EXPECT_FALSE(page);
        if (!page) {
            EXPECT_EQ(page.error().code(), ErrorCode::kCorrupt);
            EXPECT_NE(page.error().message().find("event block 1"), std::string::npos)
                << page.error().message();
        }
    };
    damaged("UPDATE event_blocks SET body = x'ff00'");
    // A well-formed block (version 1, one event at t = 5) whose event does not decode.
    damaged("UPDATE event_blocks SET body = x'01' || x'01000000' || x'0500000000000000' || "
            "x'02000000' || x'ff00'");
    damaged("UPDATE event_blocks SET count = 2");
}

TEST_F(SqliteStoreTest, BusyDatabaseIsUnavailable) {
    SqliteOptions options;
    options.busy_timeout_ms = 50;
    auto s = open_ok(options);
    ASSERT_TRUE(s);
    RawDb other(path());
    other.exec("BEGIN IMMEDIATE");  // another process holds the write lock
    AuditRecord r;
    r.actor = "user:1";
    r.action = "login";
    auto busy = s->append_audit(r);
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code(), ErrorCode::kUnavailable);
    other.exec("ROLLBACK");
    EXPECT_TRUE(s->append_audit(r));
}

// Every statement over event blocks reads one member's range of the member/time index, in
// page order: no table scan, no sort.
TEST_F(SqliteStoreTest, EventSearchesUseIndexesWithoutSorting) {
    open_ok().reset();
    RawDb raw(path());
    for (const std::string& sql : {sqlite::event_blocks_sql(false), sqlite::event_blocks_sql(true),
                                  std::string(sqlite::kDeleteOldBlocksSql),
                                  std::string(sqlite::kStraddlingBlocksSql),
                                  std::string(sqlite::kEventBlockBodySql)}) {
        const std::string plan = raw.plan(sql);
        EXPECT_NE(plan.find("SEARCH event_blocks USING"), std::string::npos) << sql << "\n" << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << plan;
        EXPECT_EQ(plan.find("SCAN "), std::string::npos) << sql << "\n" << plan;
    }
    EXPECT_NE(raw.plan(sqlite::event_blocks_sql(true)).find("event_blocks_member_time (member=? AND max_time_ns>?)"),
              std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::store::test
