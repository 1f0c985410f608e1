// Write failures through the FileIo seam (a file layer that fails on the Nth write), fsync
// policies counted through it, and concurrent appenders with a reader.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <thread>

#include "spool/spool.h"
#include "spool_test_util.h"
#include "support/test_support.h"

namespace cyberalarm::spool {
namespace {

using test::open_ok;
using test::payload;
using test::read_all;
using test::small_options;

// Fails the write numbered fail_at (counting from 1): writes `partial` bytes of it first,
// then reports `err`. Counts fdatasync calls; can fail them too.
class FaultyIo : public FileIo {
public:
    long pwrite(int fd, const void* data, std::size_t n, std::uint64_t offset) override {
        ++writes;
        bool forced = fail_next;
        fail_next = false;
        bool fail = forced || writes == fail_at || (fail_from != 0 && writes >= fail_from);
        if (!fail) {
            return FileIo::pwrite(fd, data, n, offset);
        }
        if (!forced && partial > 0 && n > partial) {
            // A short write first, as a filling disk gives; the caller comes back for the
            // rest, and that fails.
            fail_next = true;
            return FileIo::pwrite(fd, data, partial, offset);
        }
        errno = err;
        return -1;
    }
    int fdatasync(int fd) override {
        ++syncs;
        if (fail_syncs) {
            errno = EIO;
            return -1;
        }
        return FileIo::fdatasync(fd);
    }

    std::atomic<std::uint64_t> writes{0};
    std::atomic<std::uint64_t> syncs{0};
    std::uint64_t fail_at = 0;
    std::uint64_t fail_from = 0;
    std::size_t partial = 0;
    int err = EIO;
    bool fail_next = false;
    std::atomic<bool> fail_syncs{false};
};

std::uint64_t segment_bytes_on_disk(const std::filesystem::path& dir) {
    std::uint64_t total = 0;
    for (const auto& f : test::segment_files(dir)) {
        total += std::filesystem::file_size(f);
    }
    return total;
}

TEST(SpoolFaultTest, FailedPartialWriteIsCutBack) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    for (int i = 1; i <= 5; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    const auto before = segment_bytes_on_disk(tmp.path());
    io.fail_at = io.writes + 1;
    io.partial = 30;
    auto r = s->append(payload(6));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kIo);
    EXPECT_EQ(r.error().message().rfind("cannot write ", 0), 0u) << r.error().message();
    EXPECT_EQ(segment_bytes_on_disk(tmp.path()), before);
    auto st = s->stats();
    EXPECT_EQ(st.write_errors, 1u);
    EXPECT_EQ(st.next_seq, 6u);
    EXPECT_EQ(st.last_error, r.error().message());
    // The seq was not used up, and the spool goes on.
    auto seq = s->append(payload(6));
    ASSERT_TRUE(seq);
    EXPECT_EQ(*seq, 6u);
    s.reset();
    auto again = open_ok(tmp.path(), small_options());
    EXPECT_EQ(again->stats().torn_bytes_cut, 0u);
    EXPECT_EQ(again->stats().corrupt_skipped, 0u);
    auto out = read_all(*again);
    ASSERT_EQ(out.size(), 6u);
    EXPECT_EQ(out[5].data, payload(6));
}

TEST(SpoolFaultTest, FailedBatchLeavesNothing) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(payload(1)));
    std::vector<std::string> batch;
    for (int i = 2; i <= 20; ++i) {
        batch.push_back(payload(i));
    }
    io.fail_at = io.writes + 1;
    io.partial = 1000;
    ASSERT_FALSE(s->append_many(batch));
    EXPECT_EQ(read_all(*s).size(), 1u);
    auto last = s->append_many(batch);
    ASSERT_TRUE(last);
    EXPECT_EQ(*last, 20u);
    EXPECT_EQ(read_all(*s).size(), 20u);
}

TEST(SpoolFaultTest, DiskFullRefuseNewSaysDiskFull) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    o.when_full = FullPolicy::kRefuseNew;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(payload(1)));
    io.fail_at = io.writes + 1;
    io.partial = 10;
    io.err = ENOSPC;
    auto r = s->append(payload(2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ(r.error().message().rfind("disk full writing " + tmp.path().string(), 0), 0u)
        << r.error().message();
    EXPECT_NE(r.error().message().find("No space left on device"), std::string::npos);
    auto st = s->stats();
    EXPECT_EQ(st.refused, 1u);
    EXPECT_EQ(st.dropped_oldest, 0u);
    EXPECT_EQ(read_all(*s).size(), 1u);
}

TEST(SpoolFaultTest, DiskFullDropOldestDropsThenWrites) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    for (int i = 1; i <= 100; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    const auto segments = s->stats().segments;
    ASSERT_GT(segments, 2u);
    io.fail_at = io.writes + 1;
    io.err = ENOSPC;
    auto r = s->append(payload(101));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, 101u);
    auto st = s->stats();
    EXPECT_EQ(st.segments, segments - 1);
    EXPECT_GT(st.dropped_oldest, 0u);
    EXPECT_EQ(st.dropped_oldest + read_all(*s).size(), 101u);
    EXPECT_NE(st.last_error.find("dropped segment " + internal::segment_file_name(1)),
              std::string::npos);
}

TEST(SpoolFaultTest, DiskFullWithNothingToDropIsRefused) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(payload(1)));
    io.fail_from = io.writes + 1;
    io.err = ENOSPC;
    auto r = s->append(payload(2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kResourceExhausted);
    EXPECT_NE(r.error().message().find("disk full writing"), std::string::npos);
    EXPECT_NE(r.error().message().find("nothing older is left to drop"), std::string::npos);
    auto st = s->stats();
    // The one stored record was dropped trying to make room, and counted.
    EXPECT_EQ(st.dropped_oldest, 1u);
    EXPECT_EQ(st.refused, 1u);
    // Space again: the spool carries on with the next number.
    io.fail_from = 0;
    auto seq = s->append(payload(2));
    ASSERT_TRUE(seq);
    EXPECT_EQ(*seq, 2u);
}

TEST(SpoolFaultTest, FailedSyncUnderAlwaysLeavesNoRecord) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    o.fsync = FsyncPolicy::kAlways;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(payload(1)));
    io.fail_syncs = true;
    auto r = s->append(payload(2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kIo);
    EXPECT_NE(r.error().message().find("cannot fsync"), std::string::npos);
    EXPECT_EQ(read_all(*s).size(), 1u);
    EXPECT_EQ(s->stats().write_errors, 1u);
    io.fail_syncs = false;
    auto seq = s->append(payload(2));
    ASSERT_TRUE(seq);
    EXPECT_EQ(*seq, 2u);
}

TEST(SpoolFsyncTest, AlwaysSyncsEveryAppend) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    o.fsync = FsyncPolicy::kAlways;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    for (int i = 1; i <= 10; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    EXPECT_EQ(io.syncs, 10u);
    ASSERT_TRUE(s->append_many(std::vector<std::string>(5, "batch")));
    EXPECT_EQ(io.syncs, 11u);
    EXPECT_EQ(s->stats().fsyncs, 11u);
}

TEST(SpoolFsyncTest, NeverSyncsNotEvenOnClose) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    o.fsync = FsyncPolicy::kNever;
    {
        auto s = open_ok(tmp.path(), o);
        for (int i = 1; i <= 200; ++i) {
            ASSERT_TRUE(s->append(payload(i)));
        }
        EXPECT_GT(s->stats().segments, 3u);
    }
    EXPECT_EQ(io.syncs, 0u);
    // Still all there for the next open (the page cache survives a process).
    auto s = open_ok(tmp.path(), small_options());
    EXPECT_EQ(read_all(*s).size(), 200u);
}

TEST(SpoolFsyncTest, IntervalSyncsAtMostOncePerIntervalAndOnClose) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    o.fsync = FsyncPolicy::kInterval;
    o.fsync_interval = std::chrono::hours(1);
    std::uint64_t before_close = 0;
    {
        auto s = open_ok(tmp.path(), o);
        for (int i = 1; i <= 200; ++i) {
            ASSERT_TRUE(s->append(payload(i)));
        }
        EXPECT_EQ(io.syncs, 0u);  // the hour has not passed
        ASSERT_TRUE(s->sync());
        // The segment being written and the sealed ones waiting for a sync.
        EXPECT_GT(io.syncs, 1u);
        before_close = io.syncs.load();
        ASSERT_TRUE(s->append(payload(201)));
        EXPECT_EQ(io.syncs, before_close);
    }
    // Closing syncs what the last append left.
    EXPECT_GT(io.syncs, before_close);
}

TEST(SpoolFsyncTest, IntervalSyncsInTheBackground) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    auto o = small_options();
    o.io = &io;
    o.fsync = FsyncPolicy::kInterval;
    o.fsync_interval = std::chrono::milliseconds(10);
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(payload(1)));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (s->stats().fsyncs == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GE(io.syncs, 1u);
    EXPECT_GE(s->stats().fsyncs, 1u);
    // Nothing new: no more syncs.
    auto settled = io.syncs.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    EXPECT_EQ(io.syncs, settled);
}

TEST(SpoolFsyncTest, FailedBackgroundSyncIsCounted) {
    cyberalarm::test::TempDir tmp;
    FaultyIo io;
    io.fail_syncs = true;
    auto o = small_options();
    o.io = &io;
    o.fsync = FsyncPolicy::kInterval;
    o.fsync_interval = std::chrono::milliseconds(5);
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(payload(1)));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (s->stats().write_errors == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto st = s->stats();
    EXPECT_GE(st.write_errors, 1u);
    EXPECT_NE(st.last_error.find("cannot fsync"), std::string::npos) << st.last_error;
    auto r = s->sync();
    ASSERT_FALSE(r);
    io.fail_syncs = false;
    EXPECT_TRUE(s->sync());
}

TEST(SpoolConcurrencyTest, AppendersAndAReaderLoseNothing) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    o.segment_bytes = 64 * 1024;
    o.max_bytes = 64u << 20;
    o.fsync = FsyncPolicy::kInterval;
    o.fsync_interval = std::chrono::milliseconds(5);
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    constexpr int kThreads = 4;
    constexpr int kPerThread = 5000;
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                std::string rec = std::to_string(t) + ":" + std::to_string(i) + ":";
                if (i % 10 == 0) {
                    std::vector<std::string> batch = {rec + "0:" + payload(i, 40),
                                                      rec + "1:" + payload(i, 40)};
                    EXPECT_TRUE(s->append_many(batch));
                } else {
                    EXPECT_TRUE(s->append(rec + "0:" + payload(i, 40)));
                }
            }
        });
    }
    constexpr std::size_t kTotal = kThreads * (kPerThread + kPerThread / 10);
    std::map<int, int> last_of;
    std::size_t seen = 0;
    std::uint64_t after = 0;
    bool ordered = true;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (seen < kTotal && std::chrono::steady_clock::now() < deadline) {
        s->wait(after, std::chrono::milliseconds(50));
        auto batch = s->read(after, 500, 64 * 1024);
        ASSERT_TRUE(batch);
        for (const auto& r : *batch) {
            ordered = ordered && r.seq == after + 1;
            after = r.seq;
            ++seen;
            // "<thread>:<i>:<0|1>:<payload>"
            auto c1 = r.data.find(':');
            auto c2 = r.data.find(':', c1 + 1);
            int t = std::stoi(r.data.substr(0, c1));
            int i = std::stoi(r.data.substr(c1 + 1, c2 - c1 - 1));
            bool second = r.data[c2 + 1] == '1';
            auto it = last_of.find(t);
            // Per appender: strictly increasing, the batch's two records adjacent.
            int key = i * 2 + (second ? 1 : 0);
            ordered = ordered && (it == last_of.end() || key > it->second);
            last_of[t] = key;
        }
        if (!batch->empty()) {
            ASSERT_TRUE(s->ack(after));
        }
    }
    for (auto& w : writers) {
        w.join();
    }
    EXPECT_TRUE(ordered);
    EXPECT_EQ(seen, kTotal);
    auto st = s->stats();
    EXPECT_EQ(st.appended, kTotal);
    EXPECT_EQ(st.acked, kTotal);
    EXPECT_EQ(st.pending, 0u);
    EXPECT_EQ(st.corrupt_skipped, 0u);
    for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(last_of[t], (kPerThread - 1) * 2);
    }
}

}  // namespace
}  // namespace cyberalarm::spool
