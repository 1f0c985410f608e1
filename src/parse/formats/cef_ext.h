// Private to cef.cpp and leef.cpp: reading ArcSight CEF / IBM LEEF envelopes.
//
// CEF extension values may contain spaces: a value runs until the next " key=" (a space,
// then key characters, then an unescaped '='). `\=`, `\\`, `\|`, `\n`, `\r` are escapes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "core/time.h"

namespace cyberalarm::parse::formats::cef_env {

// Reads `key=value` pairs of a CEF extension (or a LEEF extension whose delimiter is
// absent); values are raw (escapes still in), trailing spaces trimmed.
class ExtReader {
public:
    explicit ExtReader(std::string_view s) : s_(s) {}
    bool next(std::string_view& key, std::string_view& value);

private:
    std::size_t find_next_key(std::size_t from) const;
    std::string_view s_;
    std::size_t pos_ = 0;
};

// Splits `n` header fields separated by unescaped '|'; returns the rest (after the last
// pipe) in `rest`. False if there are fewer fields.
bool split_header(std::string_view s, std::span<std::string_view> fields, std::string_view& rest);

// Appends `s` to `out`, removing CEF backslash escapes.
void assign_unescaped(std::string_view s, std::string& out);

// "1617183296123" (ms since epoch), ISO 8601, "Mar 31 2021 12:34:56[.123][ zone]" or
// "Mar 31 12:34:56": UTC ns, local stamps read in `tz`.
std::optional<std::int64_t> parse_device_time(std::string_view s, const core::TimeZone& tz,
                                              std::int64_t reference_ns);

// Severity: 0-10 (0-3 low, 4-6 medium, 7-8 high, 9-10 critical) or words.
core::Severity severity_of(std::string_view s);

// Applies a network field common to CEF and LEEF (addresses, ports, protocol, counters,
// interfaces) to the event. Returns true if `key` was one of them; `bad` is set to the key
// of a value that must be an address and is not.
bool apply_network(std::string_view key, std::string_view value, core::Event& out,
                   std::string_view& bad);

}  // namespace cyberalarm::parse::formats::cef_env
