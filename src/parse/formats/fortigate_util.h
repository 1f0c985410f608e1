// Private helpers for the FortiGate format, also used by the SonicWall, WatchGuard and
// Stormshield formats (same author, same vendor-envelope problems): the CEF/LEEF header
// split and extension reader, UTC-offset and epoch parsing, and "proto(1.2.3.4)" address
// extraction. All total and allocation-free.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/ip.h"

namespace cyberalarm::parse::formats::fgutil {

// The seven pipe-separated header fields of a CEF line ("CEF:0|Vendor|Product|Version|Id|
// Name|Severity|ext") or the five of LEEF ("LEEF:1.0|Vendor|Product|Version|EventId|ext").
// Collectors often strip the "CEF:"/"LEEF:" marker, so the line may start at the version.
struct EnvelopeHeader {
    std::string_view vendor;
    std::string_view product;
    std::string_view version;
    std::string_view event_id;
    std::string_view name;      // CEF only
    std::string_view severity;  // CEF only
    std::string_view extension;
    std::size_t extension_offset = 0;  // offset of `extension` in the input
};

// Finds a CEF header in `line` (anywhere: it may follow a syslog header). `fields` is 7 for
// CEF, 5 for LEEF. Returns nullopt if the line does not carry one.
std::optional<EnvelopeHeader> split_envelope(std::string_view line, std::string_view marker,
                                             int fields);

// Cheap test for probes: "<marker>…|<vendor>|" or "|<vendor>|" near the start of the line.
bool has_envelope_vendor(std::string_view line, std::string_view vendor);

// Iterates the CEF extension "k1=v1 k2=v two words k3=v3": a value runs to the next
// " key=" (key = letters, digits, '_', '.', '-'); "\=" inside a value does not end it.
class CefExtReader {
public:
    explicit CefExtReader(std::string_view s) : s_(s) {}
    bool next(std::string_view& key, std::string_view& value);

private:
    // Start of the next " key=" after `from`, or s_.size().
    std::size_t next_key_start(std::size_t from) const;
    std::string_view s_;
    std::size_t pos_ = 0;
};

// Parses a UTC offset as devices write it: "+0200", "-05:00", "+2", "UTC+2", "GMT-0330",
// "UTC", "Z". Seconds east of UTC, or nullopt.
std::optional<std::int32_t> parse_utc_offset(std::string_view s);

// An epoch number in s, ms, us or ns (told apart by magnitude) → ns. nullopt if not digits.
std::optional<std::int64_t> epoch_to_ns(std::string_view s);

// "YYYY-MM-DD" and "hh:mm:ss[.frac]" → wall-clock ns (read as UTC). nullopt if malformed.
std::optional<std::int64_t> civil_date_time_ns(std::string_view date, std::string_view time);

// The address inside "https(1.2.3.4)", "GUI(1.2.3.4)" or a bare "1.2.3.4"; nullopt if none.
std::optional<core::IpAddress> address_in_parens(std::string_view s);

// `s` without a leading syslog "<PRI>" glued to the first key ("<134>id=firewall").
std::string_view strip_pri(std::string_view s);

// True if `hay` contains `needle`, ASCII case-insensitively.
bool icontains(std::string_view hay, std::string_view needle);

}  // namespace cyberalarm::parse::formats::fgutil
