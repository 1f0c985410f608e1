// The cyberalarm-scan binary end to end on loopback: store mode accepts only the member's
// verified assets (exit 3 naming the target otherwise) and records the run and its results;
// lab mode refuses anything not loopback; --json is one document; usage errors exit 2.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loopback_server.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

extern char** environ;

namespace cyberalarm::scan {
namespace {

using loopback::LoopbackServer;

struct Outcome {
    int code = -1;
    std::string out, err;
};

Outcome run_scan(const test::TempDir& dir, std::vector<std::string> args) {
    args.insert(args.begin(), CA_SCAN_BINARY);
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::string out = (dir.path() / "out.txt").string();
    std::string err = (dir.path() / "err.txt").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    Outcome r;
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0) {
        int st = 0;
        ::waitpid(pid, &st, 0);
        r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    r.out = test::read_file(out);
    r.err = test::read_file(err);
    return r;
}

// nation → region → force → member, one verified network asset and one unverified.
store::TenantId make_member(store::Store& s) {
    store::TenantId parent = 0;
    store::TenantId id = 0;
    for (auto level : {store::TenantLevel::kNation, store::TenantLevel::kRegion,
                       store::TenantLevel::kForce, store::TenantLevel::kMember}) {
        store::Tenant t;
        t.level = level;
        t.parent = parent;
        t.name = "t" + std::to_string(static_cast<int>(level));
        auto made = s.create_tenant(t);
        EXPECT_TRUE(made.has_value()) << made.error().to_string();
        id = parent = made->id;
    }
    store::Scope scope = store::Scope::of({id});
    store::Asset verified;
    verified.member = id;
    verified.kind = store::AssetKind::kNetwork;
    verified.value = "127.0.0.1/32";
    verified.verify_token = "tok-0123456789abcdef";
    auto a = s.add_asset(scope, verified);
    EXPECT_TRUE(a.has_value());
    EXPECT_TRUE(s.mark_asset_verified(scope, a->id, "http-file", 1).has_value());
    store::Asset claimed = verified;
    claimed.value = "127.0.0.2/32";  // claimed, never proven
    EXPECT_TRUE(s.add_asset(scope, claimed).has_value());
    return id;
}

TEST(ScanApp, StoreModeScansOnlyVerifiedAssetsAndRecordsTheRun) {
    test::TempDir dir;
    store::TenantId member = 0;
    {
        auto s = store::open_sqlite(dir.path() / "store.db");
        ASSERT_TRUE(s.has_value()) << s.error().to_string();
        member = make_member(**s);
    }
    LoopbackServer web([](int fd) {
        (void)LoopbackServer::read_until(fd, "\r\n\r\n");
        LoopbackServer::send_text(fd, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 2\r\n\r\nok");
    });
    std::string port = std::to_string(web.port());
    std::string m = std::to_string(member);
    Outcome refused = run_scan(dir, {"--data-dir", dir.path().string(), "--member", m, "-t", "127.0.0.2", "-p", port});
    EXPECT_EQ(refused.code, 3) << refused.err;
    EXPECT_NE(refused.err.find("'127.0.0.2'"), std::string::npos) << refused.err;
    Outcome other = run_scan(dir, {"--data-dir", dir.path().string(), "--member", m, "-t", "127.0.0.1,127.0.0.3", "-p", port});
    EXPECT_EQ(other.code, 3) << other.err;  // one refused target refuses the whole list
    Outcome ok = run_scan(dir, {"--data-dir", dir.path().string(), "--member", m, "-t", "127.0.0.1", "-p", port, "--json"});
    ASSERT_EQ(ok.code, 0) << ok.err;
    auto doc = nlohmann::json::parse(ok.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded());
    ASSERT_EQ(doc["services"].size(), 1u);
    EXPECT_EQ(doc["services"][0]["product"], "nginx");
    auto s = store::open_sqlite(dir.path() / "store.db");
    ASSERT_TRUE(s.has_value());
    auto runs = (*s)->list_scans(store::Scope::of({member}), member);
    ASSERT_TRUE(runs.has_value());
    ASSERT_EQ(runs->size(), 1u);  // refused requests leave no run behind
    EXPECT_EQ((*runs)[0].status, "done");
    auto results = (*s)->scan_results(store::Scope::of({member}), member, (*runs)[0].id);
    ASSERT_TRUE(results.has_value());
    EXPECT_TRUE(std::any_of(results->begin(), results->end(), [](const store::ScanResult& r) {
        return r.check == "http.version_disclosure" && r.product == "nginx";
    }));
}

TEST(ScanApp, LabModeRefusesAnythingNotLoopbackAndUsageErrors) {
    test::TempDir dir;
    Outcome r = run_scan(dir, {"--allow-loopback", "-t", "192.0.2.1", "-p", "80"});
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("192.0.2.1"), std::string::npos);
    EXPECT_EQ(run_scan(dir, {"-t", "127.0.0.1"}).code, 2);  // neither mode chosen
    EXPECT_EQ(run_scan(dir, {"--allow-loopback", "-t", "127.0.0.1", "-p", "0"}).code, 2);
    EXPECT_EQ(run_scan(dir, {"--allow-loopback", "-t", "127.0.0.1", "--fail-on", "dire"}).code, 2);
}

TEST(ScanApp, FailOnAndImport) {
    test::TempDir dir;
    LoopbackServer ftp([](int fd) {
        LoopbackServer::send_text(fd, "220 (vsFTPd 3.0.3)\r\n");
        if (LoopbackServer::read_until(fd, "\r\n").rfind("USER", 0) == 0) {
            LoopbackServer::send_text(fd, "230 Login successful.\r\n");
        }
    });
    Outcome r = run_scan(dir, {"--allow-loopback", "-t", "127.0.0.1", "-p", std::to_string(ftp.port()), "--fail-on", "high"});
    EXPECT_EQ(r.code, 1) << r.out << r.err;  // anonymous FTP is high
    CA_REQUIRE_CORPUS();
    std::string db = (dir.path() / "vulndb.jsonl").string();
    Outcome imp = run_scan(dir, {"--cve-dir", (test::corpus_dir() / "vulndb").string(), "--import-vulndb", db});
    ASSERT_EQ(imp.code, 0) << imp.err;
    EXPECT_NE(test::read_file(db).find("CVE-2024-6387"), std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::scan
