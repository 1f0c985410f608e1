#include "uplink/wire.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <string>
#include <vector>

namespace cyberalarm::uplink {
namespace {

using core::ErrorCode;

template <typename T>
void put_le(std::string& out, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        out.push_back(static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i))));
    }
}

std::string header(std::uint64_t first, std::uint32_t count, std::uint32_t size,
                   std::uint32_t crc) {
    std::string h = "CAB1";
    h.push_back(1);
    put_le(h, first);
    put_le(h, count);
    put_le(h, size);
    put_le(h, crc);
    return h;
}

std::string zstd(std::string_view payload) {
    std::string out(ZSTD_compressBound(payload.size()), '\0');
    std::size_t n = ZSTD_compress(out.data(), out.size(), payload.data(), payload.size(), 3);
    EXPECT_EQ(ZSTD_isError(n), 0U);
    out.resize(n);
    return out;
}

// A body around an arbitrary payload, with a correct CRC and zstd frame: lets a test put
// malformed records behind a valid envelope.
std::string body_with_payload(std::uint64_t first, std::uint32_t count, std::string_view payload) {
    return header(first, count, static_cast<std::uint32_t>(payload.size()), crc32(payload)) +
           zstd(payload);
}

std::vector<std::string> sample_records() {
    std::vector<std::string> r;
    r.push_back("first");
    r.push_back(std::string());  // an empty record is legal
    r.push_back(std::string("\0\x01\xff binary", 10));
    r.push_back(std::string(300, 'x'));  // length needs a two-byte varint
    r.push_back(std::string(70000, 'y'));
    return r;
}

TEST(Crc32, KnownVector) {
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
    EXPECT_EQ(crc32(""), 0u);
}

TEST(Wire, RoundTripKeepsRecordsAndSequenceNumbers) {
    auto records = sample_records();
    for (int level : {1, 3, 19}) {
        std::string body = encode_batch(42, records, level);
        ASSERT_EQ(body.substr(0, 4), "CAB1");
        auto batch = decode_batch(body);
        ASSERT_TRUE(batch) << batch.error().to_string();
        EXPECT_EQ(batch->first_seq(), 42u);
        EXPECT_EQ(batch->last_seq(), 46u);
        ASSERT_EQ(batch->size(), records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            EXPECT_EQ(batch->record(i), records[i]) << i;
        }
    }
}

TEST(Wire, DecodedBatchSurvivesMoveWithSmallPayload) {
    // Offsets, not views, so a short (SSO) payload stays correct after a move.
    std::vector<std::string> records = {"a", "bc"};
    auto batch = decode_batch(encode_batch(1, records, 3));
    ASSERT_TRUE(batch);
    DecodedBatch moved = std::move(*batch);
    EXPECT_EQ(moved.record(0), "a");
    EXPECT_EQ(moved.record(1), "bc");
}

TEST(Wire, CompressesRepetitiveRecords) {
    std::vector<std::string> records(1000,
                                     std::string("fortigate deny tcp 203.0.113.7 -> 10.0.0.5:22"));
    std::string body = encode_batch(1, records, 3);
    EXPECT_LT(body.size(), 46u * 1000 / 10);
}

TEST(Wire, BadMagic) {
    std::string body = encode_batch(1, sample_records(), 3);
    body[0] = 'X';
    auto r = decode_batch(body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kParse);
    EXPECT_NE(r.error().message().find("magic"), std::string::npos);
    EXPECT_FALSE(decode_batch("GET / HTTP/1.1"));  // shorter than a header, wrong magic
}

TEST(Wire, UnknownVersion) {
    std::string body = encode_batch(1, sample_records(), 3);
    body[4] = 2;
    auto r = decode_batch(body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kUnsupported);
    EXPECT_NE(r.error().message().find("version 2"), std::string::npos);
}

TEST(Wire, EveryTruncationIsAnError) {
    std::string body = encode_batch(7, sample_records(), 3);
    for (std::size_t n = 0; n < body.size(); ++n) {
        auto r = decode_batch(std::string_view(body).substr(0, n));
        ASSERT_FALSE(r) << "truncated to " << n;
        EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt) << n << ": " << r.error().to_string();
    }
    auto r = decode_batch(std::string_view(body).substr(0, 10));
    EXPECT_NE(r.error().message().find("truncated"), std::string::npos);
}

TEST(Wire, TrailingBytesAfterFrame) {
    std::string body = encode_batch(1, sample_records(), 3) + "junk";
    auto r = decode_batch(body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
    EXPECT_NE(r.error().message().find("after the zstd frame"), std::string::npos);
}

TEST(Wire, PayloadNotZstd) {
    std::string body = header(1, 1, 4,
                              crc32("\x03"
                                    "abc")) +
                       "this is not zstd";
    auto r = decode_batch(body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
    EXPECT_EQ(r.error().offset(), kBatchHeaderSize);
}

TEST(Wire, CrcMismatch) {
    std::string body = encode_batch(1, sample_records(), 3);
    body[21] = static_cast<char>(body[21] ^ 0x01);
    auto r = decode_batch(body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
    EXPECT_NE(r.error().message().find("CRC"), std::string::npos);
}

TEST(Wire, HeaderSizeDisagreesWithFrame) {
    std::string payload =
        "\x03"
        "abc";
    std::string body = header(1, 1, 5, crc32(payload)) + zstd(payload);
    auto r = decode_batch(body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
    EXPECT_NE(r.error().message().find("declares 4"), std::string::npos);
}

TEST(Wire, ZstdBombIsRefusedBeforeDecompressing) {
    // 8 MiB of zeros compress to a few hundred bytes; a 1 MiB limit refuses the batch from
    // the header alone.
    std::vector<std::string> records(8, std::string(1 << 20, '\0'));
    std::string body = encode_batch(1, records, 3);
    EXPECT_LT(body.size(), 4096u);
    Limits small;
    small.max_uncompressed_bytes = 1 << 20;
    auto r = decode_batch(body, small);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted);
    EXPECT_NE(r.error().message().find("exceeds the limit"), std::string::npos);
}

TEST(Wire, FrameClaimingHugeContentIsRefused) {
    // A frame header that declares 3 GiB of content, followed by almost nothing: neither a
    // header claiming that size nor one claiming a small size makes the decoder allocate it.
    std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    ASSERT_EQ(ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(cctx.get(), 3ull << 30)), 0U);
    std::string chunk(1000, 'a');
    std::string frame(4096, '\0');
    ZSTD_inBuffer in{chunk.data(), chunk.size(), 0};
    ZSTD_outBuffer out{frame.data(), frame.size(), 0};
    ASSERT_EQ(ZSTD_isError(ZSTD_compressStream2(cctx.get(), &out, &in, ZSTD_e_flush)), 0U);
    frame.resize(out.pos);
    ASSERT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), 3ull << 30);

    auto huge = decode_batch(header(1, 1, 3u << 30, 0) + frame);
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().code(), ErrorCode::kResourceExhausted);

    auto lying = decode_batch(header(1, 1, 1000, 0) + frame);
    ASSERT_FALSE(lying);
    EXPECT_EQ(lying.error().code(), ErrorCode::kCorrupt);
}

TEST(Wire, RecordOverrunningPayload) {
    std::string payload = std::string("\x64", 1) + "abcde";  // says 100 bytes, has 5
    auto r = decode_batch(body_with_payload(1, 1, payload));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
    EXPECT_NE(r.error().message().find("overruns"), std::string::npos);
    EXPECT_EQ(r.error().offset(), 1u);
}

TEST(Wire, FewerRecordsThanCounted) {
    std::string payload =
        "\x02"
        "ab";
    auto r = decode_batch(body_with_payload(1, 2, payload + "\x01"));  // second has no bytes
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
    auto r2 = decode_batch(body_with_payload(1, 4, payload));  // 3 bytes cannot hold 4
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code(), ErrorCode::kCorrupt);
}

TEST(Wire, BytesAfterLastRecord) {
    auto r = decode_batch(body_with_payload(1, 1,
                                            "\x02"
                                            "abXYZ"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
    EXPECT_NE(r.error().message().find("after the last record"), std::string::npos);
}

TEST(Wire, OverlongVarint) {
    auto r = decode_batch(body_with_payload(1, 1, std::string(8, '\xff') + "a"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
}

TEST(Wire, RecordAboveLimit) {
    std::vector<std::string> records = {std::string(5000, 'r')};
    Limits small;
    small.max_record_bytes = 4096;
    auto r = decode_batch(encode_batch(1, records, 3), small);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kOutOfRange);
}

TEST(Wire, CountAndSequenceBounds) {
    std::string payload =
        "\x01"
        "a";
    auto zero_count = decode_batch(body_with_payload(1, 0, payload));
    ASSERT_FALSE(zero_count);
    EXPECT_EQ(zero_count.error().code(), ErrorCode::kOutOfRange);

    auto zero_seq = decode_batch(body_with_payload(0, 1, payload));
    ASSERT_FALSE(zero_seq);
    EXPECT_EQ(zero_seq.error().field(), "first_seq");

    std::string two =
        "\x01"
        "a"
        "\x01"
        "b";
    auto overflow = decode_batch(body_with_payload(UINT64_MAX, 2, two));
    ASSERT_FALSE(overflow);
    EXPECT_EQ(overflow.error().code(), ErrorCode::kOutOfRange);
    EXPECT_TRUE(decode_batch(body_with_payload(UINT64_MAX - 1, 2, two)));

    Limits few;
    few.max_records = 1;
    auto many = decode_batch(body_with_payload(1, 2, two), few);
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error().field(), "count");
}

TEST(BatchRange, RoundTripAndMalformed) {
    EXPECT_EQ(batch_range_header(5, 9), "5-9");
    auto r = parse_batch_range("5-9");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, 5u);
    EXPECT_EQ(r->second, 9u);
    for (const char* bad :
         {"", "5", "5-", "-9", "9-5", "0-3", "a-b", "5-9x", "1--2", "1-99999999999999999999999"}) {
        EXPECT_FALSE(parse_batch_range(bad)) << bad;
    }
}

}  // namespace
}  // namespace cyberalarm::uplink
