// The spool's behaviour through its public API: round trip, restart, rotation and deletion,
// the disk bound under both policies, fsync policies, options, and the directory lock.
#include "spool/spool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "core/event.h"
#include "core/event_codec.h"
#include "spool/internal/file.h"
#include "spool_test_util.h"
#include "support/test_support.h"

namespace cyberalarm::spool {
namespace {

using test::open_ok;
using test::payload;
using test::read_all;
using test::small_options;

TEST(SpoolTest, RoundTripKeepsBytesAndOrder) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path() / "spool", small_options());
    ASSERT_TRUE(s);
    // Opaque bytes: an encoded event, an empty record, every byte value.
    core::Event ev;
    ev.format = "iptables";
    ev.set_src_port(443);
    std::string encoded;
    core::encode_event(ev, encoded);
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) {
        all_bytes.push_back(static_cast<char>(b));
    }
    std::vector<std::string> in = {encoded, "", all_bytes, payload(4, 1024)};
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto seq = s->append(in[i]);
        ASSERT_TRUE(seq) << seq.error().to_string();
        EXPECT_EQ(*seq, i + 1);
    }
    auto out = read_all(*s);
    ASSERT_EQ(out.size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        EXPECT_EQ(out[i].seq, i + 1);
        EXPECT_EQ(out[i].data, in[i]);
    }
    std::size_t used = 0;
    auto back = core::decode_event(std::as_bytes(std::span(out[0].data)), &used);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->src_port, 443);
    auto st = s->stats();
    EXPECT_EQ(st.appended, 4u);
    EXPECT_EQ(st.appended_bytes, encoded.size() + 256 + 1024);
    EXPECT_EQ(st.pending, 4u);
    EXPECT_EQ(st.next_seq, 5u);
}

TEST(SpoolTest, DirectoryIsCreatedPrivate) {
    cyberalarm::test::TempDir tmp;
    auto dir = tmp.path() / "a" / "spool";
    auto s = open_ok(dir, small_options());
    ASSERT_TRUE(s);
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(SpoolTest, ReadHonoursLimitsAndAfterSeq) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    for (int i = 1; i <= 50; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    auto r = s->read(0, 10, SIZE_MAX);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 10u);
    EXPECT_EQ(r->front().seq, 1u);
    EXPECT_EQ(r->back().seq, 10u);
    // Byte limit: 100-byte payloads, 250 bytes allow two.
    r = s->read(10, 100, 250);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ(r->front().seq, 11u);
    // One record is returned even if it alone passes max_bytes.
    r = s->read(12, 100, 1);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].seq, 13u);
    EXPECT_EQ((*r)[0].data, payload(13));
    // Out of order and repeated reads (the cache must not confuse them).
    r = s->read(40, 100, SIZE_MAX);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 10u);
    EXPECT_EQ(r->front().seq, 41u);
    r = s->read(5, 1, SIZE_MAX);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r->front().data, payload(6));
    r = s->read(50, 100, SIZE_MAX);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
    r = s->read(0, 0, SIZE_MAX);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

TEST(SpoolTest, ReadSeeksWithTheIndexInLargeSegments) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    o.segment_bytes = 4u << 20;
    o.max_bytes = 16u << 20;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    std::vector<std::string> batch;
    for (int i = 1; i <= 20000; ++i) {
        batch.push_back(payload(i, 120));
    }
    ASSERT_TRUE(s->append_many(batch));
    EXPECT_EQ(s->stats().segments, 1u);
    for (std::uint64_t after : {0u, 1u, 545u, 546u, 9999u, 19999u}) {
        auto r = s->read(after, 2, SIZE_MAX);
        ASSERT_TRUE(r);
        ASSERT_FALSE(r->empty()) << after;
        EXPECT_EQ(r->front().seq, after + 1);
        EXPECT_EQ(r->front().data, payload(after + 1, 120));
    }
    // And after a restart, from the index recovery rebuilt.
    s.reset();
    s = open_ok(tmp.path(), o);
    auto r = s->read(12345, 1, SIZE_MAX);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r->front().data, payload(12346, 120));
}

TEST(SpoolTest, RestartKeepsSequenceAndAckCursor) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    {
        auto s = open_ok(tmp.path(), o);
        ASSERT_TRUE(s);
        for (int i = 1; i <= 100; ++i) {
            ASSERT_TRUE(s->append(payload(i)));
        }
        ASSERT_TRUE(s->ack(60));
        EXPECT_EQ(s->acked_seq(), 60u);
    }
    {
        auto s = open_ok(tmp.path(), o);
        ASSERT_TRUE(s);
        auto st = s->stats();
        EXPECT_EQ(st.acked_seq, 60u);
        EXPECT_EQ(st.next_seq, 101u);
        EXPECT_EQ(st.pending, 40u);
        EXPECT_EQ(st.torn_bytes_cut, 0u);
        EXPECT_EQ(st.corrupt_skipped, 0u);
        auto seq = s->append(payload(101));
        ASSERT_TRUE(seq);
        EXPECT_EQ(*seq, 101u);
        auto out = read_all(*s, s->acked_seq());
        ASSERT_EQ(out.size(), 41u);
        EXPECT_EQ(out.front().seq, 61u);
        EXPECT_EQ(out.front().data, payload(61));
        ASSERT_TRUE(s->ack(101));
    }
    {
        // Everything acknowledged and deleted: numbering still goes on.
        auto s = open_ok(tmp.path(), o);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->stats().pending, 0u);
        auto seq = s->append("x");
        ASSERT_TRUE(seq);
        EXPECT_EQ(*seq, 102u);
    }
}

TEST(SpoolTest, AckRulesAndCounting) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    for (int i = 1; i <= 10; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    auto bad = s->ack(11);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), core::ErrorCode::kInvalidArgument);
    ASSERT_TRUE(s->ack(4));
    ASSERT_TRUE(s->ack(2));  // behind the cursor: no-op
    EXPECT_EQ(s->acked_seq(), 4u);
    ASSERT_TRUE(s->ack(10));
    auto st = s->stats();
    EXPECT_EQ(st.acked, 10u);
    EXPECT_EQ(st.pending, 0u);
    EXPECT_EQ(test::slurp(tmp.path() / "cursor").size(), internal::kCursorBytes);
}

TEST(SpoolTest, SegmentsRotateAndAckDeletesThem) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    for (int i = 1; i <= 300; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    auto files = test::segment_files(tmp.path());
    ASSERT_GT(files.size(), 5u);
    EXPECT_EQ(s->stats().segments, files.size());
    std::uint64_t total = 0;
    for (const auto& f : files) {
        total += std::filesystem::file_size(f);
        EXPECT_LE(std::filesystem::file_size(f), o.segment_bytes);
    }
    EXPECT_EQ(s->stats().disk_bytes, total);
    EXPECT_EQ(files.front().filename(), internal::segment_file_name(1));

    ASSERT_TRUE(s->ack(150));
    auto left = test::segment_files(tmp.path());
    EXPECT_LT(left.size(), files.size());
    // The first remaining segment holds 151: nothing unacknowledged was deleted.
    auto first = internal::parse_segment_file_name(left.front().filename().string());
    ASSERT_TRUE(first);
    EXPECT_LE(*first, 151u);
    EXPECT_GT(*first, 1u);
    auto out = read_all(*s, 150);
    ASSERT_EQ(out.size(), 150u);
    EXPECT_EQ(out.front().seq, 151u);

    // Acknowledging everything leaves only the segment being written.
    ASSERT_TRUE(s->ack(300));
    EXPECT_EQ(test::segment_files(tmp.path()).size(), 1u);
    // Once it is sealed and wholly acknowledged, it goes too.
    int i = 301;
    while (test::segment_files(tmp.path()).size() == 1) {
        ASSERT_TRUE(s->append(payload(i++)));
        ASSERT_LT(i, 400);
    }
    ASSERT_TRUE(s->ack(static_cast<std::uint64_t>(i - 2)));
    EXPECT_EQ(test::segment_files(tmp.path()).size(), 1u);
    auto tail = read_all(*s, static_cast<std::uint64_t>(i - 2));
    ASSERT_EQ(tail.size(), 1u);
    EXPECT_EQ(tail[0].data, payload(i - 1));
}

TEST(SpoolTest, AppendManyIsOneBatchInOneSegment) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    std::vector<std::string> batch;
    for (int i = 1; i <= 60; ++i) {
        batch.push_back(payload(i));
    }
    auto last = s->append_many(batch);
    ASSERT_TRUE(last);
    EXPECT_EQ(*last, 60u);
    // Larger than segment_bytes, never split.
    EXPECT_EQ(test::segment_files(tmp.path()).size(), 1u);
    auto empty = s->append_many({});
    ASSERT_TRUE(empty);
    EXPECT_EQ(*empty, 60u);
    auto out = read_all(*s);
    ASSERT_EQ(out.size(), 60u);
    EXPECT_EQ(out[59].data, payload(60));
    // A record over max_record_bytes refuses the whole batch.
    batch.push_back(std::string(2000, 'x'));
    auto bad = s->append_many(batch);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(s->stats().next_seq, 61u);
}

TEST(SpoolTest, MaxBytesDropOldestCountsWhatIsLost) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    o.max_bytes = 16384;
    o.when_full = FullPolicy::kDropOldest;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    constexpr std::uint64_t kN = 1000;
    for (std::uint64_t i = 1; i <= kN; ++i) {
        auto seq = s->append(payload(i));
        ASSERT_TRUE(seq) << seq.error().to_string();
        ASSERT_EQ(*seq, i);
        ASSERT_LE(s->stats().disk_bytes, o.max_bytes);
    }
    auto st = s->stats();
    EXPECT_GT(st.dropped_oldest, 0u);
    EXPECT_EQ(st.refused, 0u);
    EXPECT_NE(st.last_error.find("spool full: dropped segment"), std::string::npos);
    auto out = read_all(*s);
    ASSERT_FALSE(out.empty());
    // What is left is the newest records, without holes, and nothing vanished uncounted.
    EXPECT_EQ(out.back().seq, kN);
    for (std::size_t i = 1; i < out.size(); ++i) {
        ASSERT_EQ(out[i].seq, out[i - 1].seq + 1);
    }
    EXPECT_EQ(st.dropped_oldest + out.size(), kN);
    EXPECT_EQ(st.pending, out.size());
    // A reader behind the dropped records sees the gap and goes on.
    auto r = s->read(5, 1, SIZE_MAX);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r->front().seq, out.front().seq);
}

TEST(SpoolTest, MaxBytesDropOldestOnlyCountsUnacknowledged) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    o.max_bytes = 16384;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    for (int i = 1; i <= 100; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    // Acknowledged records still in the segment being written are not "lost" when dropped.
    ASSERT_TRUE(s->ack(100));
    for (int i = 101; i <= 400; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    auto st = s->stats();
    auto out = read_all(*s, 100);
    EXPECT_EQ(st.dropped_oldest + out.size(), 300u);
}

TEST(SpoolTest, MaxBytesRefuseNewSaysSoAndRecovers) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    o.max_bytes = 16384;
    o.when_full = FullPolicy::kRefuseNew;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    std::uint64_t stored = 0;
    core::Result<std::uint64_t> r = 0;
    while ((r = s->append(payload(stored + 1)))) {
        ++stored;
        ASSERT_LT(stored, 1000u);
    }
    EXPECT_EQ(r.error().code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ(r.error().message().rfind("spool full: ", 0), 0u) << r.error().message();
    EXPECT_NE(r.error().message().find("refuse-new"), std::string::npos);
    auto again = s->append_many(std::vector<std::string>{payload(1), payload(2)});
    ASSERT_FALSE(again);
    auto st = s->stats();
    EXPECT_EQ(st.refused, 3u);
    EXPECT_EQ(st.dropped_oldest, 0u);
    EXPECT_EQ(st.next_seq, stored + 1);
    EXPECT_LE(st.disk_bytes, o.max_bytes);
    EXPECT_EQ(st.last_error, again.error().message());
    // Nothing stored was lost, and acknowledging makes room again.
    auto out = read_all(*s);
    ASSERT_EQ(out.size(), stored);
    ASSERT_TRUE(s->ack(stored));
    auto seq = s->append(payload(stored + 1));
    ASSERT_TRUE(seq) << seq.error().to_string();
    EXPECT_EQ(*seq, stored + 1);
}

TEST(SpoolTest, RefuseNewNeverPassesTheBoundWithASegmentHeader) {
    // Regression: the bound was checked after a new segment's header was written, so a
    // refused append could leave the spool 16 bytes over max_bytes.
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    const std::uint64_t full_segment =
        internal::kSegmentHeaderBytes + 32 * internal::framed_size(100);  // 3984 bytes
    o.max_bytes = 4 * full_segment + 10;
    o.when_full = FullPolicy::kRefuseNew;
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    for (int i = 1; i <= 4 * 32; ++i) {
        ASSERT_TRUE(s->append(payload(i))) << i;
    }
    EXPECT_EQ(s->stats().disk_bytes, 4 * full_segment);
    ASSERT_FALSE(s->append(payload(129)));
    EXPECT_LE(s->stats().disk_bytes, o.max_bytes);
    EXPECT_EQ(test::segment_files(tmp.path()).size(), 4u);
}

TEST(SpoolTest, OptionsOutOfRangeAreRefused) {
    cyberalarm::test::TempDir tmp;
    auto check = [&](Options o, std::string_view what) {
        auto s = Spool::open(tmp.path(), o);
        ASSERT_FALSE(s) << what;
        EXPECT_EQ(s.error().code(), core::ErrorCode::kInvalidArgument) << what;
    };
    auto o = small_options();
    o.segment_bytes = 1000;
    check(o, "tiny segments");
    o = small_options();
    o.max_bytes = o.segment_bytes;
    check(o, "max_bytes below two segments");
    o = small_options();
    o.max_record_bytes = 4096;
    check(o, "record larger than a segment");
    o = small_options();
    o.max_record_bytes = 0;
    check(o, "zero record size");
    o = small_options();
    o.fsync = FsyncPolicy::kInterval;
    o.fsync_interval = std::chrono::milliseconds(0);
    check(o, "zero interval");
    o = small_options();
    o.fsync = static_cast<FsyncPolicy>(7);
    check(o, "bad enum");
    EXPECT_FALSE(Spool::open("", small_options()));
}

TEST(SpoolTest, OversizedRecordIsRefusedWithoutSideEffects) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    auto r = s->append(std::string(1025, 'x'));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find("max_record_bytes"), std::string::npos);
    auto ok = s->append(std::string(1024, 'x'));
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 1u);
}

TEST(SpoolTest, DirectoryIsLockedAgainstASecondSpool) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    auto second = Spool::open(tmp.path(), small_options());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code(), core::ErrorCode::kUnavailable);
    EXPECT_NE(second.error().message().find("in use"), std::string::npos);
    s.reset();
    EXPECT_TRUE(Spool::open(tmp.path(), small_options()));
}

TEST(SpoolTest, WaitWakesOnAppendAndTimesOut) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->wait(0, std::chrono::milliseconds(20)));
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        EXPECT_TRUE(s->append("x"));
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(s->wait(0, std::chrono::seconds(10)));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    t.join();
    EXPECT_TRUE(s->wait(0, std::chrono::milliseconds(0)));
    EXPECT_FALSE(s->wait(1, std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace cyberalarm::spool
