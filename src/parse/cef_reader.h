// Reading ArcSight CEF and IBM LEEF envelopes, for the generic `cef` and `leef` formats and
// for the vendor formats that receive their own vendor's CEF/LEEF lines (Check Point, Palo
// Alto, Forcepoint, FortiGate, SonicWall, WatchGuard), so that a vendor line never depends on
// the generic format and every format reads the envelope the same way.
//
//   CEF:Version|Vendor|Product|Version|Signature ID|Name|Severity|key=value key=value …
//   LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value…
//   LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|key=value<delim>key=value…
//
// Collectors often strip the "CEF:"/"LEEF:" marker, so a header may also start at a bare
// version. In the header `\|` does not split. In a CEF extension a value runs until the
// whitespace before the next `key=`, so values may hold spaces, `\=` and even an unescaped
// `=` inside a word. Readers return values raw (escapes kept) and trimmed; `unescape` removes
// the escapes where a value is copied.
//
// Every function is total and allocation-free except `assign_unescaped`, which writes into
// the caller's string. Thread safety: pure functions; the readers are values over a
// borrowed view that must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/time.h"

namespace cyberalarm::parse::cef {

inline constexpr std::string_view kCefMarker = "CEF:";
inline constexpr std::string_view kLeefMarker = "LEEF:";

// Where a header starts in a line.
struct HeaderPos {
    static constexpr std::size_t npos = std::string_view::npos;
    std::size_t version = npos;  // offset of the version field; npos if there is no header
    std::size_t marker = npos;   // offset of the marker; npos if none or stripped (bare)

    [[nodiscard]] bool found() const { return version != npos; }
    [[nodiscard]] bool bare() const { return found() && marker == npos; }
};

// Finds `marker` anywhere in `s` (the header may follow a syslog header) and the version
// just after it and any spaces; without a marker, a bare version ("0|", "1|", "1.0|",
// "2.0|") at the start of `s` after whitespace. A marker with nothing after it is no header.
[[nodiscard]] HeaderPos locate_header(std::string_view s, std::string_view marker);

// The offset of the version field of a CEF header in `s` (see locate_header), or npos.
[[nodiscard]] inline std::size_t find_cef(std::string_view s) {
    return locate_header(s, kCefMarker).version;
}

// Splits `s` (starting at the version) into up to out.size() pipe-terminated header fields
// (`\|` does not split) and sets `rest` to what follows the last one found. Returns the
// number of fields found; fewer than out.size() means the header is truncated.
std::size_t split_header(std::string_view s, std::span<std::string_view> out,
                         std::string_view& rest);

// A whole envelope header with its fields named: seven fields, the version included, for
// CEF; five for LEEF 1.0 (name and severity stay empty).
struct Envelope {
    std::string_view vendor;
    std::string_view product;
    std::string_view version;
    std::string_view event_id;
    std::string_view name;      // CEF only
    std::string_view severity;  // CEF only
    std::string_view extension;
    std::size_t extension_offset = 0;  // offset of `extension` in the input line
};

// Locates and splits the header that `marker` introduces anywhere in `line` (or a bare
// one at its start). `fields` is 7 for CEF and 5 for LEEF. nullopt if there is none or it
// is truncated.
[[nodiscard]] std::optional<Envelope> split_envelope(std::string_view line, std::string_view marker,
                                                     int fields);

// Cheap test for probes: "…|<vendor>|" within the first 160 bytes, where a header's second
// field sits.
[[nodiscard]] bool has_envelope_vendor(std::string_view line, std::string_view vendor);

// Iterates the `key=value` pairs of a CEF extension (or of a LEEF one without its
// delimiter). A key is letters, digits and `_.:-[]`, at the start or after whitespace (line
// breaks count as whitespace); text before the first key is skipped.
class ExtReader {
public:
    explicit ExtReader(std::string_view s) : s_(s) {}
    // Fills key and value; false at the end.
    bool next(std::string_view& key, std::string_view& value);

private:
    std::string_view s_;
    std::size_t pos_ = 0;
};

// The LEEF 2.0 delimiter field: one character, "\t", or its hex code ("x09", "0x5E");
// empty means tab. nullopt if malformed.
[[nodiscard]] std::optional<char> leef_delimiter(std::string_view field);

// Iterates LEEF attributes `key=value` separated by `delim`. A tab delimiter also matches
// "#011", rsyslog's escape of a tab. When the delimiter never occurs (a relay replaced the
// tabs with spaces), attributes are read CEF-style. Items without a key are skipped; keys and
// values are trimmed.
class LeefReader {
public:
    explicit LeefReader(std::string_view s, char delim = '\t');
    bool next(std::string_view& key, std::string_view& value);

private:
    // The end of the item that starts at pos_, and the delimiter's length there.
    std::size_t item_end(std::size_t& delim_len) const;

    std::string_view s_;
    std::size_t pos_ = 0;
    char delim_;
    bool delimited_;
    ExtReader ext_;
};

// Replaces `out` with `s` without its CEF backslash escapes; `\n` and `\r` become spaces.
void assign_unescaped(std::string_view s, std::string& out);

// A CEF/LEEF severity: 0-10 (0-3 low, 4-6 medium, 7-8 high, 9-10 critical) or a word.
[[nodiscard]] core::Severity severity_of(std::string_view s);

// Applies a network field common to CEF and LEEF (addresses, ports, protocol, counters,
// interfaces) to the event. Returns true if `key` was one of them; `bad` is set to the key
// of a value that must be an address and is not.
bool apply_network(std::string_view key, std::string_view value, core::Event& out,
                   std::string_view& bad);

// A CEF/LEEF time stamp (rt, start, end, devTime).
struct DeviceTime {
    std::int64_t ns = 0;
    bool utc = false;  // true: epoch or an explicit zone; false: wall clock read as UTC
};

// Reads an epoch number (s, ms, us or ns, told apart by length), ISO 8601,
// "Mmm dd yyyy hh:mm:ss[.fff][ zone]" or "Mmm dd hh:mm:ss[.fff]" (the year inferred from
// `reference_ns`). A zone of UTC, GMT or Z makes the stamp UTC. nullopt if none of these.
[[nodiscard]] std::optional<DeviceTime> parse_time(std::string_view s, std::int64_t reference_ns);

// parse_time, with a wall-clock stamp read in `tz`: UTC ns.
[[nodiscard]] std::optional<std::int64_t> parse_device_time(std::string_view s,
                                                            const core::TimeZone& tz,
                                                            std::int64_t reference_ns);

}  // namespace cyberalarm::parse::cef
