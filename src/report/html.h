// Text helpers for HTML output: escaping and the number and time formats the report uses.
//
// Every string that came from logs, findings or configuration goes through append_escaped
// (or html_escape) before it reaches a document; nothing from outside is ever placed in a
// tag, an attribute name or an unquoted attribute.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cyberalarm::report {

// Appends `text` safe for element content and double- or single-quoted attribute values:
// & < > " ' become entities, control characters and malformed UTF-8 become U+FFFD.
void append_escaped(std::string& out, std::string_view text);
[[nodiscard]] std::string html_escape(std::string_view text);

// 1234567 → "1,234,567".
[[nodiscard]] std::string group_digits(std::uint64_t n);
// part/whole as "97.3%", "<0.1%" for a small non-zero share, "0%" when whole is 0.
[[nodiscard]] std::string format_percent(std::uint64_t part, std::uint64_t whole);
// "2024-06-03 08:15 UTC"; "unknown" for 0.
[[nodiscard]] std::string format_utc(std::int64_t ns);
// A duration in the largest whole-ish unit: "1 hour", "7.5 minutes", "2 days", "3.5 seconds".
[[nodiscard]] std::string describe_duration(std::int64_t ns);

}  // namespace cyberalarm::report
