// `cyberalarm audit verify|checkpoint|public-key` and `cyberalarm data-map`, run as the real
// binary against a data directory whose store was edited by hand.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "server/api/secrets.h"
#include "store/sqlite/sqlite_store.h"
#include "support/child_process.h"
#include "support/test_support.h"

namespace cyberalarm::server::api::test {
namespace {

using cyberalarm::test::run_command;

class AuditCli : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = store::open_sqlite(dir_.path() / "store.db");
        ASSERT_TRUE(s) << s.error().message();
        for (int i = 1; i <= 6; ++i) {
            store::AuditRecord r;
            r.time_ns = i * 1'000'000'000LL;
            r.actor = "user:" + std::to_string(i);
            r.action = "read";
            r.member = 4;
            r.target = "events";
            r.detail = "role:member_viewer token:1";
            ASSERT_TRUE((*s)->append_audit(r));
        }
    }

    cyberalarm::test::CommandResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), CA_CLI_BIN);
        args.push_back("--data-dir");
        args.push_back(dir_.path().string());
        return run_command(args, dir_.path() / "out");
    }

    void tamper(const std::string& sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((dir_.path() / "store.db").c_str(), &db), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }

    cyberalarm::test::TempDir dir_;
};

TEST_F(AuditCli, VerifiesCheckpointsAndNamesAnEditedRow) {
    std::filesystem::create_directories(dir_.path() / "out");
    const auto cp = cli({"audit", "checkpoint"});
    ASSERT_EQ(cp.exit_code, 0) << cp.err;
    EXPECT_NE(cp.out.find("checkpoint 7"), std::string::npos) << cp.out;
    EXPECT_EQ(std::filesystem::status(dir_.path() / "audit-signing.key").permissions() &
                  (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
    const auto pub = cli({"audit", "public-key"});
    ASSERT_EQ(pub.exit_code, 0);
    EXPECT_EQ(pub.out.size(), 65u);  // 64 hex digits and a newline

    const auto ok = cli({"audit", "verify"});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("1 signed by " + pub.out.substr(0, 64)), std::string::npos) << ok.out;
    EXPECT_NE(ok.out.find("OK"), std::string::npos);

    tamper("UPDATE audit SET target = 'nothing to see' WHERE seq = 3");
    const auto bad = cli({"audit", "verify"});
    EXPECT_EQ(bad.exit_code, 1) << bad.out;
    EXPECT_NE(bad.out.find("seq 3: edited"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("FAILED"), std::string::npos);

    tamper("DELETE FROM audit WHERE seq = 5");
    const auto json = cli({"audit", "verify", "--json"});
    EXPECT_EQ(json.exit_code, 1);
    EXPECT_NE(json.out.find("\"kind\":\"deleted\""), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"seq\":6"), std::string::npos) << json.out;

    // A different trusted key makes the checkpoint untrusted.
    const auto other = cli({"audit", "verify", "--key", std::string(64, 'a')});
    EXPECT_NE(other.out.find("checkpoint"), std::string::npos);
    EXPECT_EQ(other.exit_code, 1);
}

TEST_F(AuditCli, DataMapPrintsTheAccessReview) {
    std::filesystem::create_directories(dir_.path() / "out");
    const auto md = cli({"data-map", "--smtp", "smtp://mail.example:587"});
    ASSERT_EQ(md.exit_code, 0) << md.err;
    for (const char* s : {"# Data map and access review", "### event metadata", "### audit log",
                          "store.db", "smtp://mail.example:587", "90 days"}) {
        EXPECT_NE(md.out.find(s), std::string::npos) << s << "\n" << md.out;
    }
    const auto json = cli({"data-map", "--json", "--stale-days", "30"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    EXPECT_NE(json.out.find("\"classes\""), std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::server::api::test
