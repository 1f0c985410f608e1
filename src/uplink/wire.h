// The batch body: how a collector packs spooled records for one upload.
//
// Layout (version 1, docs/design/wire.md), integers little-endian:
//   "CAB1"          4 bytes magic
//   u8  version     (=1)
//   u64 first_seq   sequence number of the first record (>= 1)
//   u32 count       number of records (>= 1); record i has sequence number first_seq + i
//   u32 size        size of the uncompressed payload
//   u32 crc32       CRC-32 (IEEE) of the uncompressed payload
//   one zstd frame whose declared content size equals `size`, nothing after it
// The payload is `count` records, each a LEB128 varint length and that many bytes. Records
// are opaque here (the collector stores core::encode_event() output).
//
// decode_batch() is total: any bytes give a DecodedBatch or an Error, never an over-read and
// never an allocation above Limits (the zstd frame's content size is checked against the
// limit before anything is allocated, and decompression is bounded by that size).
//
// Thread safety: pure functions; DecodedBatch is a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cyberalarm::uplink {

inline constexpr std::string_view kBatchMagic = "CAB1";
inline constexpr std::uint8_t kBatchVersion = 1;
inline constexpr std::size_t kBatchHeaderSize = 25;

// HTTP names shared by client and server.
inline constexpr std::string_view kBatchPath = "/v1/batches";
inline constexpr std::string_view kEnrollPath = "/v1/enroll";
inline constexpr std::string_view kBatchContentType = "application/vnd.cyberalarm.batch";
inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kBatchRangeHeader = "X-Cyberalarm-Batch";

// Bounds a decoder enforces. Defaults suit the server; all are checked before allocating.
struct Limits {
    // Records in one batch. The collector's default batch is far smaller (5,000).
    std::uint32_t max_records = 1'000'000;
    // Uncompressed payload. Bounds the one allocation decode_batch makes.
    std::uint32_t max_uncompressed_bytes = 64u << 20;
    // One record. An encoded event is typically 45-70 bytes.
    std::uint32_t max_record_bytes = 1u << 20;
};

// A decoded batch: the payload, and where each record lies in it.
class DecodedBatch {
public:
    DecodedBatch() = default;

    [[nodiscard]] std::uint64_t first_seq() const { return first_seq_; }
    [[nodiscard]] std::uint64_t last_seq() const { return first_seq_ + spans_.size() - 1; }
    [[nodiscard]] std::size_t size() const { return spans_.size(); }
    [[nodiscard]] std::size_t payload_bytes() const { return payload_.size(); }
    // REQUIRES: i < size(). The view lives as long as this batch.
    [[nodiscard]] std::string_view record(std::size_t i) const {
        return std::string_view(payload_).substr(spans_[i].first, spans_[i].second);
    }

private:
    friend core::Result<DecodedBatch> decode_batch(std::string_view body, const Limits& limits);

    std::uint64_t first_seq_ = 0;
    std::string payload_;
    // (offset, length) of each record in payload_: offsets survive moving the batch.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans_;
};

// Encodes `records` (sequence numbers first_seq, first_seq + 1, …) as a batch body, the
// payload compressed with zstd at `level` (clamped to zstd's range; 3 is a good default).
// REQUIRES: first_seq >= 1; !records.empty(); the payload (records plus their length
// prefixes) below 4 GiB and first_seq + records.size() - 1 representable. The uplink keeps
// batches to a few MiB; violating this is a bug and aborts.
[[nodiscard]] std::string encode_batch(std::uint64_t first_seq,
                                       std::span<const std::string> records, int level);

// Decodes a batch body. Errors: kParse (bad magic), kUnsupported (other version),
// kOutOfRange / kResourceExhausted (a count or size beyond `limits`), kCorrupt (truncated,
// bad zstd frame, trailing bytes, CRC mismatch, a record overrunning the payload) with the
// byte offset where known.
[[nodiscard]] core::Result<DecodedBatch> decode_batch(std::string_view body,
                                                      const Limits& limits = {});

// The X-Cyberalarm-Batch header value, "<first_seq>-<last_seq>".
[[nodiscard]] std::string batch_range_header(std::uint64_t first_seq, std::uint64_t last_seq);
// Parses "<first>-<last>" (decimal, first >= 1, first <= last).
[[nodiscard]] core::Result<std::pair<std::uint64_t, std::uint64_t>> parse_batch_range(
    std::string_view value);

// CRC-32 (IEEE 802.3, as zlib and gzip compute it).
[[nodiscard]] std::uint32_t crc32(std::string_view data);

}  // namespace cyberalarm::uplink
