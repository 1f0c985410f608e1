// Shared by the importers: value recognition, timestamps, JSON reading with error positions,
// and Collector, which holds one import's indicators until it succeeds (all-or-nothing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "intel/importers.h"

namespace cyberalarm::intel::internal {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxLabel = 200;
inline constexpr std::size_t kMaxExamples = 8;
inline constexpr std::size_t kMaxJsonDepth = 64;
inline constexpr std::size_t kMaxLine = 64 * 1024;

// What a value is, once trimmed: an address or prefix, a domain name, or neither.
enum class ValueKind : std::uint8_t { kNone, kAddress, kDomain };

// Fills ind.type and ind.prefix or ind.domain from text ("198.51.100.7", "10.0.0.0/8",
// "2001:db8::/32", "Evil.Example."); returns what it recognised.
ValueKind parse_value(std::string_view text, Indicator& ind);
// Lower-case domain name with at least two labels of [a-z0-9_-]; empty if not one.
std::string normalise_domain(std::string_view text);
// ISO 8601 ("2024-05-01T12:00:00Z", zone-less read as UTC) or Unix seconds (or milliseconds
// when 13 digits). nullopt if neither.
std::optional<std::int64_t> parse_time(std::string_view text);
std::string_view trim(std::string_view s);
std::string clip_label(std::string_view s);
// 1-based line number of byte `offset` in text.
std::uint64_t line_of(std::string_view text, std::size_t offset);

class Collector {
public:
    Collector(const ImportOptions& options, FeedFormat format);

    // Queues an indicator, filling source and confidence defaults; kResourceExhausted when
    // options.max_indicators is passed.
    [[nodiscard]] core::Status add(Indicator ind);
    void skip(SkipReason reason, std::uint64_t line, std::string_view why);
    // Moves the queued indicators into the set and returns the stats.
    ImportStats commit(IntelSet& set);

    [[nodiscard]] const ImportOptions& options() const { return options_; }
    [[nodiscard]] core::Error error(core::Error e) const;

private:
    const ImportOptions& options_;
    std::vector<Indicator> pending_;
    ImportStats stats_;
};

// Parses JSON without exceptions. Errors name the origin, line and byte offset. Rejects
// input over options.max_input_bytes and nesting deeper than kMaxJsonDepth.
[[nodiscard]] core::Result<Json> parse_json(std::string_view text, const ImportOptions& options);

// Typed accessors that treat a missing key or a wrong type as absent.
const Json* member(const Json& obj, std::string_view key);
std::string_view get_string(const Json& obj, std::string_view key);
std::optional<std::int64_t> get_int(const Json& obj, std::string_view key);

}  // namespace cyberalarm::intel::internal
