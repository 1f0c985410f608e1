// The seam between the network and the services: a request as the listener read it, a
// response as a service answered it. The listener (src/server, Boost.Beast over OpenSSL)
// fills HttpRequest after TLS and HTTP parsing and its own limits; services (the API in
// src/server/api, ingest and enrollment in src/server) are plain functions of it, so they
// are tested without sockets and the listener is tested without services.
//
// Thread safety: plain values.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cyberalarm::server {

struct ClientCertificate {
    std::string common_name;  // subject CN (a collector id for collector certificates)
    std::string serial_hex;   // lower-case hex, no leading zeros
};

struct HttpRequest {
    std::string method;  // "GET", "POST" …
    std::string target;  // path and query as sent ("/api/v1/events?port=22")
    // Header names in lower case; a repeated header keeps its first value.
    std::map<std::string, std::string, std::less<>> headers;
    std::string body;          // already bounded by the listener's body limit
    std::string peer_address;  // "127.0.0.1" (for rate limits and the audit log)
    // Present when the client presented a certificate that verified against the server's CA.
    std::optional<ClientCertificate> client_certificate;

    [[nodiscard]] std::string_view header(std::string_view lower_name) const {
        const auto it = headers.find(lower_name);
        return it == headers.end() ? std::string_view{} : std::string_view{it->second};
    }
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type/Length
    std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace cyberalarm::server
