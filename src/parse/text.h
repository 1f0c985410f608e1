// Small, allocation-free text helpers shared by the format parsers: a cursor over a line,
// number parsing, key=value and CSV splitting, and vocabulary mapping. Every function is
// total: any input gives a value or a "not found"/false, never a crash or an over-read.
//
// Thread safety: pure functions.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/event.h"

namespace cyberalarm::parse {

// Reads a line left to right.
class Cursor {
public:
    explicit Cursor(std::string_view s) : s_(s) {}

    // The text up to the next `sep` (not included); moves past the separator.
    std::string_view token(char sep) {
        std::size_t p = s_.find(sep, pos_);
        std::string_view out;
        if (p == std::string_view::npos) {
            out = s_.substr(pos_);
            pos_ = s_.size();
        } else {
            out = s_.substr(pos_, p - pos_);
            pos_ = p + 1;
        }
        return out;
    }
    // Moves past `prefix` if the rest starts with it.
    bool skip(std::string_view prefix) {
        if (rest().starts_with(prefix)) {
            pos_ += prefix.size();
            return true;
        }
        return false;
    }
    void skip_spaces() {
        while (pos_ < s_.size() && s_[pos_] == ' ') {
            ++pos_;
        }
    }
    [[nodiscard]] std::string_view rest() const { return s_.substr(pos_); }
    [[nodiscard]] bool done() const { return pos_ >= s_.size(); }
    [[nodiscard]] std::size_t pos() const { return pos_; }

private:
    std::string_view s_;
    std::size_t pos_ = 0;
};

// Parses an unsigned decimal that must fill `s` and fit in T.
template <typename T>
[[nodiscard]] std::optional<T> to_uint(std::string_view s) {
    T v{};
    if (s.empty()) {
        return std::nullopt;
    }
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

[[nodiscard]] inline std::optional<std::uint16_t> to_port(std::string_view s) {
    return to_uint<std::uint16_t>(s);
}

// Removes one pair of surrounding double quotes, if present.
[[nodiscard]] std::string_view unquote(std::string_view s);
[[nodiscard]] std::string_view trim(std::string_view s);
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

// True if `hay` contains `needle`, ASCII case-insensitively.
[[nodiscard]] bool icontains(std::string_view hay, std::string_view needle);

// True if `key` (with its '=', e.g. "logid=") starts a token in `s`: at the start or right
// after one of `before` (a space, or the '>' of a syslog PRI glued to the first key).
[[nodiscard]] bool has_key(std::string_view s, std::string_view key,
                           std::string_view before = " >");

// An epoch number of seconds, ms, us or ns (told apart by its number of digits: up to 10,
// 13, 16, 19) as ns since the epoch; surrounding double quotes are ignored. nullopt if it
// is not digits, or is zero (a device's "no time").
[[nodiscard]] std::optional<std::int64_t> epoch_to_ns(std::string_view s);

// Iterates `key=value` pairs separated by spaces (or `sep`). Values may be double-quoted
// ("a b"), in which case the quotes are removed and `\"` inside is kept as is.
// Text that is not key=value is skipped. Stops at the end of the line. A syslog PRI glued to
// a key ("<134>id=firewall", from a relay that dropped the rest of the header) is no part
// of the key: a key never starts with "<digits>".
class KvReader {
public:
    explicit KvReader(std::string_view s, char sep = ' ', char eq = '=')
        : s_(s), sep_(sep), eq_(eq) {}
    // Fills key and value; false at the end.
    bool next(std::string_view& key, std::string_view& value);

private:
    std::string_view s_;
    std::size_t pos_ = 0;
    char sep_;
    char eq_;
};

// Splits comma-separated values (RFC 4180 quoting: "a,b" and "" inside quotes) into `out`.
// Returns the number of fields found; fields beyond out.size() are counted but not stored.
// Quoted fields are returned without their outer quotes (doubled quotes stay doubled).
std::size_t split_csv(std::string_view s, std::span<std::string_view> out, char sep = ',');

// Maps a vendor's verdict word to our vocabulary, case-insensitively:
//   allow accept accepted pass passed permit permitted allowed built → kAllow
//   deny denied block blocked refused → kDeny
//   drop dropped discard discarded → kDrop
//   reject rejected reset reset-both reset-client reset-server → kReject
//   alert detect detected → kAlert
core::Action action_from_word(std::string_view word);

// Severity from common vendor words (emergency…debug, critical/high/medium/low/info).
core::Severity severity_from_word(std::string_view word);

// Severity from a Snort/Suricata priority: 1 high, 2 medium, 3 low, 4 and more info.
core::Severity severity_from_priority(std::int64_t priority);

}  // namespace cyberalarm::parse
