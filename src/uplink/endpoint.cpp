#include "uplink/endpoint.h"

#include <arpa/inet.h>

#include <charconv>

namespace cyberalarm::uplink {

namespace {

using core::Error;
using core::fail;

bool is_ip(const std::string& host, bool v6) {
    unsigned char buf[16];
    return ::inet_pton(v6 ? AF_INET6 : AF_INET, host.c_str(), buf) == 1;
}

bool dns_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

}  // namespace

std::string Endpoint::authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + std::to_string(port);
}

core::Result<Endpoint> parse_server_url(std::string_view url) {
    constexpr std::string_view kScheme = "https://";
    auto bad = [&](std::string why) {
        return fail(Error::invalid_argument("server URL '" + std::string(url) + "': " + why));
    };
    if (url.size() < kScheme.size() || url.substr(0, kScheme.size()) != kScheme) {
        return bad("must start with https://");
    }
    std::string_view rest = url.substr(kScheme.size());
    if (!rest.empty() && rest.back() == '/') {
        rest.remove_suffix(1);
    }
    if (rest.find_first_of("/?#@") != std::string_view::npos) {
        return bad("only https://host[:port] is allowed (no user, path, query or fragment)");
    }
    Endpoint ep;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) {
            return bad("unterminated [IPv6 address]");
        }
        ep.host = std::string(rest.substr(1, close - 1));
        if (!is_ip(ep.host, true)) {
            return bad("'" + ep.host + "' is not an IPv6 address");
        }
        ep.host_is_ip = true;
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return bad("unexpected text after ]");
            }
            port = after.substr(1);
            if (port.empty()) {
                return bad("empty port");
            }
        }
    } else {
        auto colon = rest.find(':');
        ep.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = rest.substr(colon + 1);
            if (port.empty()) {
                return bad("empty port");
            }
        }
        if (ep.host.empty() || ep.host.size() > 253) {
            return bad("missing or over-long host");
        }
        for (char c : ep.host) {
            if (!dns_char(c)) {
                return bad("host has a character outside [A-Za-z0-9.-]");
            }
        }
        ep.host_is_ip = is_ip(ep.host, false);
    }
    if (!port.empty()) {
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
            return bad("port must be 1-65535");
        }
        ep.port = static_cast<std::uint16_t>(value);
    }
    return ep;
}

}  // namespace cyberalarm::uplink
