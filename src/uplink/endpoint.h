// Where the server is: parsed from a URL such as "https://ingest.example.org:8443".
//
// Only what the uplink needs: scheme https, a host (DNS name, IPv4 literal or bracketed
// IPv6 literal), an optional port (default 443) and an optional "/". No user info, path,
// query or fragment: the protocol fixes its paths.
//
// Thread safety: plain value and a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cyberalarm::uplink {

struct Endpoint {
    std::string host;  // without brackets for IPv6
    std::uint16_t port = 443;
    bool host_is_ip = false;

    // The Host header value: "host:port", IPv6 in brackets.
    [[nodiscard]] std::string authority() const;
};

// kInvalidArgument naming what is wrong.
[[nodiscard]] core::Result<Endpoint> parse_server_url(std::string_view url);

}  // namespace cyberalarm::uplink
