// A small reader for CEF envelopes, shared by the vendor formats that receive their own
// vendor's CEF lines (Check Point, Palo Alto, Forcepoint) so that a vendor line never
// depends on the generic `cef` format. Allocation-free; every function is total.
//
// Thread safety: pure functions; the reader is a value over a borrowed view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace cyberalarm::parse::formats::cefx {

// Finds the start of a CEF header ("CEF:0|", "CEF: 0|" or a bare "0|Vendor|") in `s`.
// Returns the offset of the version digit, or npos.
std::size_t find_cef(std::string_view s);

// Splits `s` (starting at the version digit) into up to out.size() pipe-terminated header
// fields (`\|` does not split) and sets `rest` to what follows the last one. Returns the
// number of fields found; fewer than out.size() means the header is truncated.
std::size_t split_header(std::string_view s, std::span<std::string_view> out,
                         std::string_view& rest);

// Iterates the `key=value` pairs of a CEF extension. A value runs up to the whitespace
// before the next `key=` (a key is letters, digits and `_.:-[]`), so values may hold spaces,
// escaped `\=` and even unescaped `=` inside a word. Values are returned raw (escapes kept)
// with surrounding whitespace trimmed; line breaks count as whitespace.
class ExtReader {
public:
    explicit ExtReader(std::string_view s) : s_(s) {}
    bool next(std::string_view& key, std::string_view& value);

private:
    // Offset of the key that starts at or after `from`, and its '=' in `eq`; npos if none.
    std::size_t find_key(std::size_t from, std::size_t& eq) const;

    std::string_view s_;
    std::size_t pos_ = 0;
};

// Iterates LEEF attributes: `key=value` separated by `delim` (tab by default).
class LeefReader {
public:
    LeefReader(std::string_view s, char delim) : s_(s), delim_(delim) {}
    bool next(std::string_view& key, std::string_view& value);

private:
    std::string_view s_;
    std::size_t pos_ = 0;
    char delim_;
};

// Reads "Mmm dd yyyy hh:mm:ss[.mmm]" (CEF/LEEF rt and devTime) or epoch milliseconds as
// a wall-clock/UTC nanosecond value; `epoch` says which. False if neither.
bool parse_cef_time(std::string_view s, std::int64_t& ns, bool& epoch);

}  // namespace cyberalarm::parse::formats::cefx
