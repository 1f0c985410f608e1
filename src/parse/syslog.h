// Syslog message headers: RFC 5424, RFC 3164, and the deviations real devices send
// (no year, no host name, ISO 8601 stamps, "Mmm dd yyyy hh:mm:ss", millisecond fractions,
// vendor prefixes such as "host : %ASA-…", a UTF-8 BOM before the message).
//
// parse_syslog never fails: a line with no recognisable header yields kind == kNone and the
// whole line as `content` and `msg`. The returned views point into the input line.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/time.h"

namespace cyberalarm::parse {

enum class SyslogKind : std::uint8_t { kNone, kRfc3164, kRfc5424 };

struct SyslogMessage {
    std::string_view raw;  // the whole line as given
    SyslogKind kind = SyslogKind::kNone;
    int pri = -1;  // 0..191, -1 if absent

    // Header time. If has_zone, `time_ns` is UTC; otherwise it is the wall-clock reading
    // (as if UTC) still to be converted with the source's time zone (see header_time_utc).
    std::int64_t time_ns = 0;
    bool has_time = false;
    bool has_zone = false;
    bool has_year = false;

    std::string_view hostname;
    std::string_view app_name;  // RFC 5424 APP-NAME, or the RFC 3164 TAG without [pid]
    std::string_view procid;
    std::string_view msgid;            // RFC 5424 only
    std::string_view structured_data;  // RFC 5424 only, "[…]…" or empty
    std::string_view content;          // everything after the host name (TAG included)
    std::string_view msg;              // the message after the TAG
};

// Splits a line into header fields. `year_hint_ns` is the reference time used to infer the
// year for year-less stamps.
SyslogMessage parse_syslog(std::string_view line, std::int64_t year_hint_ns);

// The header time in UTC, reading a zone-less stamp in `tz`. 0 if the header had no time.
std::int64_t header_time_utc(const SyslogMessage& msg, const core::TimeZone& tz);

}  // namespace cyberalarm::parse
