#include "uplink/wire.h"

#include <zstd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <memory>

namespace cyberalarm::uplink {

namespace {

using core::Error;
using core::fail;

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

std::size_t varint_size(std::uint64_t v) {
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

template <typename T>
void put_le(std::string& out, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        out.push_back(static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i))));
    }
}

template <typename T>
T get_le(std::string_view in, std::size_t pos) {
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        v |= static_cast<T>(static_cast<std::uint8_t>(in[pos + i])) << (8 * i);
    }
    return v;
}

struct CCtxDeleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

Error corrupt_at(std::string message, std::size_t offset) {
    return Error::corrupt(std::move(message)).at_offset(offset);
}

// Splits the payload into records; every length is checked against what remains.
core::Status split_records(std::string_view payload, std::uint32_t count, const Limits& limits,
                           std::vector<std::pair<std::uint32_t, std::uint32_t>>& spans) {
    spans.reserve(count);
    std::size_t pos = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint64_t len = 0;
        int shift = 0;
        for (;;) {
            if (pos >= payload.size()) {
                return fail(corrupt_at(
                    "batch payload truncated in the length of record " + std::to_string(i), pos));
            }
            auto b = static_cast<std::uint8_t>(payload[pos++]);
            len |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift >= 35) {
                return fail(corrupt_at("record length varint too long", pos));
            }
        }
        if (len > limits.max_record_bytes) {
            return fail(Error::out_of_range("record " + std::to_string(i) + " is " +
                                            std::to_string(len) + " bytes, limit " +
                                            std::to_string(limits.max_record_bytes))
                            .at_offset(pos));
        }
        if (len > payload.size() - pos) {
            return fail(corrupt_at("record " + std::to_string(i) + " of " + std::to_string(len) +
                                       " bytes overruns the payload",
                                   pos));
        }
        spans.emplace_back(static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(len));
        pos += len;
    }
    if (pos != payload.size()) {
        return fail(corrupt_at(
            std::to_string(payload.size() - pos) + " bytes after the last record of the payload",
            pos));
    }
    return {};
}

}  // namespace

std::uint32_t crc32(std::string_view data) {
    boost::crc_32_type crc;
    crc.process_bytes(data.data(), data.size());
    return crc.checksum();
}

std::string encode_batch(std::uint64_t first_seq, std::span<const std::string> records, int level) {
    std::size_t payload_size = 0;
    for (const auto& r : records) {
        payload_size += varint_size(r.size()) + r.size();
    }
    if (first_seq == 0 || records.empty() ||
        payload_size > std::numeric_limits<std::uint32_t>::max() ||
        records.size() > std::numeric_limits<std::uint32_t>::max() ||
        first_seq > std::numeric_limits<std::uint64_t>::max() - (records.size() - 1)) {
        std::abort();  // REQUIRES violated: a bug in the caller, not input.
    }
    std::string payload;
    payload.reserve(payload_size);
    for (const auto& r : records) {
        put_varint(payload, r.size());
        payload.append(r);
    }

    std::string out;
    out.reserve(kBatchHeaderSize + ZSTD_compressBound(payload.size()));
    out.append(kBatchMagic);
    out.push_back(static_cast<char>(kBatchVersion));
    put_le<std::uint64_t>(out, first_seq);
    put_le<std::uint32_t>(out, static_cast<std::uint32_t>(records.size()));
    put_le<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size()));
    put_le<std::uint32_t>(out, crc32(payload));

    thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
    if (!cctx) {
        std::abort();
    }
    ZSTD_CCtx_reset(cctx.get(), ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel,
                           std::clamp(level, ZSTD_minCLevel(), ZSTD_maxCLevel()));
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1);
    std::size_t header = out.size();
    out.resize(header + ZSTD_compressBound(payload.size()));
    std::size_t n = ZSTD_compress2(cctx.get(), out.data() + header, out.size() - header,
                                   payload.data(), payload.size());
    if (ZSTD_isError(n) != 0U) {
        std::abort();  // only bad parameters or no memory; neither is input-dependent
    }
    out.resize(header + n);
    return out;
}

core::Result<DecodedBatch> decode_batch(std::string_view body, const Limits& limits) {
    if (body.size() < kBatchHeaderSize) {
        if (body.size() >= kBatchMagic.size() &&
            body.substr(0, kBatchMagic.size()) != kBatchMagic) {
            return fail(Error::parse("not a cyberalarm batch (bad magic)", {}, 0));
        }
        return fail(corrupt_at("batch truncated: " + std::to_string(body.size()) +
                                   " bytes, the header alone is " +
                                   std::to_string(kBatchHeaderSize),
                               body.size()));
    }
    if (body.substr(0, kBatchMagic.size()) != kBatchMagic) {
        return fail(Error::parse("not a cyberalarm batch (bad magic)", {}, 0));
    }
    auto version = static_cast<std::uint8_t>(body[4]);
    if (version != kBatchVersion) {
        return fail(Error::unsupported("batch version " + std::to_string(version) +
                                       " is not supported (this build reads version " +
                                       std::to_string(kBatchVersion) + ")"));
    }
    auto first_seq = get_le<std::uint64_t>(body, 5);
    auto count = get_le<std::uint32_t>(body, 13);
    auto size = get_le<std::uint32_t>(body, 17);
    auto crc = get_le<std::uint32_t>(body, 21);
    if (first_seq == 0) {
        return fail(
            Error::out_of_range("batch first_seq is 0; sequence numbers start at 1", "first_seq"));
    }
    if (count == 0) {
        return fail(Error::out_of_range("empty batch", "count"));
    }
    if (count > limits.max_records) {
        return fail(Error::out_of_range("batch holds " + std::to_string(count) +
                                            " records, limit " + std::to_string(limits.max_records),
                                        "count"));
    }
    if (first_seq > std::numeric_limits<std::uint64_t>::max() - (count - 1)) {
        return fail(Error::out_of_range("batch sequence numbers overflow", "first_seq"));
    }
    if (size > limits.max_uncompressed_bytes) {
        return fail(Error::exhausted("batch payload of " + std::to_string(size) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(limits.max_uncompressed_bytes))
                        .at_field("size"));
    }
    if (size < count) {
        return fail(Error::corrupt("batch payload of " + std::to_string(size) +
                                   " bytes cannot hold " + std::to_string(count) + " records")
                        .at_field("size"));
    }

    std::string_view frame = body.substr(kBatchHeaderSize);
    unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (content == ZSTD_CONTENTSIZE_ERROR) {
        return fail(corrupt_at("batch payload is not a zstd frame", kBatchHeaderSize));
    }
    if (content == ZSTD_CONTENTSIZE_UNKNOWN) {
        return fail(corrupt_at("zstd frame does not declare its content size", kBatchHeaderSize));
    }
    if (content != size) {
        return fail(corrupt_at("zstd frame declares " + std::to_string(content) +
                                   " bytes but the header says " + std::to_string(size),
                               kBatchHeaderSize));
    }
    std::size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
    if (ZSTD_isError(frame_size) != 0U) {
        return fail(corrupt_at(
            std::string("zstd frame truncated or damaged: ") + ZSTD_getErrorName(frame_size),
            kBatchHeaderSize));
    }
    if (frame_size != frame.size()) {
        return fail(
            corrupt_at(std::to_string(frame.size() - frame_size) + " bytes after the zstd frame",
                       kBatchHeaderSize + frame_size));
    }

    DecodedBatch batch;
    batch.first_seq_ = first_seq;
    // The only allocation sized by the input, bounded by limits.max_uncompressed_bytes above.
    batch.payload_.resize(size);
    std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
    if (!dctx) {
        return fail(Error::exhausted("cannot allocate a zstd decompression context"));
    }
    // Output is exactly `size` bytes; a frame that would produce more fails here.
    std::size_t n =
        ZSTD_decompressDCtx(dctx.get(), batch.payload_.data(), size, frame.data(), frame.size());
    if (ZSTD_isError(n) != 0U) {
        return fail(
            corrupt_at(std::string("zstd frame does not decompress: ") + ZSTD_getErrorName(n),
                       kBatchHeaderSize));
    }
    if (n != size) {
        return fail(corrupt_at("zstd frame decompressed to " + std::to_string(n) +
                                   " bytes, expected " + std::to_string(size),
                               kBatchHeaderSize));
    }
    if (crc32(batch.payload_) != crc) {
        return fail(Error::corrupt("batch CRC mismatch: the payload is damaged").at_field("crc32"));
    }
    if (auto st = split_records(batch.payload_, count, limits, batch.spans_); !st) {
        return fail(std::move(st.error()).context("batch payload"));
    }
    return batch;
}

std::string batch_range_header(std::uint64_t first_seq, std::uint64_t last_seq) {
    return std::to_string(first_seq) + "-" + std::to_string(last_seq);
}

core::Result<std::pair<std::uint64_t, std::uint64_t>> parse_batch_range(std::string_view value) {
    auto dash = value.find('-');
    if (dash == std::string_view::npos) {
        return fail(Error::parse("batch range must be <first>-<last>", kBatchRangeHeader));
    }
    auto number = [](std::string_view s, std::uint64_t& out) {
        if (s.empty() || s.size() > 20) {
            return false;
        }
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && p == s.data() + s.size();
    };
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    if (!number(value.substr(0, dash), first) || !number(value.substr(dash + 1), last)) {
        return fail(Error::parse("batch range must be two decimal numbers", kBatchRangeHeader));
    }
    if (first == 0 || last < first) {
        return fail(Error::out_of_range(
            "batch range " + std::string(value) + " is empty or starts at 0", kBatchRangeHeader));
    }
    return std::pair{first, last};
}

}  // namespace cyberalarm::uplink
