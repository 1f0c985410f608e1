// UDP probes for services often exposed by mistake: DNS, NTP, SNMP, SSDP, memcached and
// mDNS. Each has an encoder (the request we send, of our own making) and a decoder for the
// answer; decoders are pure and total on any bytes (fuzz target fuzz_scan_udp).
//
// Requests are chosen to be harmless and small: DNS asks version.bind (CHAOS TXT), NTP is a
// client-mode time request (never monlist), SNMP a v2c get of sysDescr.0 with community
// "public", SSDP an M-SEARCH, memcached "version", mDNS a service enumeration query.
//
// Thread safety: pure functions; scan_udp is reentrant.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "scan/finding.h"

namespace cyberalarm::scan {

enum class UdpService : std::uint8_t { kDns, kNtp, kSnmp, kSsdp, kMemcached, kMdns };

struct UdpProbeSpec {
    UdpService service;
    const char* name;  // "dns"
    std::uint16_t port;
};
[[nodiscard]] std::span<const UdpProbeSpec> udp_probes();

// The request for `service`; `id` is the transaction id where the protocol has one.
[[nodiscard]] std::string encode_udp_probe(UdpService service, std::uint16_t id);

// What an answer says, when it is an answer to our request.
struct UdpDecoded {
    std::string summary;  // "version.bind: 9.18.28-1~deb12u2-Debian", "stratum 2" …
    std::string product;
    std::string version;
    std::size_t bytes = 0;  // answer size, for the amplification factor
};
[[nodiscard]] std::optional<UdpDecoded> decode_udp_answer(UdpService service,
                                                          std::span<const std::uint8_t> bytes,
                                                          std::uint16_t id);

struct UdpOptions {
    std::chrono::milliseconds timeout{1500};
    int retries = 1;
    std::vector<UdpService> services;  // empty = all
    // Ports other than the standard ones (tests, services moved elsewhere).
    std::vector<std::pair<UdpService, std::uint16_t>> ports;
};

struct UdpAnswer {
    core::IpAddress address;
    std::uint16_t port = 0;
    UdpService service = UdpService::kDns;
    std::size_t request_bytes = 0;
    UdpDecoded decoded;
};

[[nodiscard]] std::vector<UdpAnswer> scan_udp(std::span<const core::IpAddress> addresses,
                                              const UdpOptions& options,
                                              const std::atomic<bool>* cancel = nullptr);

[[nodiscard]] std::vector<Finding> udp_findings(const UdpAnswer& answer, const std::string& target);

}  // namespace cyberalarm::scan
