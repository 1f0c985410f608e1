// Result<T> and Error: how every fallible function in cyberalarm reports failure.
//
// Error is a small value: a canonical code, a message for an administrator, and where the
// problem is (field name, line number, byte offset) when that is known. Parsers, decoders,
// the spool and the uplink return Result<T> and never throw. A function that returns an
// error does not also log it.
//
// Thread safety: plain values; safe to copy between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace cyberalarm::core {

enum class ErrorCode : std::uint8_t {
    kInvalidArgument,  // the caller passed something malformed (bad option, bad config)
    kParse,            // input bytes do not match the expected syntax
    kUnsupported,      // well-formed, but a variant we do not handle
    kOutOfRange,       // a number or length outside its allowed range
    kNotFound,
    kAlreadyExists,
    kIo,                 // the operating system refused (open, read, write, fsync)
    kCorrupt,            // stored data failed an integrity check (CRC, hash chain)
    kResourceExhausted,  // a configured bound was hit (disk, memory, line length)
    kPermissionDenied,
    kUnauthenticated,
    kUnavailable,  // try again later
    kInternal,     // a bug: an invariant did not hold
};

std::string_view to_string(ErrorCode code);

class Error {
public:
    static constexpr std::size_t kNoOffset = static_cast<std::size_t>(-1);

    Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

    // Named constructors for the common cases.
    static Error parse(std::string message, std::string_view field = {},
                       std::size_t offset = kNoOffset) {
        return Error(ErrorCode::kParse, std::move(message)).at_field(field).at_offset(offset);
    }
    static Error unsupported(std::string message) {
        return Error(ErrorCode::kUnsupported, std::move(message));
    }
    static Error invalid_argument(std::string message) {
        return Error(ErrorCode::kInvalidArgument, std::move(message));
    }
    static Error out_of_range(std::string message, std::string_view field = {}) {
        return Error(ErrorCode::kOutOfRange, std::move(message)).at_field(field);
    }
    static Error io(std::string message) { return Error(ErrorCode::kIo, std::move(message)); }
    static Error not_found(std::string message) {
        return Error(ErrorCode::kNotFound, std::move(message));
    }
    static Error corrupt(std::string message) {
        return Error(ErrorCode::kCorrupt, std::move(message));
    }
    static Error exhausted(std::string message) {
        return Error(ErrorCode::kResourceExhausted, std::move(message));
    }
    static Error internal(std::string message) {
        return Error(ErrorCode::kInternal, std::move(message));
    }

    [[nodiscard]] Error at_field(std::string_view field) && {
        if (!field.empty()) {
            field_ = std::string(field);
        }
        return std::move(*this);
    }
    [[nodiscard]] Error at_offset(std::size_t offset) && {
        offset_ = offset;
        return std::move(*this);
    }
    [[nodiscard]] Error at_line(std::uint64_t line) && {
        line_ = line;
        return std::move(*this);
    }
    // Adds context in front of the message: "while reading x: <message>".
    [[nodiscard]] Error context(std::string_view what) && {
        message_ = std::string(what) + ": " + message_;
        return std::move(*this);
    }

    [[nodiscard]] ErrorCode code() const { return code_; }
    [[nodiscard]] const std::string& message() const { return message_; }
    [[nodiscard]] const std::string& field() const { return field_; }
    [[nodiscard]] std::size_t offset() const { return offset_; }
    [[nodiscard]] std::uint64_t line() const { return line_; }

    // "parse error at line 3, byte 17, field 'SRC': not an IP address"
    [[nodiscard]] std::string to_string() const;

private:
    ErrorCode code_;
    std::string message_;
    std::string field_;
    std::size_t offset_ = kNoOffset;
    std::uint64_t line_ = 0;
};

template <typename T>
using Result = tl::expected<T, Error>;

using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> fail(Error error) {
    return tl::unexpected<Error>(std::move(error));
}

}  // namespace cyberalarm::core
