#include "parse/formats/fortigate_util.h"

#include "core/time.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::fgutil {

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

}  // namespace cyberalarm::parse::formats::fgutil
