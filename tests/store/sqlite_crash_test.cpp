// kill -9 during ingest: a child process appends batches and reports each one that
// append_events acknowledged; the parent kills it mid-stream and reopens the database. Every
// acknowledged batch must be there, whole; a batch in flight is either whole or absent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store_conformance.h"

namespace cyberalarm::store::test {
namespace {

constexpr int kBatch = 500;

std::vector<core::Event> batch(int k) {
    std::vector<core::Event> out;
    for (int i = 0; i < kBatch; ++i) {
        auto e = make_event(1'000'000 + k, "198.51.100.7", "192.0.2.1", 22);
        e.rule_id = "batch-" + std::to_string(k);  // which batch an event came from
        out.push_back(std::move(e));
    }
    return out;
}

// The child: append forever, writing "k\n" after each acknowledged batch. Never returns.
[[noreturn]] void child(const std::filesystem::path& path, int fd) {
    auto s = open_sqlite(path);
    if (!s) {
        ::_exit(2);
    }
    for (int k = 1;; ++k) {
        if (!(*s)->append_events("col-a", batch(k), static_cast<std::uint64_t>(k), k)) {
            ::_exit(3);
        }
        const std::string line = std::to_string(k) + "\n";
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
            ::_exit(4);
        }
    }
}

TEST(SqliteCrashTest, KillNineKeepsEveryAcknowledgedBatch) {
    cyberalarm::test::TempDir dir;
    const auto path = dir.path() / "store.db";
    TenantId member = 0;
    {
        auto s = open_sqlite(path);
        ASSERT_TRUE(s) << s.error().to_string();
        Tenant t;
        t.level = TenantLevel::kNation;
        t.name = "N";
        for (const auto level : {TenantLevel::kRegion, TenantLevel::kForce, TenantLevel::kMember}) {
            auto made = (*s)->create_tenant(t);
            ASSERT_TRUE(made);
            t.parent = made->id;
            t.level = level;
        }
        auto m = (*s)->create_tenant(t);
        ASSERT_TRUE(m);
        member = m->id;
        Collector c;
        c.id = "col-a";
        c.member = member;
        ASSERT_TRUE((*s)->create_collector(c));
    }
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(fds[0]);
        child(path, fds[1]);
    }
    ::close(fds[1]);
    FILE* in = ::fdopen(fds[0], "r");
    ASSERT_NE(in, nullptr);
    int acked = 0;
    // Kill once 30 batches are acknowledged: the child is then inside its next append.
    while (acked < 30 && std::fscanf(in, "%d", &acked) == 1) {
    }
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    int more = 0;
    while (std::fscanf(in, "%d", &more) == 1) {
        acked = more;  // acknowledged after we read 30, before the signal landed
    }
    std::fclose(in);
    ASSERT_GE(acked, 30);

    auto s = open_sqlite(path);
    ASSERT_TRUE(s) << s.error().to_string();
    std::map<std::string, int> per_batch;
    EventQuery q;
    q.limit = kMaxPageSize;
    for (;;) {
        auto page = (*s)->search_events(Scope::of({member}), q);
        ASSERT_TRUE(page) << page.error().to_string();
        for (const auto& r : page->items) {
            ++per_batch[r.event.rule_id];
        }
        if (page->next_cursor.empty()) {
            break;
        }
        q.cursor = page->next_cursor;
    }
    for (int k = 1; k <= acked; ++k) {
        EXPECT_EQ(per_batch["batch-" + std::to_string(k)], kBatch) << "acknowledged batch " << k;
    }
    int stored_batches = 0;
    for (const auto& [name, n] : per_batch) {
        EXPECT_EQ(n, kBatch) << name << " is partial";
        ++stored_batches;
    }
    EXPECT_LE(stored_batches, acked + 1);  // at most the one in flight besides
    auto c = (*s)->get_collector("col-a");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->events_total, static_cast<std::uint64_t>(stored_batches) * kBatch);
    EXPECT_EQ(c->high_water, static_cast<std::uint64_t>(stored_batches));
}

}  // namespace
}  // namespace cyberalarm::store::test
