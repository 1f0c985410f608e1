// Recovery from damage: a torn tail at every byte offset, bit flips in the middle, damaged
// headers and cursor, damage appearing while the spool is open; and the segment scanner
// on hand-made bytes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <random>

#include "spool/internal/file.h"
#include "spool/internal/format.h"
#include "spool/spool.h"
#include "spool_test_util.h"
#include "support/test_support.h"

namespace cyberalarm::spool {
namespace {

using test::open_ok;
using test::payload;
using test::read_all;
using test::slurp;
using test::small_options;
using test::spit;

constexpr std::size_t kPayload = 100;
constexpr std::uint64_t kFrame = internal::kRecordHeaderBytes + kPayload;

// A segment file holding records 1..n of kPayload bytes, as the spool wrote it.
std::string make_segment(std::uint64_t n) {
    cyberalarm::test::TempDir tmp;
    {
        auto s = open_ok(tmp.path(), small_options());
        for (std::uint64_t i = 1; i <= n; ++i) {
            EXPECT_TRUE(s->append(payload(i)));
        }
    }
    auto files = test::segment_files(tmp.path());
    EXPECT_EQ(files.size(), 1u);
    return slurp(files.at(0));
}

// Puts `bytes` as segment 1 of a fresh spool directory under `root`.
std::filesystem::path plant(const std::filesystem::path& root, const std::string& name,
                            const std::string& bytes) {
    auto dir = root / name;
    std::filesystem::create_directories(dir);
    spit(dir / internal::segment_file_name(1), bytes);
    return dir;
}

void expect_records(const std::vector<Record>& got, const std::vector<std::uint64_t>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].seq, want[i]);
        EXPECT_EQ(got[i].data, payload(want[i]));
    }
}

std::vector<std::uint64_t> range(std::uint64_t lo, std::uint64_t hi) {
    std::vector<std::uint64_t> v;
    for (auto i = lo; i <= hi; ++i) {
        v.push_back(i);
    }
    return v;
}

TEST(SpoolRecoveryTest, TornTailIsCutAtEveryOffset) {
    const std::string seg = make_segment(5);
    ASSERT_EQ(seg.size(), internal::kSegmentHeaderBytes + 5 * kFrame);
    const std::size_t last = seg.size() - kFrame;
    const std::string garbage = "\x13\x37garbage after a crash\xff\xf5\x0c\xa1";
    cyberalarm::test::TempDir tmp;
    for (std::size_t cut = last; cut <= seg.size(); ++cut) {
        for (bool add_garbage : {false, true}) {
            SCOPED_TRACE("cut at " + std::to_string(cut) + (add_garbage ? " + garbage" : ""));
            std::string bytes = seg.substr(0, cut) + (add_garbage ? garbage : "");
            auto dir = plant(tmp.path(), std::to_string(cut) + (add_garbage ? "g" : ""), bytes);
            const bool whole = cut == seg.size();
            {
                auto s = open_ok(dir, small_options());
                ASSERT_TRUE(s);
                auto st = s->stats();
                EXPECT_EQ(st.torn_bytes_cut, bytes.size() - (whole ? seg.size() : last));
                EXPECT_EQ(st.corrupt_skipped, 0u);
                expect_records(read_all(*s), range(1, whole ? 5 : 4));
                // The next record goes where the torn one was.
                auto seq = s->append(payload(whole ? 6 : 5));
                ASSERT_TRUE(seq);
                EXPECT_EQ(*seq, whole ? 6u : 5u);
            }
            auto s = open_ok(dir, small_options());
            ASSERT_TRUE(s);
            EXPECT_EQ(s->stats().torn_bytes_cut, 0u);
            expect_records(read_all(*s), range(1, whole ? 6 : 5));
            s.reset();
            std::filesystem::remove_all(dir);
        }
    }
}

TEST(SpoolRecoveryTest, TornSegmentHeaderIsRewritten) {
    const std::string seg = make_segment(1);
    cyberalarm::test::TempDir tmp;
    for (std::size_t cut = 0; cut < internal::kSegmentHeaderBytes; ++cut) {
        auto dir = plant(tmp.path(), std::to_string(cut), seg.substr(0, cut));
        auto s = open_ok(dir, small_options());
        ASSERT_TRUE(s);
        EXPECT_EQ(s->stats().torn_bytes_cut, cut);
        EXPECT_TRUE(read_all(*s).empty());
        auto seq = s->append(payload(1));
        ASSERT_TRUE(seq);
        EXPECT_EQ(*seq, 1u);
        s.reset();
        s = open_ok(dir, small_options());
        expect_records(read_all(*s), {1});
    }
}

TEST(SpoolRecoveryTest, BitFlipAnywhereInAMiddleRecordLosesOnlyThatRecord) {
    const std::string seg = make_segment(20);
    const std::size_t tenth = internal::kSegmentHeaderBytes + 9 * kFrame;
    std::vector<std::uint64_t> want = range(1, 9);
    for (auto i : range(11, 20)) {
        want.push_back(i);
    }
    cyberalarm::test::TempDir tmp;
    for (std::size_t at = tenth; at < tenth + kFrame; ++at) {
        SCOPED_TRACE("flip at " + std::to_string(at));
        std::string bytes = seg;
        bytes[at] = static_cast<char>(bytes[at] ^ (1 << (at % 8)));
        auto dir = plant(tmp.path(), std::to_string(at), bytes);
        auto s = open_ok(dir, small_options());
        ASSERT_TRUE(s);
        auto st = s->stats();
        EXPECT_EQ(st.corrupt_skipped, 1u);
        EXPECT_EQ(st.corrupt_bytes, kFrame);
        EXPECT_EQ(st.torn_bytes_cut, 0u);
        EXPECT_EQ(st.next_seq, 21u);
        EXPECT_NE(st.last_error.find("1 record(s) lost"), std::string::npos) << st.last_error;
        expect_records(read_all(*s), want);
        // The damage is not counted again by reads.
        expect_records(read_all(*s, 5), std::vector<std::uint64_t>(want.begin() + 5, want.end()));
        EXPECT_EQ(s->stats().corrupt_skipped, 1u);
        s.reset();
        std::filesystem::remove_all(dir);
    }
}

TEST(SpoolRecoveryTest, ScatteredDamageIsSkippedAndCounted) {
    const std::string seg = make_segment(30);
    std::string bytes = seg;
    auto rec = [](std::uint64_t n) { return internal::kSegmentHeaderBytes + (n - 1) * kFrame; };
    bytes[rec(3) + 30] ^= 0x40;                              // payload of 3
    bytes[rec(7) + 5] ^= 0x01;                               // length of 7
    std::fill_n(bytes.begin() + rec(12), kFrame * 3, '\0');  // 12, 13, 14 zeroed
    bytes[rec(20)] ^= 0xff;                                  // magic of 20
    bytes[rec(21) + 8] ^= 0x02;                              // seq of 21
    cyberalarm::test::TempDir tmp;
    auto dir = plant(tmp.path(), "d", bytes);
    auto s = open_ok(dir, small_options());
    ASSERT_TRUE(s);
    std::vector<std::uint64_t> want;
    for (auto i : range(1, 30)) {
        if (i != 3 && i != 7 && (i < 12 || i > 14) && i != 20 && i != 21) {
            want.push_back(i);
        }
    }
    expect_records(read_all(*s), want);
    auto st = s->stats();
    EXPECT_EQ(st.corrupt_skipped, 7u);
    EXPECT_EQ(st.corrupt_bytes, 7 * kFrame);
    EXPECT_EQ(st.pending, want.size());
}

TEST(SpoolRecoveryTest, DamagedSegmentHeaderIsCountedAndRepaired) {
    std::string bytes = make_segment(3);
    bytes[2] = 'X';
    cyberalarm::test::TempDir tmp;
    auto dir = plant(tmp.path(), "d", bytes);
    {
        auto s = open_ok(dir, small_options());
        ASSERT_TRUE(s);
        EXPECT_EQ(s->stats().corrupt_bytes, internal::kSegmentHeaderBytes);
        expect_records(read_all(*s), range(1, 3));
    }
    auto s = open_ok(dir, small_options());
    EXPECT_EQ(s->stats().corrupt_bytes, 0u);
}

TEST(SpoolRecoveryTest, NewerFormatVersionIsNotTouched) {
    std::string bytes = make_segment(1).substr(0, internal::kSegmentHeaderBytes);
    bytes[7] = 2;
    bytes += "a version-2 record we cannot read";
    cyberalarm::test::TempDir tmp;
    auto dir = plant(tmp.path(), "d", bytes);
    auto s = Spool::open(dir, small_options());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), core::ErrorCode::kUnsupported);
    EXPECT_EQ(slurp(dir / internal::segment_file_name(1)), bytes);
}

TEST(SpoolRecoveryTest, LostTailOfASealedSegmentIsCounted) {
    cyberalarm::test::TempDir tmp;
    auto o = small_options();
    {
        auto s = open_ok(tmp.path(), o);
        for (int i = 1; i <= 80; ++i) {
            ASSERT_TRUE(s->append(payload(i)));
        }
    }
    auto files = test::segment_files(tmp.path());
    ASSERT_GE(files.size(), 3u);
    // The first segment loses its last two records, as after a power cut with kNever.
    auto first = slurp(files[0]);
    std::uint64_t in_first = (first.size() - internal::kSegmentHeaderBytes) / kFrame;
    spit(files[0], first.substr(0, first.size() - 2 * kFrame + 7));
    auto s = open_ok(tmp.path(), o);
    ASSERT_TRUE(s);
    auto st = s->stats();
    EXPECT_EQ(st.torn_bytes_cut, 7u);
    EXPECT_EQ(st.corrupt_skipped, 2u);
    auto out = read_all(*s);
    ASSERT_EQ(out.size(), 78u);
    EXPECT_EQ(out[in_first - 2].seq, in_first + 1);
}

TEST(SpoolRecoveryTest, DamagedCursorRereadsEverything) {
    cyberalarm::test::TempDir tmp;
    {
        auto s = open_ok(tmp.path(), small_options());
        for (int i = 1; i <= 10; ++i) {
            ASSERT_TRUE(s->append(payload(i)));
        }
        ASSERT_TRUE(s->ack(5));
    }
    auto cursor = slurp(tmp.path() / "cursor");
    cursor[9] ^= 0x10;
    spit(tmp.path() / "cursor", cursor);
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    EXPECT_EQ(s->acked_seq(), 0u);
    EXPECT_NE(s->stats().last_error.find("cursor"), std::string::npos);
    EXPECT_EQ(read_all(*s).size(), 10u);
    EXPECT_EQ(s->stats().next_seq, 11u);
}

TEST(SpoolRecoveryTest, DamageAppearingWhileOpenIsSkippedOnRead) {
    cyberalarm::test::TempDir tmp;
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    for (int i = 1; i <= 20; ++i) {
        ASSERT_TRUE(s->append(payload(i)));
    }
    auto file = test::segment_files(tmp.path()).at(0);
    auto bytes = slurp(file);
    bytes[internal::kSegmentHeaderBytes + 4 * kFrame + 50] ^= 0x08;  // record 5
    bytes[internal::kSegmentHeaderBytes + 19 * kFrame + 3] ^= 0x08;  // record 20, the last
    {
        // Write in place: the spool holds the file open.
        auto fd = internal::open_file(file, O_WRONLY);
        ASSERT_TRUE(fd);
        ASSERT_EQ(::pwrite(fd->get(), bytes.data(), bytes.size(), 0),
                  static_cast<ssize_t>(bytes.size()));
    }
    auto out = read_all(*s);
    std::vector<std::uint64_t> want = range(1, 4);
    for (auto i : range(6, 19)) {
        want.push_back(i);
    }
    expect_records(out, want);
    EXPECT_EQ(s->stats().corrupt_skipped, 2u);
    // Known now: a second read skips them without counting again.
    expect_records(read_all(*s), want);
    EXPECT_EQ(s->stats().corrupt_skipped, 2u);
    // Appends after the damage are read.
    ASSERT_TRUE(s->append(payload(21)));
    auto more = read_all(*s, 19);
    expect_records(more, {21});
}

TEST(SpoolRecoveryTest, StrayFilesAreIgnored) {
    cyberalarm::test::TempDir tmp;
    spit(tmp.path() / "notes.txt", "hello");
    spit(tmp.path() / "123.seg", "not ours: the name is not 20 digits");
    spit(tmp.path() / "cursor.tmp", "left over from a crash");
    auto s = open_ok(tmp.path(), small_options());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append("x"));
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "cursor.tmp"));
    EXPECT_TRUE(std::filesystem::exists(tmp.path() / "notes.txt"));
    EXPECT_EQ(s->stats().corrupt_skipped, 0u);
}

// ---- The scanner on bytes in memory ----

std::span<const std::byte> as_span(const std::string& s) {
    return std::as_bytes(std::span(s));
}

TEST(SegmentScanTest, EncodesAndScansRecords) {
    std::string seg;
    auto h = internal::encode_segment_header(7);
    seg.append(reinterpret_cast<const char*>(h.data()), h.size());
    internal::append_record(seg, 7, "one");
    internal::append_record(seg, 8, "");
    internal::append_record(seg, 9, "three");
    auto scan = internal::scan_segment(as_span(seg));
    EXPECT_EQ(scan.header, internal::HeaderCheck::kOk);
    EXPECT_EQ(scan.records, 3u);
    EXPECT_EQ(scan.first_seq, 7u);
    EXPECT_EQ(scan.last_seq, 9u);
    EXPECT_EQ(scan.valid_end, seg.size());
    EXPECT_EQ(scan.tail_bytes, 0u);
    ASSERT_EQ(scan.index.size(), 1u);
    EXPECT_EQ(scan.index[0].offset, internal::kSegmentHeaderBytes);
}

TEST(SegmentScanTest, RecordsOutOfSequenceAreNoise) {
    std::string seg;
    auto h = internal::encode_segment_header(10);
    seg.append(reinterpret_cast<const char*>(h.data()), h.size());
    internal::append_record(seg, 10, "a");
    internal::append_record(seg, 10, "a replay of the same seq");
    internal::append_record(seg, 5, "below the segment's first seq");
    internal::append_record(seg, 11, "b");
    auto scan = internal::scan_segment(as_span(seg));
    EXPECT_EQ(scan.records, 2u);
    EXPECT_EQ(scan.last_seq, 11u);
    EXPECT_EQ(scan.missing_records, 0u);
    EXPECT_GT(scan.corrupt_bytes, 0u);
    // A limit from the next segment bounds seq from above.
    internal::MemorySource src(as_span(seg));
    auto bounded = internal::scan_segment(src, seg.size(), 10, 11, internal::kMaxRecordLimit);
    EXPECT_EQ(bounded.records, 1u);
    EXPECT_EQ(bounded.valid_end, internal::kSegmentHeaderBytes + internal::framed_size(1));
}

TEST(SegmentScanTest, ForgedRecordInsideAPayloadIsNotFollowed) {
    // A payload that holds a well-formed record for a later seq: read normally, the
    // cursor hops over it by length.
    std::string inner;
    internal::append_record(inner, 3, "forged");
    std::string seg;
    auto h = internal::encode_segment_header(1);
    seg.append(reinterpret_cast<const char*>(h.data()), h.size());
    internal::append_record(seg, 1, "x" + inner + "y");
    internal::append_record(seg, 2, "real");
    auto scan = internal::scan_segment(as_span(seg));
    EXPECT_EQ(scan.records, 2u);
    EXPECT_EQ(scan.last_seq, 2u);
    EXPECT_EQ(scan.corrupt_bytes, 0u);
}

TEST(SegmentScanTest, HugeLengthsAreRefusedBeforeAnyRead) {
    std::string seg;
    auto h = internal::encode_segment_header(1);
    seg.append(reinterpret_cast<const char*>(h.data()), h.size());
    internal::append_record(seg, 1, "ok");
    // A record header, its CRC right, claiming 60 MiB in a file of a few bytes.
    std::array<std::byte, internal::kRecordHeaderBytes> big{};
    auto put = [&](std::size_t at, std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) {
            big[at + static_cast<std::size_t>(i)] = static_cast<std::byte>(v >> (8 * i));
        }
    };
    put(0, internal::kRecordMagic, 4);
    put(4, 60u << 20, 4);
    put(8, 2, 8);
    put(16, internal::crc32(0, std::span(big).first(16)), 4);
    seg.append(reinterpret_cast<const char*>(big.data()), big.size());
    for (std::size_t limit : {std::size_t{1024}, internal::kMaxRecordLimit}) {
        auto scan = internal::scan_segment(as_span(seg), 0, limit);
        EXPECT_EQ(scan.records, 1u);
        EXPECT_EQ(scan.tail_bytes, internal::kRecordHeaderBytes);
    }
    // Through the file reader too: it must not try to read 60 MiB.
    cyberalarm::test::TempDir tmp;
    spit(tmp.path() / "seg", seg);
    auto fd = internal::open_file(tmp.path() / "seg", O_RDONLY);
    ASSERT_TRUE(fd);
    internal::FileSource src(fd->get(), seg.size());
    auto scan = internal::scan_segment(src, seg.size(), 1, UINT64_MAX, internal::kMaxRecordLimit);
    EXPECT_EQ(scan.records, 1u);
    EXPECT_FALSE(src.failed());
}

TEST(SegmentScanTest, RandomBytesNeverYieldRecords) {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 200; ++round) {
        std::string junk(static_cast<std::size_t>(rng() % 5000), '\0');
        for (auto& c : junk) {
            c = static_cast<char>(rng());
        }
        auto scan = internal::scan_segment(as_span(junk));
        EXPECT_EQ(scan.records, 0u);
        EXPECT_EQ(scan.valid_end + scan.tail_bytes, junk.size());
    }
}

TEST(SegmentScanTest, FileNames) {
    EXPECT_EQ(internal::segment_file_name(42), "00000000000000000042.seg");
    EXPECT_EQ(internal::parse_segment_file_name("00000000000000000042.seg"), 42u);
    EXPECT_EQ(internal::parse_segment_file_name("18446744073709551615.seg"), UINT64_MAX);
    EXPECT_FALSE(internal::parse_segment_file_name("00000000000000000000.seg"));
    EXPECT_FALSE(internal::parse_segment_file_name("99999999999999999999.seg"));
    EXPECT_FALSE(internal::parse_segment_file_name("0000000000000000004x.seg"));
    EXPECT_FALSE(internal::parse_segment_file_name("+0000000000000000042.seg"));
    EXPECT_FALSE(internal::parse_segment_file_name("00000000000000000042.log"));
    EXPECT_FALSE(internal::parse_segment_file_name("42.seg"));
}

}  // namespace
}  // namespace cyberalarm::spool
