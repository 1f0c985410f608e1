#include "server/api/internal/decode.h"

#include <algorithm>
#include <charconv>

#include "core/time.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) without C0
// controls or DEL.
bool clean_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3f);
        }
        const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += len;
    }
    return true;
}

template <typename T>
bool parse_whole(std::string_view text, T& value) {
    if (text.empty()) {
        return false;
    }
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && p == text.data() + text.size();
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            unsigned byte = 0;
            const auto [p, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, byte, 16);
            if (ec != std::errc{} || p != text.data() + i + 3) {
                return std::nullopt;
            }
            out += static_cast<char>(byte);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    if (!clean_utf8(out)) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::int64_t> parse_time(std::string_view text) {
    if (!text.empty() && std::all_of(text.begin(), text.end(),
                                     [](char c) { return c >= '0' && c <= '9'; })) {
        std::uint64_t seconds = 0;
        if (text.size() > 12 || !parse_whole(text, seconds)) {
            return std::nullopt;
        }
        return core::seconds_to_ns(seconds);
    }
    const auto iso = core::parse_iso8601(text);
    if (!iso || !iso->has_zone || iso->consumed != text.size() || text.size() < 20 ||
        (text[10] != 'T' && text[10] != 't') || iso->ns < 0 || iso->ns >= core::kMaxTimeNs) {
        return std::nullopt;
    }
    return iso->ns;
}

// ---- query string ------------------------------------------------------------------------

Decoded<QueryParams> QueryParams::parse(std::string_view query) {
    QueryParams params;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        if (params.items_.size() == kMaxQueryParams) {
            return fail(ApiError::bad_request(
                "", "too many query parameters (at most " + std::to_string(kMaxQueryParams) + ")"));
        }
        const auto eq = pair.find('=');
        const auto raw_name = pair.substr(0, eq);
        const auto raw_value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        auto name = percent_decode(raw_name, true);
        if (!name || name->empty() || name->size() > kMaxParamNameBytes) {
            return fail(ApiError::bad_request("", "malformed query parameter name"));
        }
        auto value = percent_decode(raw_value, true);
        if (!value) {
            return fail(ApiError::bad_request(*name, *name + ": malformed percent-encoding or "
                                                             "control character"));
        }
        if (value->size() > kMaxParamValueBytes) {
            return fail(ApiError::bad_request(*name, *name + ": value too long"));
        }
        for (const auto& [n, v] : params.items_) {
            if (n == *name) {
                return fail(ApiError::bad_request(n, n + ": given more than once"));
            }
        }
        params.items_.emplace_back(std::move(*name), std::move(*value));
    }
    std::sort(params.items_.begin(), params.items_.end());
    return params;
}

Decoded<void> QueryParams::only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [name, value] : items_) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            return fail(ApiError::bad_request(name, name + ": unknown parameter"));
        }
    }
    return {};
}

std::optional<std::string_view> QueryParams::raw(std::string_view name) const {
    for (const auto& [n, v] : items_) {
        if (n == name) {
            return std::string_view(v);
        }
    }
    return std::nullopt;
}

Decoded<std::optional<std::string>> QueryParams::text(std::string_view name,
                                                      std::size_t max_bytes) const {
    const auto v = raw(name);
    if (!v) {
        return std::nullopt;
    }
    if (v->empty() || v->size() > max_bytes) {
        return fail(ApiError::bad_request(
            name, std::string(name) + ": must be 1-" + std::to_string(max_bytes) + " bytes"));
    }
    return std::string(*v);
}

Decoded<std::optional<std::int64_t>> QueryParams::integer(std::string_view name,
                                                          std::int64_t min,
                                                          std::int64_t max) const {
    const auto v = raw(name);
    if (!v) {
        return std::nullopt;
    }
    std::int64_t n = 0;
    if (!parse_whole(*v, n) || n < min || n > max) {
        return fail(ApiError::bad_request(name, std::string(name) + ": must be an integer " +
                                                    std::to_string(min) + "-" +
                                                    std::to_string(max)));
    }
    return n;
}

Decoded<std::optional<std::int64_t>> QueryParams::time(std::string_view name) const {
    const auto v = raw(name);
    if (!v) {
        return std::nullopt;
    }
    const auto ns = parse_time(*v);
    if (!ns) {
        return fail(ApiError::bad_request(
            name, std::string(name) + ": must be an RFC 3339 time with a zone or Unix seconds"));
    }
    return *ns;
}

Decoded<std::optional<core::IpAddress>> QueryParams::address(std::string_view name) const {
    const auto v = raw(name);
    if (!v) {
        return std::nullopt;
    }
    const auto ip = core::IpAddress::parse(*v);
    if (!ip) {
        return fail(ApiError::bad_request(name, std::string(name) + ": not an IPv4 or IPv6 address"));
    }
    return *ip;
}

Decoded<std::optional<std::uint16_t>> QueryParams::port(std::string_view name) const {
    const auto v = raw(name);
    if (!v) {
        return std::nullopt;
    }
    std::uint32_t n = 0;
    if (!parse_whole(*v, n) || n < 1 || n > 65535) {
        return fail(ApiError::bad_request(name, std::string(name) + ": must be 1-65535"));
    }
    return static_cast<std::uint16_t>(n);
}

Decoded<std::size_t> QueryParams::limit(std::size_t fallback, std::size_t max) const {
    CA_API_TRY(n, integer("limit", 1, static_cast<std::int64_t>(max)));
    return n->has_value() ? static_cast<std::size_t>(**n) : std::min(fallback, max);
}

std::string QueryParams::describe() const {
    std::string out;
    for (const auto& [name, value] : items_) {
        if (name == "cursor") {
            continue;
        }
        if (!out.empty()) {
            out += '&';
        }
        out += name;
        out += '=';
        out += value.substr(0, 64);
    }
    return out;
}

}  // namespace cyberalarm::server::api
