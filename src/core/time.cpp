#include "core/time.h"

#include <date/tz.h>

#include <charconv>
#include <cstring>

namespace cyberalarm::core {

namespace {

bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at s[pos]; advances pos.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
    if (pos + n > s.size()) {
        return false;
    }
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    out = v;
    pos += n;
    return true;
}

void put2(char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

std::int64_t days_from_civil(int year, int month, int day) {
    // Howard Hinnant's days_from_civil algorithm (public domain description).
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yoe = static_cast<unsigned>(year - era * 400);
    const auto mp = static_cast<unsigned>(month + (month > 2 ? -3 : 9));
    const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> civil_to_ns(const CivilTime& t) {
    if (t.year < 1970 || t.year > 2199 || t.month < 1 || t.month > 12 || t.day < 1 ||
        t.day > days_in_month(t.year, t.month) || t.hour < 0 || t.hour > 23 || t.minute < 0 ||
        t.minute > 59 || t.second < 0 || t.second > 60 || t.nanos < 0 ||
        t.nanos >= kNanosPerSecond) {
        return std::nullopt;
    }
    std::int64_t days = days_from_civil(t.year, t.month, t.day);
    std::int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
    return secs * kNanosPerSecond + t.nanos;
}

CivilTime ns_to_civil(std::int64_t ns) {
    std::int64_t secs = ns / kNanosPerSecond;
    std::int64_t nanos = ns % kNanosPerSecond;
    if (nanos < 0) {
        nanos += kNanosPerSecond;
        --secs;
    }
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // civil_from_days (Hinnant).
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    CivilTime t;
    t.year = static_cast<int>(y + (m <= 2 ? 1 : 0));
    t.month = static_cast<int>(m);
    t.day = static_cast<int>(d);
    t.hour = static_cast<int>(rem / 3600);
    t.minute = static_cast<int>((rem % 3600) / 60);
    t.second = static_cast<int>(rem % 60);
    t.nanos = nanos;
    return t;
}

int month_from_abbrev(std::string_view s) {
    if (s.size() != 3) {
        return 0;
    }
    static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};
    char lower[3];
    for (int i = 0; i < 3; ++i) {
        char c = s[static_cast<std::size_t>(i)];
        lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    for (int m = 0; m < 12; ++m) {
        if (std::memcmp(lower, kMonths[m], 3) == 0) {
            return m + 1;
        }
    }
    return 0;
}

std::optional<IsoTime> parse_iso8601(std::string_view s) {
    CivilTime t;
    std::size_t pos = 0;
    if (!read_digits(s, pos, 4, t.year) || pos >= s.size() || s[pos++] != '-' ||
        !read_digits(s, pos, 2, t.month) || pos >= s.size() || s[pos++] != '-' ||
        !read_digits(s, pos, 2, t.day) || pos >= s.size() || (s[pos] != 'T' && s[pos] != ' ')) {
        return std::nullopt;
    }
    ++pos;
    if (!read_digits(s, pos, 2, t.hour) || pos >= s.size() || s[pos++] != ':' ||
        !read_digits(s, pos, 2, t.minute)) {
        return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!read_digits(s, pos, 2, t.second)) {
            return std::nullopt;
        }
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        std::int64_t frac = 0;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 9) {
                frac = frac * 10 + (s[pos] - '0');
                ++digits;
            }
            ++pos;
        }
        if (digits == 0) {
            return std::nullopt;
        }
        while (digits < 9) {
            frac *= 10;
            ++digits;
        }
        t.nanos = frac;
    }
    IsoTime out;
    int offset = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
        out.has_zone = true;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int sign = s[pos] == '-' ? -1 : 1;
        std::size_t p = pos + 1;
        int hh = 0;
        int mm = 0;
        if (read_digits(s, p, 2, hh)) {
            if (p < s.size() && s[p] == ':') {
                ++p;
            }
            if (read_digits(s, p, 2, mm) && hh <= 23 && mm <= 59) {
                offset = sign * (hh * 3600 + mm * 60);
                out.has_zone = true;
                pos = p;
            }
        }
    }
    bool leap_second = t.second == 60;
    if (leap_second) {
        t.second = 59;
    }
    auto ns = civil_to_ns(t);
    if (!ns) {
        return std::nullopt;
    }
    out.ns = *ns - static_cast<std::int64_t>(offset) * kNanosPerSecond +
             (leap_second ? kNanosPerSecond : 0);
    if (out.ns < 0 || out.ns >= kMaxTimeNs) {
        return std::nullopt;
    }
    out.consumed = pos;
    return out;
}

std::size_t format_iso8601(std::int64_t ns, char* buf) {
    CivilTime t = ns_to_civil(ns);
    auto [end, ec] = std::to_chars(buf, buf + 6, t.year);
    (void)ec;
    char* p = end;
    *p++ = '-';
    put2(p, t.month);
    p += 2;
    *p++ = '-';
    put2(p, t.day);
    p += 2;
    *p++ = 'T';
    put2(p, t.hour);
    p += 2;
    *p++ = ':';
    put2(p, t.minute);
    p += 2;
    *p++ = ':';
    put2(p, t.second);
    p += 2;
    *p++ = '.';
    std::int64_t frac = t.nanos;
    int digits = 9;
    if (frac % 1'000'000 == 0) {
        frac /= 1'000'000;
        digits = 3;
    }
    for (int i = digits - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + frac % 10);
        frac /= 10;
    }
    p += digits;
    *p++ = 'Z';
    return static_cast<std::size_t>(p - buf);
}

std::string format_iso8601(std::int64_t ns) {
    char buf[40];
    return std::string(buf, format_iso8601(ns, buf));
}

int infer_year(int month, std::int64_t reference_ns) {
    CivilTime ref = ns_to_civil(reference_ns);
    // A stamp more than one month ahead of the reference is from last year (a log read in
    // January that still holds December lines).
    if (month > ref.month + 1) {
        return ref.year - 1;
    }
    if (ref.month == 12 && month == 1) {
        return ref.year + 1;
    }
    return ref.year;
}

Result<TimeZone> TimeZone::parse(std::string_view name) {
    TimeZone tz;
    if (name.empty() || name == "UTC" || name == "utc" || name == "Z" || name == "GMT" ||
        name == "Etc/UTC") {
        return tz;
    }
    if (name[0] == '+' || name[0] == '-') {
        // Reuse the ISO parser's offset reading on a synthetic stamp.
        constexpr std::int64_t kProbeNs = std::int64_t{946684800} * kNanosPerSecond;  // 2000-01-01
        std::string probe = "2000-01-01T00:00:00" + std::string(name);
        auto t = parse_iso8601(probe);
        if (!t || !t->has_zone || t->consumed != probe.size()) {
            return fail(Error::invalid_argument("bad UTC offset '" + std::string(name) +
                                                "' (expected +hh:mm or -hhmm)"));
        }
        tz.offset_seconds_ = static_cast<std::int32_t>((kProbeNs - t->ns) / kNanosPerSecond);
        tz.name_ = std::string(name);
        return tz;
    }
    try {
        tz.zone_ = date::locate_zone(std::string(name));
    } catch (const std::exception&) {
        return fail(Error::invalid_argument("unknown time zone '" + std::string(name) +
                                            "' (use an IANA name such as Europe/London, or "
                                            "an offset such as +01:00)"));
    }
    tz.name_ = std::string(name);
    return tz;
}

std::int64_t TimeZone::local_to_utc(std::int64_t local_ns) const {
    if (zone_ == nullptr) {
        return local_ns - static_cast<std::int64_t>(offset_seconds_) * kNanosPerSecond;
    }
    using namespace std::chrono;
    date::local_time<nanoseconds> local{nanoseconds(local_ns)};
    auto info =
        zone_->get_info(date::local_time<seconds>(floor<seconds>(local.time_since_epoch())));
    seconds offset = info.first.offset;
    if (info.result == date::local_info::nonexistent) {
        // In a spring-forward gap: read with the offset from before the gap.
        offset = info.first.offset;
    }
    return local_ns - duration_cast<nanoseconds>(offset).count();
}

}  // namespace cyberalarm::core
