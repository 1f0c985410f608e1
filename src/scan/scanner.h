// The scanner: discovery, identification, checks and CVE matching over targets that a
// TargetPolicy already allowed (target.h), producing one ScanReport.
//
// Safety (docs/design/scanner.md): only ResolvedTarget addresses are contacted; per-address
// concurrency is capped (discovery and checks alike) and discovery is paced per address;
// outside the configured scan window the scan refuses to start (kUnavailable), and if the
// window closes mid-scan the remaining services are left unchecked and a note says so.
// The scanner identifies itself in every protocol that carries a name (HTTP User-Agent,
// SMTP EHLO, the anonymous FTP password).
//
// Thread safety: a Scanner is immutable; run() may be called from several threads. `cancel`
// may be set from any thread and ends the scan promptly with what was found.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "scan/checks.h"
#include "scan/discovery.h"
#include "scan/finding.h"
#include "scan/identify.h"
#include "scan/probes.h"
#include "scan/target.h"
#include "scan/udp.h"
#include "scan/vulndb.h"

namespace cyberalarm::scan {

struct ScanOptions {
    std::vector<std::uint16_t> tcp_ports;  // empty = default_tcp_ports()
    bool udp = false;                      // also send the UDP probes (udp.h)
    bool identify = true;                  // false: discovery only
    bool checks = true;                    // false: identify but run no checks
    std::size_t workers = 16;              // identification and checks in parallel
    std::size_t per_target_workers = 6;    // at most this many services of one address at once
    ScanWindow window;                     // default: always open
    DiscoveryOptions discovery;
    IdentifyOptions identification;
    CheckOptions check;
    UdpOptions udp_options;
};

struct ServiceReport {
    std::string target;  // the requested target this address belongs to
    ServiceInfo info;
};

struct ScanReport {
    std::int64_t started_ns = 0;
    std::int64_t finished_ns = 0;
    std::vector<ResolvedTarget> targets;
    std::vector<std::uint16_t> ports_scanned;
    std::vector<OpenPort> open_tcp;
    std::vector<UdpAnswer> udp;
    std::vector<ServiceReport> services;
    std::vector<Finding> findings;  // most severe first
    DiscoveryStats stats;
    std::vector<std::string> notes;  // what was skipped and why
};

class Scanner {
public:
    // `db` may be null: no CVE matching (a note says so).
    Scanner(const ProbeSet& probes, const VulnDb* db) : probes_(probes), db_(db) {}

    [[nodiscard]] core::Result<ScanReport> run(std::span<const ResolvedTarget> targets,
                                               const ScanOptions& options,
                                               const std::atomic<bool>* cancel = nullptr) const;

    // Checks for one identified service (used by run(); exposed for tests).
    [[nodiscard]] std::vector<Finding> check_service(const ServiceReport& service,
                                                     const ScanOptions& options) const;

private:
    // Identifies and checks every open port of `report`, in parallel within the caps.
    void identify_all(ScanReport& report, std::span<const ResolvedTarget> targets,
                      const ScanOptions& options, const std::atomic<bool>* cancel) const;

    const ProbeSet& probes_;
    const VulnDb* db_;
};

}  // namespace cyberalarm::scan
