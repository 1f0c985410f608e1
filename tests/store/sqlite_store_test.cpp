// The SQLite backend: the conformance suite, and what only this backend promises — the file
// and its modes, migrations, query plans that use the indexes, errors for a busy or damaged
// database, and tamper evidence when the file is edited behind the store's back.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

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

TEST_F(SqliteStoreTest, DamagedEventRecordIsCorruptNotACrash) {
    auto s = open_ok();
    ASSERT_TRUE(s);
    Tenant t;
    t.level = TenantLevel::kNation;
    t.name = "N";
    ASSERT_TRUE(s->create_tenant(t));  // id 1
    {
        RawDb raw(path());
        raw.exec("INSERT INTO events (member, time_ns, collector, category, action, body) "
                 "VALUES (1, 5, 'x', 0, 0, x'ff00')");
    }
    auto page = s->search_events(Scope::of({1}), EventQuery{});
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().code(), ErrorCode::kCorrupt);
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

// Every search shape reads an index range in page order: no table scan, no sort.
TEST_F(SqliteStoreTest, EventSearchesUseIndexesWithoutSorting) {
    open_ok().reset();
    RawDb raw(path());
    std::vector<EventQuery> queries(6);
    queries[1].address = *core::IpAddress::parse("198.51.100.1");
    queries[2].port = 22;
    queries[3].category = core::Category::kIds;
    queries[4].action = core::Action::kDeny;
    queries[5].address = *core::IpAddress::parse("198.51.100.1");
    queries[5].port = 443;
    queries[5].category = core::Category::kAv;
    for (const EventQuery& q : queries) {
        for (const sqlite::Driver d : sqlite::drivers_for(q)) {
            for (const bool cursor : {false, true}) {
                const std::string sql = sqlite::event_keys_sql(q, d, cursor);
                const std::string plan = raw.plan(sql);
                EXPECT_NE(plan.find("USING"), std::string::npos) << sql << "\n" << plan;
                EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << plan;
                EXPECT_EQ(plan.find("SCAN events"), std::string::npos) << sql << "\n" << plan;
            }
        }
    }
    const std::string summary = raw.plan(
        "SELECT count(*) FROM events " + sqlite::event_summary_where(EventQuery{}, false));
    EXPECT_NE(summary.find("events_member_time"), std::string::npos) << summary;
}

}  // namespace
}  // namespace cyberalarm::store::test
