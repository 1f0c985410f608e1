// A crash at a random moment: a forked child appends (single records and batches) and
// acknowledges without pause, and is killed with SIGKILL; the parent reopens and checks
// that every record is intact, in order, and there only once. Several rounds in the same
// directory, so that recovery also runs on what an earlier recovery left.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "spool/spool.h"
#include "spool_test_util.h"
#include "support/test_support.h"

namespace cyberalarm::spool {
namespace {

// The payload of record `seq`: its content follows from its number, so the parent can
// check every byte.
std::string record_for(std::uint64_t seq) {
    return test::payload(seq, 60 + static_cast<std::size_t>(seq % 200));
}

Options crash_options() {
    Options o;
    o.segment_bytes = 64 * 1024;
    o.max_bytes = 256u << 20;
    o.fsync = FsyncPolicy::kInterval;
    o.fsync_interval = std::chrono::milliseconds(20);
    o.max_record_bytes = 4096;
    return o;
}

// Appends until killed; writes one byte to `ready` after its first append.
[[noreturn]] void child(const std::filesystem::path& dir, std::uint64_t seed, int ready) {
    auto s = Spool::open(dir, crash_options());
    if (!s) {
        ::_exit(2);
    }
    std::mt19937_64 rng(seed);
    std::uint64_t next = (*s)->stats().next_seq;
    for (;;) {
        // Mostly small batches; now and then a large one (a segment then outgrows
        // segment_bytes), which also gives the kill a chance to land inside a write. In
        // practice the kernel finishes the copy, so torn tails are tested directly, byte by
        // byte, in recovery_test.cpp.
        std::size_t n = rng() % 8 == 0 ? 500 + rng() % 3000 : 1 + rng() % 20;
        std::vector<std::string> batch;
        for (std::size_t i = 0; i < n; ++i) {
            batch.push_back(record_for(next + i));
        }
        auto last = n == 1 ? (*s)->append(batch[0]) : (*s)->append_many(batch);
        if (!last || *last != next + n - 1) {
            ::_exit(3);  // the parent sees an unexpected exit code
        }
        next += n;
        if (ready >= 0) {
            char one = 1;
            if (::write(ready, &one, 1) != 1) {
                ::_exit(5);
            }
            ::close(ready);
            ready = -1;
        }
        if (rng() % 64 == 0 && next > 1000) {
            if (!(*s)->ack(next - 1000)) {
                ::_exit(4);
            }
        }
    }
}

TEST(SpoolCrashTest, KilledAtARandomMomentLosesNothingWritten) {
    cyberalarm::test::TempDir tmp;
    const auto dir = tmp.path() / "spool";
    std::random_device rd;
    const std::uint64_t seed = rd();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::uint64_t prev_next = 1;
    std::uint64_t prev_acked = 0;
    for (int round = 0; round < 6; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            child(dir, seed + static_cast<std::uint64_t>(round), fds[1]);
        }
        ::close(fds[1]);
        // Wait for the first append (recovery may be slow on a loaded machine or under
        // ASan), then kill at a random moment.
        pollfd p{fds[0], POLLIN, 0};
        bool started = ::poll(&p, 1, 60'000) == 1;
        ::close(fds[0]);
        if (started) {
            std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 250));
        }
        ASSERT_EQ(::kill(pid, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(started) << "the child did not append within a minute";
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "the child stopped by itself: status " << status;

        auto s = Spool::open(dir, crash_options());
        ASSERT_TRUE(s) << s.error().to_string();
        auto st = (*s)->stats();
        // A killed process loses nothing that write(2) accepted: no damage but perhaps a
        // record cut short by the kill itself.
        EXPECT_EQ(st.corrupt_skipped, 0u);
        EXPECT_EQ(st.corrupt_bytes, 0u);
        EXPECT_GE(st.next_seq, prev_next);
        EXPECT_GE(st.acked_seq, prev_acked);
        EXPECT_LT(st.acked_seq, st.next_seq);
        EXPECT_GT(st.next_seq, prev_next) << "the child appended nothing";
        auto records = (*s)->read(0, SIZE_MAX, SIZE_MAX);
        ASSERT_TRUE(records) << records.error().to_string();
        ASSERT_FALSE(records->empty());
        // Everything unacknowledged is there; acknowledged records may be gone already.
        EXPECT_LE(records->front().seq, st.acked_seq + 1);
        EXPECT_EQ(records->back().seq, st.next_seq - 1);
        for (std::size_t i = 0; i < records->size(); ++i) {
            const auto& r = (*records)[i];
            if (i > 0) {
                ASSERT_EQ(r.seq, (*records)[i - 1].seq + 1) << "gap or duplicate";
            }
            ASSERT_EQ(r.data, record_for(r.seq)) << "record " << r.seq << " damaged";
        }
        std::cout << "round " << round << ": " << records->size() << " records readable, next seq "
                  << st.next_seq << ", acked " << st.acked_seq << ", torn bytes cut "
                  << st.torn_bytes_cut << "\n";
        prev_next = st.next_seq;
        prev_acked = st.acked_seq;
    }
}

}  // namespace
}  // namespace cyberalarm::spool
