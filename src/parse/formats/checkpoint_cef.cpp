#include "parse/formats/checkpoint_cef.h"

#include "core/time.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::cefx {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == ':' || c == '-' || c == '[' || c == ']';
}

std::string_view trim_ws(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool two_digits(std::string_view s, std::size_t at, int& v) {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') {
        return false;
    }
    v = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
}

}  // namespace

std::size_t find_cef(std::string_view s) {
    std::size_t p = s.find("CEF:");
    if (p != std::string_view::npos) {
        p += 4;
        while (p < s.size() && s[p] == ' ') {
            ++p;
        }
        return p < s.size() ? p : std::string_view::npos;
    }
    // Some collectors strip "CEF:" and leave "0|Vendor|…".
    std::size_t start = 0;
    while (start < s.size() && is_space(s[start])) {
        ++start;
    }
    if (s.substr(start).starts_with("0|") || s.substr(start).starts_with("1|")) {
        return start;
    }
    return std::string_view::npos;
}

std::size_t split_header(std::string_view s, std::span<std::string_view> out,
                         std::string_view& rest) {
    std::size_t n = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size() && n < out.size(); ++i) {
        if (s[i] == '\\') {
            ++i;  // an escaped character, possibly a pipe
            continue;
        }
        if (s[i] == '|') {
            out[n++] = s.substr(start, i - start);
            start = i + 1;
        }
    }
    rest = start <= s.size() ? s.substr(start) : std::string_view{};
    return n;
}

std::size_t ExtReader::find_key(std::size_t from, std::size_t& eq) const {
    std::size_t i = from;
    while (i < s_.size()) {
        std::size_t e = s_.find('=', i);
        if (e == std::string_view::npos) {
            return std::string_view::npos;
        }
        i = e + 1;
        if (e > 0 && s_[e - 1] == '\\') {
            continue;  // escaped: part of a value
        }
        std::size_t k = e;
        while (k > from && is_key_char(s_[k - 1])) {
            --k;
        }
        if (k == e) {
            continue;  // "==" or " =": no key
        }
        if (k == from || is_space(s_[k - 1])) {
            eq = e;
            return k;
        }
    }
    return std::string_view::npos;
}

bool ExtReader::next(std::string_view& key, std::string_view& value) {
    while (pos_ < s_.size() && is_space(s_[pos_])) {
        ++pos_;
    }
    std::size_t eq = 0;
    std::size_t k = find_key(pos_, eq);
    if (k == std::string_view::npos) {
        pos_ = s_.size();
        return false;
    }
    key = s_.substr(k, eq - k);
    std::size_t next_eq = 0;
    std::size_t next = find_key(eq + 1, next_eq);
    std::size_t end = next == std::string_view::npos ? s_.size() : next;
    value = trim_ws(s_.substr(eq + 1, end - eq - 1));
    pos_ = end;
    return true;
}

bool LeefReader::next(std::string_view& key, std::string_view& value) {
    while (pos_ < s_.size()) {
        std::size_t end = s_.find(delim_, pos_);
        if (end == std::string_view::npos) {
            end = s_.size();
        }
        std::string_view item = s_.substr(pos_, end - pos_);
        pos_ = end + 1;
        std::size_t eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            continue;
        }
        key = trim_ws(item.substr(0, eq));
        value = trim_ws(item.substr(eq + 1));
        return true;
    }
    return false;
}

bool parse_cef_time(std::string_view s, std::int64_t& ns, bool& epoch) {
    s = trim_ws(s);
    if (auto ms = to_uint<std::uint64_t>(s)) {
        if (*ms > 100'000'000'000'000ULL) {
            return false;
        }
        // Ten digits are seconds, thirteen are milliseconds.
        std::int64_t v = static_cast<std::int64_t>(*ms);
        ns = s.size() <= 10 ? v * core::kNanosPerSecond : v * 1'000'000;
        epoch = true;
        return true;
    }
    // "Mmm dd yyyy hh:mm:ss"
    if (s.size() < 20 || s[3] != ' ' || s[6] != ' ' || s[11] != ' ') {
        return false;
    }
    core::CivilTime t;
    t.month = core::month_from_abbrev(s.substr(0, 3));
    auto year = to_uint<unsigned>(s.substr(7, 4));
    if (t.month == 0 || !year || !two_digits(s, 4, t.day) || !two_digits(s, 12, t.hour) ||
        !two_digits(s, 15, t.minute) || !two_digits(s, 18, t.second) || s[14] != ':' ||
        s[17] != ':') {
        return false;
    }
    t.year = static_cast<int>(*year);
    if (s.size() > 21 && s[20] == '.') {
        std::int64_t frac = 0;
        int digits = 0;
        for (std::size_t i = 21; i < s.size() && digits < 9 && s[i] >= '0' && s[i] <= '9'; ++i) {
            frac = frac * 10 + (s[i] - '0');
            ++digits;
        }
        for (int d = digits; d < 9; ++d) {
            frac *= 10;
        }
        t.nanos = frac;
    }
    auto v = core::civil_to_ns(t);
    if (!v) {
        return false;
    }
    ns = *v;
    epoch = false;
    return true;
}

}  // namespace cyberalarm::parse::formats::cefx
