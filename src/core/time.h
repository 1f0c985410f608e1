// Time: UTC nanosecond timestamps, civil-time conversion, ISO 8601 parsing and printing,
// and TimeZone, the explicit zone a log source's local stamps are read in.
//
// Every stamp a parser reads becomes UTC. A stamp without a zone is read in the source's
// configured TimeZone (default UTC), never in the machine's local zone. A stamp without a
// year (RFC 3164) takes the year that puts it closest to, and not more than a month after,
// the reference time (the file's time or "now").
//
// Thread safety: functions are pure; TimeZone is immutable after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace date {
class time_zone;
}

namespace cyberalarm::core {

inline constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
// Events carry times in [1970-01-01, 2200-01-01): what parsers can produce and ECS can print.
inline constexpr std::int64_t kMaxTimeNs = std::int64_t{7258118400} * kNanosPerSecond;

// Whole seconds as nanoseconds; nullopt when the result would reach kMaxTimeNs (so it can
// neither overflow nor name a time an event cannot carry). Parsers use it for untrusted
// epoch stamps and durations.
inline std::optional<std::int64_t> seconds_to_ns(std::uint64_t seconds) {
    if (seconds >= static_cast<std::uint64_t>(kMaxTimeNs / kNanosPerSecond)) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(seconds) * kNanosPerSecond;
}

struct CivilTime {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;  // 0..60 (60 is read as 59 plus one second)
    std::int64_t nanos = 0;
};

// Days since 1970-01-01 for a proleptic Gregorian date.
std::int64_t days_from_civil(int year, int month, int day);
// Nanoseconds since the epoch, reading `t` as UTC. Returns nullopt for impossible dates.
std::optional<std::int64_t> civil_to_ns(const CivilTime& t);
CivilTime ns_to_civil(std::int64_t ns);

// "Jan" .. "Dec" (any case) → 1..12; 0 if not a month abbreviation.
int month_from_abbrev(std::string_view s);

struct IsoTime {
    std::int64_t ns = 0;       // if has_zone: UTC; else: the wall-clock time read as UTC
    bool has_zone = false;     // "Z" or "+hh:mm" was present
    std::size_t consumed = 0;  // characters read
};
// Reads "YYYY-MM-DD[T| ]hh:mm:ss[.fraction][Z|±hh:mm|±hhmm]" at the start of s.
std::optional<IsoTime> parse_iso8601(std::string_view s);

// Writes "YYYY-MM-DDThh:mm:ss.mmmZ" (or 9 fraction digits when the stamp has sub-ms
// precision) into buf, which must hold at least 40 bytes. Returns the length.
std::size_t format_iso8601(std::int64_t ns, char* buf);
std::string format_iso8601(std::int64_t ns);

// The year for a year-less (month, day) stamp, given a reference time.
int infer_year(int month, std::int64_t reference_ns);

class TimeZone {
public:
    TimeZone() = default;  // UTC

    // "UTC", "Z", "+02:00", "-0530", or an IANA name such as "Europe/London".
    [[nodiscard]] static Result<TimeZone> parse(std::string_view name);

    [[nodiscard]] bool is_utc() const { return zone_ == nullptr && offset_seconds_ == 0; }
    // Converts a wall-clock time in this zone (expressed as ns read as UTC) to UTC ns.
    // Ambiguous times (a clock set back) take the earlier instant; skipped times are moved
    // forward by the gap.
    [[nodiscard]] std::int64_t local_to_utc(std::int64_t local_ns) const;
    [[nodiscard]] const std::string& name() const { return name_; }

private:
    const date::time_zone* zone_ = nullptr;
    std::int32_t offset_seconds_ = 0;
    std::string name_ = "UTC";
};

}  // namespace cyberalarm::core
