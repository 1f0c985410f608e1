// Decoders of untrusted request input: the query string, path segments and JSON bodies.
//
// They are total (any bytes give a value or an ApiError, nothing is thrown) and bounded
// (limits below); errors name the parameter or field. Strict on purpose: a parameter given
// twice, an unknown parameter or body field, a malformed percent escape, a control
// character, a duplicate JSON key or nesting deeper than kMaxJsonDepth is refused rather
// than guessed at, so that what the API checked is what it acts on. Fuzzed by
// fuzz/api_decode_fuzzer.cpp.
//
// Thread safety: plain values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "core/ip.h"
#include "server/api/internal/reply.h"

namespace cyberalarm::server::api {

template <typename T>
using Decoded = tl::expected<T, ApiError>;

inline constexpr std::size_t kMaxQueryParams = 32;
inline constexpr std::size_t kMaxParamNameBytes = 64;
inline constexpr std::size_t kMaxParamValueBytes = 2048;
inline constexpr std::size_t kMaxSegmentBytes = 512;
inline constexpr std::size_t kMaxJsonDepth = 8;

// Percent-decodes `text` ('+' is a space when `plus_is_space`). nullopt on a malformed
// escape, a NUL or another control character, or bytes that are not valid UTF-8.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text,
                                                        bool plus_is_space);

// RFC 3339 with a zone ("2026-01-02T03:04:05Z", "…+01:00") or whole Unix seconds
// ("1767312000"). nullopt otherwise or outside [1970, 2200).
[[nodiscard]] std::optional<std::int64_t> parse_time(std::string_view text);

class QueryParams {
public:
    [[nodiscard]] static Decoded<QueryParams> parse(std::string_view query);

    // Refuses any parameter not named in `allowed`.
    [[nodiscard]] Decoded<void> only(std::initializer_list<std::string_view> allowed) const;

    [[nodiscard]] std::optional<std::string_view> raw(std::string_view name) const;
    [[nodiscard]] Decoded<std::optional<std::string>> text(std::string_view name,
                                                           std::size_t max_bytes) const;
    [[nodiscard]] Decoded<std::optional<std::int64_t>> integer(std::string_view name,
                                                               std::int64_t min,
                                                               std::int64_t max) const;
    [[nodiscard]] Decoded<std::optional<std::int64_t>> time(std::string_view name) const;
    [[nodiscard]] Decoded<std::optional<core::IpAddress>> address(std::string_view name) const;
    [[nodiscard]] Decoded<std::optional<std::uint16_t>> port(std::string_view name) const;
    // One of `values`, named as its to_string (found by ADL) names it.
    template <typename E, std::size_t N>
    [[nodiscard]] Decoded<std::optional<E>> choice(std::string_view name,
                                                   const std::array<E, N>& values) const {
        const auto v = raw(name);
        if (!v) {
            return std::nullopt;
        }
        std::string names;
        for (const E value : values) {
            if (to_string(value) == *v) {
                return value;
            }
            names += names.empty() ? "" : ", ";
            names += to_string(value);
        }
        return tl::unexpected<ApiError>(
            ApiError::bad_request(name, std::string(name) + ": one of " + names));
    }
    // `limit` in [1, max], or `fallback` when absent.
    [[nodiscard]] Decoded<std::size_t> limit(std::size_t fallback, std::size_t max) const;

    // "name=value&…" in a canonical order, without the cursor: the filters, for audit
    // records. Values are cut at 64 bytes.
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& items() const {
        return items_;
    }

private:
    std::vector<std::pair<std::string, std::string>> items_;  // decoded, sorted by name
};

// A request's JSON body: an object, parsed strictly.
class Body {
public:
    // An empty body is an empty object. Otherwise Content-Type must be application/json
    // (415), the size at most max_bytes (413), the text one JSON object (400).
    [[nodiscard]] static Decoded<Body> parse(std::string_view content_type,
                                             std::string_view text, std::size_t max_bytes);

    [[nodiscard]] Decoded<void> only(std::initializer_list<std::string_view> allowed) const;
    [[nodiscard]] bool has(std::string_view name) const;

    // A string of 1..max_bytes printable characters (no control characters).
    [[nodiscard]] Decoded<std::string> string(std::string_view name, std::size_t max_bytes) const;
    [[nodiscard]] Decoded<std::optional<std::string>> optional_string(std::string_view name,
                                                                      std::size_t max_bytes) const;
    // Like optional_string, but "" is allowed.
    [[nodiscard]] Decoded<std::optional<std::string>> optional_text(std::string_view name,
                                                                    std::size_t max_bytes) const;
    [[nodiscard]] Decoded<std::optional<std::int64_t>> integer(std::string_view name,
                                                               std::int64_t min,
                                                               std::int64_t max) const;
    [[nodiscard]] Decoded<std::optional<bool>> boolean(std::string_view name) const;
    [[nodiscard]] Decoded<std::optional<std::int64_t>> time(std::string_view name) const;
    // A non-empty array of at most max_items strings, each 1..max_bytes.
    [[nodiscard]] Decoded<std::optional<std::vector<std::string>>> string_list(
        std::string_view name, std::size_t max_items, std::size_t max_bytes) const;

private:
    nlohmann::json object_ = nlohmann::json::object();
};

}  // namespace cyberalarm::server::api
