#include "spool/internal/format.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace cyberalarm::spool::internal {

namespace {

void put_u32(std::byte* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<std::byte>(v >> (8 * i));
    }
}
void put_u64(std::byte* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        p[i] = static_cast<std::byte>(v >> (8 * i));
    }
}
std::uint32_t get_u32(const std::byte* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
    }
    return v;
}
std::uint64_t get_u64(const std::byte* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
        v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    }
    return v;
}

// How much find_magic() asks the source for at a time.
constexpr std::size_t kScanChunk = 64 * 1024;
constexpr std::size_t kSeqDigits = 20;

}  // namespace

std::uint32_t crc32(std::uint32_t crc, std::span<const std::byte> bytes) {
    return static_cast<std::uint32_t>(
        ::crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

std::array<std::byte, kSegmentHeaderBytes> encode_segment_header(std::uint64_t first_seq) {
    std::array<std::byte, kSegmentHeaderBytes> h{};
    for (std::size_t i = 0; i < kSegmentMagic.size(); ++i) {
        h[i] = static_cast<std::byte>(kSegmentMagic[i]);
    }
    h[7] = static_cast<std::byte>(kFormatVersion);
    put_u64(h.data() + 8, first_seq);
    return h;
}

HeaderCheck check_segment_header(std::span<const std::byte> bytes,
                                 std::uint64_t expected_first_seq) {
    if (bytes.size() < kSegmentHeaderBytes) {
        return HeaderCheck::kShort;
    }
    for (std::size_t i = 0; i < kSegmentMagic.size(); ++i) {
        if (bytes[i] != static_cast<std::byte>(kSegmentMagic[i])) {
            return HeaderCheck::kDamaged;
        }
    }
    auto version = static_cast<std::uint8_t>(bytes[7]);
    if (version > kFormatVersion) {
        return HeaderCheck::kNewerVersion;
    }
    if (version != kFormatVersion) {
        return HeaderCheck::kDamaged;
    }
    if (expected_first_seq != 0 && get_u64(bytes.data() + 8) != expected_first_seq) {
        return HeaderCheck::kDamaged;
    }
    return HeaderCheck::kOk;
}

void append_record(std::string& out, std::uint64_t seq, std::string_view payload) {
    std::array<std::byte, kRecordHeaderBytes> h{};
    put_u32(h.data(), kRecordMagic);
    put_u32(h.data() + 4, static_cast<std::uint32_t>(payload.size()));
    put_u64(h.data() + 8, seq);
    std::uint32_t hcrc = crc32(0, std::span(h).first(16));
    put_u32(h.data() + 16, hcrc);
    // The data CRC continues from the header CRC: it covers header bytes 0..15 and the
    // payload, so a payload cannot be paired with another record's header.
    std::uint32_t dcrc = crc32(hcrc, std::as_bytes(std::span(payload)));
    put_u32(h.data() + 20, dcrc);
    out.append(reinterpret_cast<const char*>(h.data()), h.size());
    out.append(payload);
}

std::string segment_file_name(std::uint64_t first_seq) {
    std::string digits = std::to_string(first_seq);
    return std::string(kSeqDigits - digits.size(), '0') + digits + ".seg";
}

std::optional<std::uint64_t> parse_segment_file_name(std::string_view name) {
    if (name.size() != kSeqDigits + 4 || name.substr(kSeqDigits) != ".seg") {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    const char* first = name.data();
    const char* last = name.data() + kSeqDigits;
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || v == 0 ||
        !std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return v;
}

std::span<const std::byte> MemorySource::view(std::uint64_t offset, std::size_t n) {
    if (offset >= data_.size()) {
        return {};
    }
    auto avail = data_.size() - static_cast<std::size_t>(offset);
    return data_.subspan(static_cast<std::size_t>(offset), std::min(n, avail));
}

RecordCursor::RecordCursor(ByteSource& source, const CursorBounds& bounds,
                           const std::vector<Hole>* holes)
    : source_(source),
      bounds_(bounds),
      holes_(holes),
      offset_(bounds.begin),
      good_end_(bounds.begin),
      prev_seq_(bounds.prev_seq) {
    bounds_.max_record_bytes = std::min(bounds_.max_record_bytes, kMaxRecordLimit);
}

RecordCursor::Probe RecordCursor::probe(std::uint64_t offset, FoundRecord* out) {
    if (bounds_.end - offset < kRecordHeaderBytes) {
        return Probe::kBadHeader;
    }
    auto h = source_.view(offset, kRecordHeaderBytes);
    if (h.size() < kRecordHeaderBytes || get_u32(h.data()) != kRecordMagic) {
        return Probe::kBadHeader;
    }
    std::uint32_t hcrc = crc32(0, h.first(16));
    if (get_u32(h.data() + 16) != hcrc) {
        return Probe::kBadHeader;
    }
    std::uint32_t length = get_u32(h.data() + 4);
    std::uint64_t seq = get_u64(h.data() + 8);
    std::uint32_t dcrc = get_u32(h.data() + 20);
    std::uint64_t total = framed_size(length);
    // A header that checks but does not fit these bounds is treated as noise: a forged or
    // stale record inside a damaged region must not be taken for a live one.
    if (length > bounds_.max_record_bytes || seq <= prev_seq_ || seq >= bounds_.seq_limit ||
        total > bounds_.end - offset) {
        return Probe::kBadHeader;
    }
    auto rec = source_.view(offset, static_cast<std::size_t>(total));
    if (rec.size() < total) {
        return Probe::kBadHeader;
    }
    out->seq = seq;
    out->offset = offset;
    out->size = total;
    out->payload = rec.subspan(kRecordHeaderBytes);
    return crc32(hcrc, out->payload) == dcrc ? Probe::kGood : Probe::kBadData;
}

std::uint64_t RecordCursor::find_magic(std::uint64_t from) {
    std::array<std::byte, 4> magic{};
    put_u32(magic.data(), kRecordMagic);
    while (from < bounds_.end && bounds_.end - from >= magic.size()) {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kScanChunk, bounds_.end - from));
        auto v = source_.view(from, n);
        if (v.size() < magic.size()) {
            break;
        }
        auto it = std::search(v.begin(), v.end(), magic.begin(), magic.end());
        if (it != v.end()) {
            return from + static_cast<std::uint64_t>(it - v.begin());
        }
        // Keep the last three bytes: the magic may straddle two views.
        from += v.size() - (magic.size() - 1);
    }
    return bounds_.end;
}

const Hole* RecordCursor::hole_at(std::uint64_t offset) const {
    if (holes_ == nullptr || holes_->empty()) {
        return nullptr;
    }
    auto it = std::upper_bound(holes_->begin(), holes_->end(), offset,
                               [](std::uint64_t off, const Hole& h) { return off < h.begin; });
    if (it == holes_->begin()) {
        return nullptr;
    }
    --it;
    return offset >= it->begin && offset < it->end ? &*it : nullptr;
}

std::optional<FoundRecord> RecordCursor::next() {
    while (offset_ < bounds_.end) {
        if (const Hole* h = hole_at(offset_); h != nullptr) {
            // Known and counted already: step over it as if it were a record.
            offset_ = h->end;
            if (!junk_begin_) {
                good_end_ = offset_;
            }
            continue;
        }
        FoundRecord r;
        Probe p = probe(offset_, &r);
        if (p == Probe::kGood) {
            if (junk_begin_) {
                corrupt_bytes_ += offset_ - *junk_begin_;
                new_holes_.push_back(Hole{*junk_begin_, offset_});
                missing_records_ += r.seq - prev_seq_ - 1;
                junk_begin_.reset();
            }
            prev_seq_ = r.seq;
            offset_ += r.size;
            good_end_ = offset_;
            return r;
        }
        if (!junk_begin_) {
            junk_begin_ = offset_;
        }
        // A header that checks gives a trustworthy length: skip the whole record rather
        // than search inside a payload that may hold bytes looking like a record.
        offset_ = p == Probe::kBadData ? offset_ + r.size : find_magic(offset_ + 1);
    }
    return std::nullopt;
}

SegmentScan scan_segment(ByteSource& source, std::uint64_t size, std::uint64_t first_seq,
                         std::uint64_t seq_limit, std::size_t max_record_bytes) {
    SegmentScan s;
    s.header = check_segment_header(source.view(0, kSegmentHeaderBytes), first_seq);
    if (s.header == HeaderCheck::kShort) {
        s.tail_bytes = size;
        return s;
    }
    CursorBounds b;
    b.begin = kSegmentHeaderBytes;
    b.end = size;
    b.prev_seq = first_seq == 0 ? 0 : first_seq - 1;
    b.seq_limit = seq_limit;
    b.max_record_bytes = max_record_bytes;
    RecordCursor cursor(source, b);
    std::uint64_t next_index_at = 0;
    while (auto r = cursor.next()) {
        if (s.records == 0) {
            s.first_seq = r->seq;
        }
        ++s.records;
        s.last_seq = r->seq;
        if (r->offset >= next_index_at) {
            s.index.push_back(IndexEntry{r->seq, r->offset});
            next_index_at = r->offset + kIndexStride;
        }
    }
    s.valid_end = cursor.good_end();
    s.tail_bytes = size - s.valid_end;
    s.corrupt_bytes = cursor.corrupt_bytes();
    s.missing_records = cursor.missing_records();
    s.holes = cursor.new_holes();
    return s;
}

SegmentScan scan_segment(std::span<const std::byte> data, std::uint64_t first_seq,
                         std::size_t max_record_bytes) {
    MemorySource source(data);
    if (first_seq == 0) {
        first_seq = 1;
        if (check_segment_header(data, 0) == HeaderCheck::kOk) {
            first_seq = std::max<std::uint64_t>(1, get_u64(data.data() + 8));
        }
    }
    return scan_segment(source, data.size(), first_seq, std::numeric_limits<std::uint64_t>::max(),
                        max_record_bytes);
}

}  // namespace cyberalarm::spool::internal
