#include "parse/formats/fortigate_util.h"

#include <array>

#include "core/time.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::fgutil {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '.' || c == '-';
}

// A bare envelope version ("0", "1", "1.0", "2.0"): the marker was stripped by a collector.
bool is_envelope_version(std::string_view s) {
    if (s.empty() || s.size() > 4 || !is_digit(s.front())) {
        return false;
    }
    for (char c : s) {
        if (!is_digit(c) && c != '.') {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<EnvelopeHeader> split_envelope(std::string_view line, std::string_view marker,
                                             int fields) {
    std::size_t start = line.find(marker);
    if (start == std::string_view::npos) {
        start = 0;
        while (start < line.size() && line[start] == ' ') {
            ++start;
        }
        std::size_t bar = line.find('|', start);
        if (bar == std::string_view::npos || !is_envelope_version(line.substr(start, bar - start))) {
            return std::nullopt;
        }
    } else {
        start += marker.size();
    }
    // fields + 1 values: the version, then vendor … up to the extension.
    std::array<std::string_view, 8> part{};
    std::size_t n = 0;
    std::size_t begin = start;
    for (std::size_t i = start; i < line.size() && static_cast<int>(n) < fields; ++i) {
        if (line[i] == '\\') {
            ++i;
            continue;
        }
        if (line[i] == '|') {
            part[n++] = line.substr(begin, i - begin);
            begin = i + 1;
        }
    }
    if (static_cast<int>(n) < fields) {
        return std::nullopt;
    }
    EnvelopeHeader h;
    h.vendor = part[1];
    h.product = part[2];
    h.version = part[3];
    h.event_id = part[4];
    if (fields >= 7) {
        h.name = part[5];
        h.severity = part[6];
    }
    h.extension = line.substr(begin);
    h.extension_offset = begin;
    return h;
}

bool has_envelope_vendor(std::string_view line, std::string_view vendor) {
    // The vendor is the second header field, so it sits within the first ~160 bytes.
    std::string_view head = line.substr(0, 160);
    std::size_t p = head.find(vendor);
    return p != std::string_view::npos && p > 0 && head[p - 1] == '|' &&
           p + vendor.size() < head.size() && head[p + vendor.size()] == '|';
}

std::size_t CefExtReader::next_key_start(std::size_t from) const {
    for (std::size_t i = from; i < s_.size(); ++i) {
        if (s_[i] != ' ') {
            continue;
        }
        std::size_t k = i + 1;
        while (k < s_.size() && is_key_char(s_[k])) {
            ++k;
        }
        if (k > i + 1 && k < s_.size() && s_[k] == '=') {
            return i + 1;
        }
    }
    return s_.size();
}

bool CefExtReader::next(std::string_view& key, std::string_view& value) {
    while (pos_ < s_.size()) {
        while (pos_ < s_.size() && s_[pos_] == ' ') {
            ++pos_;
        }
        std::size_t k = pos_;
        while (k < s_.size() && is_key_char(s_[k])) {
            ++k;
        }
        if (k == pos_ || k >= s_.size() || s_[k] != '=') {
            // Not a key: skip to the next " key=".
            pos_ = next_key_start(pos_ == s_.size() ? pos_ : pos_ + 1);
            continue;
        }
        key = s_.substr(pos_, k - pos_);
        std::size_t vstart = k + 1;
        std::size_t vend = next_key_start(vstart);
        pos_ = vend;
        value = trim(s_.substr(vstart, vend - vstart));
        return true;
    }
    return false;
}

std::optional<std::int32_t> parse_utc_offset(std::string_view s) {
    s = trim(unquote(trim(s)));
    if (s.starts_with("UTC") || s.starts_with("GMT")) {
        s.remove_prefix(3);
    }
    if (s.empty() || s == "Z") {
        return 0;
    }
    int sign = 1;
    if (s.front() == '+' || s.front() == '-') {
        sign = s.front() == '-' ? -1 : 1;
        s.remove_prefix(1);
    } else {
        return std::nullopt;
    }
    int hours = 0;
    int minutes = 0;
    std::size_t colon = s.find(':');
    if (colon != std::string_view::npos) {
        auto h = to_uint<unsigned>(s.substr(0, colon));
        auto m = to_uint<unsigned>(s.substr(colon + 1));
        if (!h || !m) {
            return std::nullopt;
        }
        hours = static_cast<int>(*h);
        minutes = static_cast<int>(*m);
    } else if (s.size() == 4) {
        auto v = to_uint<unsigned>(s);
        if (!v) {
            return std::nullopt;
        }
        hours = static_cast<int>(*v / 100);
        minutes = static_cast<int>(*v % 100);
    } else if (s.size() <= 2) {
        auto h = to_uint<unsigned>(s);
        if (!h) {
            return std::nullopt;
        }
        hours = static_cast<int>(*h);
    } else {
        return std::nullopt;
    }
    if (hours > 14 || minutes > 59) {
        return std::nullopt;
    }
    return sign * (hours * 3600 + minutes * 60);
}

std::optional<std::int64_t> epoch_to_ns(std::string_view s) {
    s = unquote(s);
    if (s.empty() || s.size() > 19) {
        return std::nullopt;
    }
    auto v = to_uint<std::uint64_t>(s);
    if (!v || *v == 0) {
        return std::nullopt;
    }
    auto n = static_cast<std::int64_t>(*v);
    if (s.size() <= 10) {
        return n * core::kNanosPerSecond;
    }
    if (s.size() <= 13) {
        return n * 1'000'000;
    }
    if (s.size() <= 16) {
        return n * 1'000;
    }
    return n;
}

std::optional<std::int64_t> civil_date_time_ns(std::string_view date, std::string_view time) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-' || time.size() < 8 ||
        time[2] != ':' || time[5] != ':') {
        return std::nullopt;
    }
    auto y = to_uint<unsigned>(date.substr(0, 4));
    auto mo = to_uint<unsigned>(date.substr(5, 2));
    auto d = to_uint<unsigned>(date.substr(8, 2));
    auto h = to_uint<unsigned>(time.substr(0, 2));
    auto mi = to_uint<unsigned>(time.substr(3, 2));
    auto se = to_uint<unsigned>(time.substr(6, 2));
    if (!y || !mo || !d || !h || !mi || !se) {
        return std::nullopt;
    }
    core::CivilTime t;
    t.year = static_cast<int>(*y);
    t.month = static_cast<int>(*mo);
    t.day = static_cast<int>(*d);
    t.hour = static_cast<int>(*h);
    t.minute = static_cast<int>(*mi);
    t.second = static_cast<int>(*se);
    if (*h > 23u || *mi > 59u || *se > 60u) {
        return std::nullopt;
    }
    return core::civil_to_ns(t);
}

std::optional<core::IpAddress> address_in_parens(std::string_view s) {
    std::size_t open = s.find('(');
    if (open != std::string_view::npos) {
        std::size_t close = s.find(')', open);
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        s = s.substr(open + 1, close - open - 1);
    }
    if (s.empty() || s.size() > 45) {
        return std::nullopt;
    }
    return core::IpAddress::parse(s);
}

std::string_view strip_pri(std::string_view s) {
    if (s.starts_with('<')) {
        std::size_t gt = s.find('>');
        if (gt != std::string_view::npos && gt <= 4) {
            s.remove_prefix(gt + 1);
        }
    }
    return s;
}

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.empty()) {
        return true;
    }
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (iequals(hay.substr(i, needle.size()), needle)) {
            return true;
        }
    }
    return false;
}

}  // namespace cyberalarm::parse::formats::fgutil
