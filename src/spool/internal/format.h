// The on-disk format of spool segments (docs/design/spool.md) and the one decoder that
// recovery, the reader and the fuzz target share.
//
// A segment is a 16-byte header followed by records. A record is a 24-byte header
// (magic, payload length, sequence number, header CRC, data CRC; little-endian) and the
// payload. RecordCursor walks records over any ByteSource: it checks both CRCs, skips
// damaged bytes by searching for the next record magic, and reports what it skipped, so a
// damaged region costs the records in it and nothing else.
//
// Thread safety: encoding functions are pure; a RecordCursor or ByteSource belongs to one
// thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cyberalarm::spool::internal {

inline constexpr std::size_t kSegmentHeaderBytes = 16;
inline constexpr std::size_t kRecordHeaderBytes = 24;
inline constexpr std::uint8_t kFormatVersion = 1;
// "CASPOOL" then the version byte.
inline constexpr std::array<std::uint8_t, 7> kSegmentMagic = {'C', 'A', 'S', 'P', 'O', 'O', 'L'};
// Little-endian on disk as F5 0C A1 B7: 0xF5 never occurs in UTF-8 text, so payloads of
// log metadata rarely contain the magic by chance.
inline constexpr std::uint32_t kRecordMagic = 0xB7A10CF5u;
// The largest payload the format admits, whatever Options::max_record_bytes says; readers
// accept up to this so lowering the option never makes stored records unreadable.
inline constexpr std::size_t kMaxRecordLimit = std::size_t{64} << 20;
// One sparse index entry per this many bytes of a segment.
inline constexpr std::uint64_t kIndexStride = 64 * 1024;

// CRC-32 (zlib's, polynomial 0xEDB88320) continuing from `crc`.
std::uint32_t crc32(std::uint32_t crc, std::span<const std::byte> bytes);

std::array<std::byte, kSegmentHeaderBytes> encode_segment_header(std::uint64_t first_seq);

enum class HeaderCheck : std::uint8_t {
    kOk,
    kShort,         // fewer than kSegmentHeaderBytes bytes (a torn creation)
    kDamaged,       // wrong magic or a first_seq other than the expected one
    kNewerVersion,  // our magic, a version we do not know: written by a newer build
};
// `expected_first_seq` 0 accepts any first_seq (the fuzz target).
HeaderCheck check_segment_header(std::span<const std::byte> bytes,
                                 std::uint64_t expected_first_seq);

// Appends one framed record (header and payload) to `out`.
// REQUIRES: payload.size() <= kMaxRecordLimit.
void append_record(std::string& out, std::uint64_t seq, std::string_view payload);
inline std::uint64_t framed_size(std::size_t payload_bytes) {
    return kRecordHeaderBytes + payload_bytes;
}

// "00000000000000000042.seg": the first sequence number the segment may hold.
std::string segment_file_name(std::uint64_t first_seq);
std::optional<std::uint64_t> parse_segment_file_name(std::string_view name);

// Random access to a byte range, for the cursor. view() returns up to n bytes at offset
// (fewer only at the end of the source or after an I/O error); the span stays valid until
// the next call.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual std::span<const std::byte> view(std::uint64_t offset, std::size_t n) = 0;
};

class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::span<const std::byte> data) : data_(data) {}
    std::span<const std::byte> view(std::uint64_t offset, std::size_t n) override;

private:
    std::span<const std::byte> data_;
};

// A damaged byte range [begin, end) that recovery found; `end` is the next good record.
struct Hole {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
};
// The offset of a record known good, for seeking into a segment.
struct IndexEntry {
    std::uint64_t seq = 0;
    std::uint64_t offset = 0;
};

struct CursorBounds {
    std::uint64_t begin = kSegmentHeaderBytes;  // offset of the first record to look at
    std::uint64_t end = 0;                      // bytes [begin, end) are scanned
    std::uint64_t prev_seq = 0;                 // records must have seq > prev_seq ...
    std::uint64_t seq_limit = UINT64_MAX;       // ... and seq < seq_limit
    std::size_t max_record_bytes = kMaxRecordLimit;
};

struct FoundRecord {
    std::uint64_t seq = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;              // header and payload
    std::span<const std::byte> payload;  // valid until the next call to next()
};

class RecordCursor {
public:
    // `holes` (may be null) are damaged ranges already known and counted: the cursor jumps
    // over them silently.
    RecordCursor(ByteSource& source, const CursorBounds& bounds,
                 const std::vector<Hole>* holes = nullptr);

    // The next good record, or nullopt when the range is exhausted.
    std::optional<FoundRecord> next();

    // Offset just past the last good record returned or known hole stepped over (or
    // `begin`): where the unexplained tail starts.
    [[nodiscard]] std::uint64_t good_end() const { return good_end_; }
    // Damaged regions found between good records (not counting the tail).
    [[nodiscard]] const std::vector<Hole>& new_holes() const { return new_holes_; }
    [[nodiscard]] std::uint64_t corrupt_bytes() const { return corrupt_bytes_; }
    // Records lost in those regions, from the sequence gap around each.
    [[nodiscard]] std::uint64_t missing_records() const { return missing_records_; }

private:
    enum class Probe : std::uint8_t { kGood, kBadHeader, kBadData };
    Probe probe(std::uint64_t offset, FoundRecord* out);
    std::uint64_t find_magic(std::uint64_t from);
    const Hole* hole_at(std::uint64_t offset) const;

    ByteSource& source_;
    CursorBounds bounds_;
    const std::vector<Hole>* holes_;
    std::uint64_t offset_;
    std::uint64_t good_end_;
    std::uint64_t prev_seq_;
    std::optional<std::uint64_t> junk_begin_;
    std::vector<Hole> new_holes_;
    std::uint64_t corrupt_bytes_ = 0;
    std::uint64_t missing_records_ = 0;
};

// What a whole segment holds: what recovery needs and the fuzz target checks.
struct SegmentScan {
    HeaderCheck header = HeaderCheck::kOk;
    std::uint64_t records = 0;
    std::uint64_t first_seq = 0;   // of the first good record (0 if none)
    std::uint64_t last_seq = 0;    // of the last good record (0 if none)
    std::uint64_t valid_end = 0;   // bytes to keep: header plus up to the last good record
    std::uint64_t tail_bytes = 0;  // bytes after valid_end: a torn tail, to be cut
    std::uint64_t corrupt_bytes = 0;
    std::uint64_t missing_records = 0;
    std::vector<Hole> holes;
    std::vector<IndexEntry> index;
};

// Scans a segment of `size` bytes whose file name says `first_seq`; records must have
// seq < seq_limit (the next segment's first_seq). Never fails: damage is reported.
SegmentScan scan_segment(ByteSource& source, std::uint64_t size, std::uint64_t first_seq,
                         std::uint64_t seq_limit, std::size_t max_record_bytes);
// The same over bytes in memory: the fuzz target's entry point. first_seq 0 takes it from
// the segment header (1 if the header is damaged).
SegmentScan scan_segment(std::span<const std::byte> data, std::uint64_t first_seq = 0,
                         std::size_t max_record_bytes = kMaxRecordLimit);

}  // namespace cyberalarm::spool::internal
