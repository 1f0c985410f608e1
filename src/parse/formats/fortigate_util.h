// Private helpers for the FortiGate format, also used by the SonicWall, WatchGuard and
// Stormshield formats (same author, same device problems): UTC-offset and date parsing, and
// "proto(1.2.3.4)" address extraction. Their CEF/LEEF envelopes are read by
// parse/cef_reader.h. All total and allocation-free.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/ip.h"

namespace cyberalarm::parse::formats::fgutil {

// Parses a UTC offset as devices write it: "+0200", "-05:00", "+2", "UTC+2", "GMT-0330",
// "UTC", "Z". Seconds east of UTC, or nullopt.
std::optional<std::int32_t> parse_utc_offset(std::string_view s);

// "YYYY-MM-DD" and "hh:mm:ss[.frac]" → wall-clock ns (read as UTC). nullopt if malformed.
std::optional<std::int64_t> civil_date_time_ns(std::string_view date, std::string_view time);

// The address inside "https(1.2.3.4)", "GUI(1.2.3.4)" or a bare "1.2.3.4"; nullopt if none.
std::optional<core::IpAddress> address_in_parens(std::string_view s);

}  // namespace cyberalarm::parse::formats::fgutil
