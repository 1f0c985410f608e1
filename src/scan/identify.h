// Identification: which service, product and version answer on an open TCP port.
//
// Order (docs/design/scanner.md, "Identification"): listen for a greeting; a silent service
// is offered a TLS handshake (so HTTPS and other TLS services are recognised on any port)
// and then the probes of the probe file, those listing the port first, each on a fresh
// connection, inside TLS when the handshake worked and the probe allows it. The first
// match wins. An answer that matches nothing leaves service "unknown" with the bytes seen.
//
// Thread safety: identify() is reentrant; the ProbeSet is shared read-only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/ip.h"
#include "scan/probes.h"

namespace cyberalarm::scan {

// Says who is knocking, in every HTTP request: administrators who see it in their logs
// should be able to tell what this is and that the owner asked for it.
inline constexpr const char* kDefaultUserAgent =
    "cyberalarm-scan/0.1 (security scan of assets their owner verified; not an attack)";

struct IdentifyOptions {
    std::chrono::milliseconds connect_timeout{3000};
    std::string user_agent = kDefaultUserAgent;
};

struct ServiceInfo {
    core::IpAddress address;
    std::uint16_t port = 0;
    std::string host;  // name used for SNI and Host headers ("" = the address)
    Identity id;       // id.service "unknown" when nothing matched
    bool tls = false;  // the service speaks TLS from the first byte
    std::string tls_version;
    std::string answer;  // the bytes that identified it (capped), for evidence and checks
};

[[nodiscard]] ServiceInfo identify(const ProbeSet& probes, const core::IpAddress& address,
                                   std::uint16_t port, const std::string& host,
                                   const IdentifyOptions& options);

// "{host}" and "{user_agent}" replaced in a probe payload.
[[nodiscard]] std::string fill_payload(std::string_view payload, std::string_view host,
                                       std::string_view user_agent);

}  // namespace cyberalarm::scan
