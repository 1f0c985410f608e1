#include "parse/syslog.h"

#include "parse/text.h"

namespace cyberalarm::parse {

namespace {

using core::CivilTime;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads "<PRI>" at the start; returns the characters consumed (0 if none).
std::size_t read_pri(std::string_view s, int& pri) {
    if (s.size() < 3 || s[0] != '<') {
        return 0;
    }
    int v = 0;
    std::size_t i = 1;
    while (i < s.size() && i <= 4 && is_digit(s[i])) {
        v = v * 10 + (s[i] - '0');
        ++i;
    }
    if (i == 1 || i > 4 || i >= s.size() || s[i] != '>' || v > 191) {
        return 0;
    }
    pri = v;
    return i + 1;
}

bool two_digits(std::string_view s, std::size_t pos, int& out) {
    if (pos + 2 > s.size() || !is_digit(s[pos]) || !is_digit(s[pos + 1])) {
        return false;
    }
    out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
    return true;
}

// "hh:mm:ss[.frac]" at pos; returns characters consumed or 0.
std::size_t read_clock(std::string_view s, std::size_t pos, CivilTime& t) {
    if (!two_digits(s, pos, t.hour) || pos + 8 > s.size() || s[pos + 2] != ':' ||
        !two_digits(s, pos + 3, t.minute) || s[pos + 5] != ':' ||
        !two_digits(s, pos + 6, t.second)) {
        return 0;
    }
    std::size_t i = pos + 8;
    if (i < s.size() && s[i] == '.') {
        std::size_t j = i + 1;
        std::int64_t frac = 0;
        int digits = 0;
        while (j < s.size() && is_digit(s[j])) {
            if (digits < 9) {
                frac = frac * 10 + (s[j] - '0');
                ++digits;
            }
            ++j;
        }
        if (digits > 0) {
            while (digits++ < 9) {
                frac *= 10;
            }
            t.nanos = frac;
            i = j;
        }
    }
    return i - pos;
}

// RFC 3164 "Mmm dd hh:mm:ss", "Mmm dd yyyy hh:mm:ss", "Mmm  d hh:mm:ss.mmm".
std::size_t read_bsd_time(std::string_view s, std::int64_t hint, SyslogMessage& m) {
    if (s.size() < 15 || s[3] != ' ') {
        return 0;
    }
    int month = core::month_from_abbrev(s.substr(0, 3));
    if (month == 0) {
        return 0;
    }
    std::size_t i = 4;
    if (s[i] == ' ') {
        ++i;
    }
    int day = 0;
    while (i < s.size() && is_digit(s[i]) && day < 100) {
        day = day * 10 + (s[i] - '0');
        ++i;
    }
    if (day == 0 || i >= s.size() || s[i] != ' ') {
        return 0;
    }
    ++i;
    CivilTime t;
    t.month = month;
    t.day = day;
    bool has_year = false;
    if (i + 5 <= s.size() && is_digit(s[i]) && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
        is_digit(s[i + 3]) && s[i + 4] == ' ') {
        t.year =
            (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
        has_year = true;
        i += 5;
    }
    std::size_t n = read_clock(s, i, t);
    if (n == 0) {
        return 0;
    }
    i += n;
    if (!has_year) {
        t.year = core::infer_year(month, hint);
    }
    auto ns = core::civil_to_ns(t);
    if (!ns) {
        return 0;
    }
    m.time_ns = *ns;
    m.has_time = true;
    m.has_year = has_year;
    return i;
}

// A TAG is [A-Za-z0-9_./-]+ with an optional "[pid]", ended by ':' then a space or the end.
bool read_tag(std::string_view s, std::string_view& app, std::string_view& pid,
              std::size_t& consumed) {
    std::size_t i = 0;
    while (i < s.size() && i < 64) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
                  c == '.' || c == '/' || c == '-';
        if (!ok) {
            break;
        }
        ++i;
    }
    if (i == 0 || i >= s.size()) {
        return false;
    }
    std::size_t name_end = i;
    std::string_view p;
    if (s[i] == '[') {
        std::size_t close = s.find(']', i);
        if (close == std::string_view::npos || close - i > 32) {
            return false;
        }
        p = s.substr(i + 1, close - i - 1);
        i = close + 1;
    }
    if (i >= s.size() || s[i] != ':') {
        return false;
    }
    if (i + 1 < s.size() && s[i + 1] != ' ') {
        return false;
    }
    app = s.substr(0, name_end);
    pid = p;
    consumed = i + 1 < s.size() ? i + 2 : i + 1;
    return true;
}

std::string_view nil(std::string_view v) {
    return v == "-" ? std::string_view() : v;
}

void parse_5424(std::string_view s, SyslogMessage& m) {
    // After "<PRI>1 ": TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]
    Cursor c(s);
    auto ts = c.token(' ');
    if (ts != "-") {
        if (auto t = core::parse_iso8601(ts); t && t->consumed == ts.size()) {
            m.time_ns = t->ns;
            m.has_time = true;
            m.has_zone = t->has_zone;
            m.has_year = true;
        }
    }
    m.hostname = nil(c.token(' '));
    auto after_host = c.rest();
    m.app_name = nil(c.token(' '));
    m.procid = nil(c.token(' '));
    m.msgid = nil(c.token(' '));
    std::string_view rest = c.rest();
    if (!rest.empty() && rest[0] == '[') {
        // Structured data: one or more [id k="v" …] elements; ']' inside a value is escaped.
        std::size_t i = 0;
        while (i < rest.size() && rest[i] == '[') {
            bool in_quote = false;
            ++i;
            while (i < rest.size()) {
                char ch = rest[i];
                if (ch == '\\' && i + 1 < rest.size()) {
                    i += 2;
                    continue;
                }
                if (ch == '"') {
                    in_quote = !in_quote;
                } else if (ch == ']' && !in_quote) {
                    ++i;
                    break;
                }
                ++i;
            }
        }
        m.structured_data = rest.substr(0, i);
        rest = rest.substr(i);
    } else if (!rest.empty() && rest[0] == '-') {
        rest = rest.substr(1);
    }
    if (!rest.empty() && rest[0] == ' ') {
        rest = rest.substr(1);
    }
    if (rest.size() >= 3 && static_cast<unsigned char>(rest[0]) == 0xEF &&
        static_cast<unsigned char>(rest[1]) == 0xBB &&
        static_cast<unsigned char>(rest[2]) == 0xBF) {
        rest = rest.substr(3);
    }
    m.msg = rest;
    m.content = after_host;
}

}  // namespace

SyslogMessage parse_syslog(std::string_view line, std::int64_t year_hint_ns) {
    SyslogMessage m;
    m.raw = line;
    m.content = line;
    m.msg = line;
    std::size_t pos = read_pri(line, m.pri);
    std::string_view s = line.substr(pos);

    if (pos > 0 && s.size() >= 2 && s[0] == '1' && s[1] == ' ') {
        m.kind = SyslogKind::kRfc5424;
        parse_5424(s.substr(2), m);
        return m;
    }

    std::size_t n = read_bsd_time(s, year_hint_ns, m);
    if (n == 0) {
        if (auto t = core::parse_iso8601(s);
            t && (t->consumed == s.size() || s[t->consumed] == ' ')) {
            n = t->consumed;
            m.time_ns = t->ns;
            m.has_time = true;
            m.has_zone = t->has_zone;
            m.has_year = true;
        }
    }
    if (n > 0 || pos > 0) {
        m.kind = SyslogKind::kRfc3164;
    }
    s = s.substr(n);
    while (!s.empty() && s[0] == ' ') {
        s = s.substr(1);
    }
    if (m.has_time) {
        // A host name follows unless the next token is already the TAG.
        std::string_view app;
        std::string_view pid;
        std::size_t consumed = 0;
        if (!read_tag(s, app, pid, consumed)) {
            std::size_t sp = s.find(' ');
            if (sp != std::string_view::npos && sp > 0) {
                m.hostname = s.substr(0, sp);
                s = s.substr(sp + 1);
                // Cisco: "host : %ASA-…"
                if (s.size() >= 2 && s[0] == ':' && s[1] == ' ') {
                    s = s.substr(2);
                }
            }
        }
    }
    m.content = s;
    std::string_view app;
    std::string_view pid;
    std::size_t consumed = 0;
    if (read_tag(s, app, pid, consumed)) {
        m.app_name = app;
        m.procid = pid;
        s = s.substr(consumed);
    }
    m.msg = s;
    return m;
}

std::int64_t header_time_utc(const SyslogMessage& msg, const core::TimeZone& tz) {
    if (!msg.has_time) {
        return 0;
    }
    return msg.has_zone ? msg.time_ns : tz.local_to_utc(msg.time_ns);
}

}  // namespace cyberalarm::parse
