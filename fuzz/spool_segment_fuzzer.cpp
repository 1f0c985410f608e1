// The spool's segment decoder (the one recovery and the reader use) on arbitrary bytes as a
// segment file's contents: no crash, no over-read, no allocation beyond the input, and what
// it reports must be self-consistent; every record it accepts must re-encode to exactly the
// bytes it was found in.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "spool/internal/format.h"

namespace {

using namespace cyberalarm::spool::internal;

void check_at(bool ok, const char* what, int line) {
    if (!ok) {
        std::fprintf(stderr, "spool_segment_fuzzer.cpp:%d: check failed: %s\n", line, what);
        std::abort();
    }
}
#define CHECK(cond) check_at((cond), #cond, __LINE__)

// first_seq 0: taken from the segment header, as for a file of unknown name.
void check_scan(std::span<const std::byte> in, std::uint64_t first_seq,
                std::size_t max_record_bytes) {
    SegmentScan scan = scan_segment(in, first_seq, max_record_bytes);
    CHECK(scan.valid_end + scan.tail_bytes == in.size());
    if (scan.header == HeaderCheck::kShort) {
        CHECK(scan.records == 0 && scan.valid_end == 0);
        return;
    }
    CHECK(scan.valid_end >= kSegmentHeaderBytes);
    CHECK(scan.records <= (in.size() - kSegmentHeaderBytes) / kRecordHeaderBytes);
    CHECK(scan.corrupt_bytes <= scan.valid_end - kSegmentHeaderBytes);
    CHECK(scan.records == 0 || scan.first_seq <= scan.last_seq);
    std::uint64_t prev_end = kSegmentHeaderBytes;
    for (const Hole& h : scan.holes) {
        CHECK(h.begin >= prev_end && h.begin < h.end && h.end <= scan.valid_end);
        prev_end = h.end;
    }
    for (std::size_t i = 1; i < scan.index.size(); ++i) {
        CHECK(scan.index[i].offset >= scan.index[i - 1].offset + kIndexStride);
        CHECK(scan.index[i].seq > scan.index[i - 1].seq);
    }

    if (first_seq == 0) {
        return;
    }
    // Walk again and re-encode each record.
    MemorySource source(in);
    CursorBounds b;
    b.end = in.size();
    b.prev_seq = first_seq - 1;
    b.max_record_bytes = max_record_bytes;
    RecordCursor cursor(source, b);
    std::uint64_t n = 0;
    std::uint64_t last = 0;
    std::string again;
    while (auto r = cursor.next()) {
        CHECK(r->seq > last || n == 0);
        CHECK(r->payload.size() <= max_record_bytes);
        CHECK(r->offset + r->size <= in.size());
        last = r->seq;
        ++n;
        again.clear();
        append_record(
            again, r->seq,
            std::string_view(reinterpret_cast<const char*>(r->payload.data()), r->payload.size()));
        CHECK(again.size() == r->size);
        CHECK(std::equal(again.begin(), again.end(),
                         in.begin() + static_cast<std::ptrdiff_t>(r->offset),
                         [](char a, std::byte x) { return static_cast<std::byte>(a) == x; }));
    }
    CHECK(n == scan.records);
    CHECK(cursor.good_end() == scan.valid_end);
}

// Builds a well-formed segment from the input (records cut at '\n'), damages one byte the
// input chooses, and checks that every record before the damage survives.
void check_damage(std::span<const std::byte> in) {
    if (in.size() < 3) {
        return;
    }
    auto where = static_cast<std::size_t>(in[0]) | static_cast<std::size_t>(in[1]) << 8;
    auto flip = static_cast<std::uint8_t>(in[2]) | 1u;
    auto body = in.subspan(3);
    std::string seg;
    auto h = encode_segment_header(5);
    seg.append(reinterpret_cast<const char*>(h.data()), h.size());
    std::vector<std::size_t> ends;
    std::size_t start = 0;
    std::uint64_t seq = 5;
    for (std::size_t i = 0; i <= body.size(); ++i) {
        if (i == body.size() || body[i] == std::byte{'\n'}) {
            append_record(
                seg, seq++,
                std::string_view(reinterpret_cast<const char*>(body.data()) + start, i - start));
            ends.push_back(seg.size());
            start = i + 1;
        }
    }
    where %= seg.size();
    seg[where] = static_cast<char>(static_cast<std::uint8_t>(seg[where]) ^ flip);
    auto scan = scan_segment(std::as_bytes(std::span(seg)), 5, kMaxRecordLimit);
    std::uint64_t intact = 0;
    while (intact < ends.size() && ends[intact] <= where) {
        ++intact;
    }
    // Everything before the damage survives.
    CHECK(scan.records >= intact);
    std::size_t damaged_start = intact == 0 ? kSegmentHeaderBytes : ends[intact - 1];
    if (where < kSegmentHeaderBytes) {
        CHECK(scan.records == ends.size());  // a damaged segment header costs no record
    } else if (where >= damaged_start + 20) {
        // Payload or data CRC: the header still checks, so the cursor steps over exactly
        // that record. (Damage to a record header makes it search for the next magic, and
        // a payload crafted to hold a record could then be taken for one: the documented
        // limit of resynchronising.)
        CHECK(scan.records + 1 == ends.size());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
    check_scan(in, 0, kMaxRecordLimit);
    check_scan(in, 1, kMaxRecordLimit);
    check_scan(in, 1, 64);
    check_damage(in);
    return 0;
}
