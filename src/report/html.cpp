#include "report/html.h"

#include <fmt/format.h>

#include "core/time.h"

namespace cyberalarm::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at text[i] (lead byte >= 0x80), or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    std::size_t len = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    if (len == 0 || i + len > text.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            return 0;
        }
    }
    unsigned char second = byte(i + 1);
    // Reject overlong forms, surrogates and code points above U+10FFFF.
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0) ||
        (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second >= 0x90)) {
        return 0;
    }
    return len;
}

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
    out.reserve(out.size() + text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            std::size_t len = utf8_length(text, i);
            if (len == 0) {
                out += kReplacement;
                ++i;
            } else {
                out.append(text.substr(i, len));
                i += len;
            }
            continue;
        }
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\t':
            case '\n':
                out += static_cast<char>(c);
                break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    out += kReplacement;
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
}

std::string html_escape(std::string_view text) {
    std::string out;
    append_escaped(out, text);
    return out;
}

std::string group_digits(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string format_percent(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0 || part == 0) {
        return "0%";
    }
    double pct = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    if (pct < 0.1) {
        return "<0.1%";
    }
    if (part < whole && pct > 99.9) {
        return ">99.9%";
    }
    return fmt::format("{:.{}f}%", pct, pct >= 10 ? 0 : 1);
}

std::string format_utc(std::int64_t ns) {
    if (ns <= 0) {
        return "unknown";
    }
    auto t = core::ns_to_civil(ns);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year, t.month, t.day, t.hour,
                       t.minute);
}

std::string describe_duration(std::int64_t ns) {
    struct Unit {
        std::int64_t ns;
        const char* name;
    };
    constexpr Unit kUnits[] = {{86400 * core::kNanosPerSecond, "day"},
                               {3600 * core::kNanosPerSecond, "hour"},
                               {60 * core::kNanosPerSecond, "minute"},
                               {core::kNanosPerSecond, "second"}};
    for (const auto& unit : kUnits) {
        if (ns >= unit.ns || unit.ns == core::kNanosPerSecond) {
            double n = static_cast<double>(ns) / static_cast<double>(unit.ns);
            auto text = fmt::format("{:.1f}", n);
            if (text.ends_with(".0")) {
                text.resize(text.size() - 2);
            }
            return text == "1" ? fmt::format("1 {}", unit.name)
                               : fmt::format("{} {}s", text, unit.name);
        }
    }
    return "0 seconds";
}

}  // namespace cyberalarm::report
