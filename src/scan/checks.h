// Checks run on an identified service: TLS (protocol versions, weak suites, certificate),
// HTTP (security headers, disclosure, listings, exposed files, default pages, admin
// panels), exposure (databases and caches without authentication, anonymous FTP, Telnet,
// RDP/SMB), and known vulnerabilities (vulndb.h). Each returns findings with severity,
// evidence (what was seen) and advice; none writes to the service beyond reading.
//
// Thread safety: reentrant; one call per service at a time.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "scan/finding.h"
#include "scan/identify.h"
#include "scan/vulndb.h"

namespace cyberalarm::scan {

struct CheckOptions {
    std::chrono::milliseconds timeout{3000};
    std::string user_agent = kDefaultUserAgent;
    std::string ehlo_name = "cyberalarm-scan.invalid";  // our name in SMTP EHLO
    std::string ca_file;      // extra trust anchors for certificate checks ("" = system only)
    int expiry_warning_days = 30;
    std::int64_t now_unix = 0;  // 0 = the clock; tests pin it
};

struct CheckContext {
    const ServiceInfo& service;
    std::string target;  // as requested, for the findings
    const CheckOptions& options;
    const ProbeSettings& settings;
};

// A finding about this service with the common fields filled in.
[[nodiscard]] Finding base_finding(const CheckContext& ctx);

// How to reach TLS on a port: directly, or after a plain-text upgrade command.
enum class TlsEntry : std::uint8_t { kDirect, kSmtp, kImap, kPop3, kFtp };

[[nodiscard]] std::vector<Finding> check_tls(const CheckContext& ctx, TlsEntry entry);
[[nodiscard]] std::vector<Finding> check_http(const CheckContext& ctx);
[[nodiscard]] std::vector<Finding> check_exposure(const CheckContext& ctx);
[[nodiscard]] std::vector<Finding> check_vulnerabilities(const CheckContext& ctx,
                                                         const VulnDb& db);
// Mail and file services: is STARTTLS / AUTH TLS offered at all? (kSmtp … kFtp)
[[nodiscard]] std::vector<Finding> check_starttls_offered(const CheckContext& ctx,
                                                          TlsEntry entry, bool& offered);

}  // namespace cyberalarm::scan
