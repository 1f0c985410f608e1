// What a scan concludes about one service or host: a weakness (or an informational fact)
// with its severity, evidence and advice. Converted to store::ScanResult for storage.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "core/event.h"
#include "core/ip.h"
#include "store/store.h"

namespace cyberalarm::scan {

struct Finding {
    std::string target;  // as requested
    core::IpAddress address;
    std::uint16_t port = 0;  // 0: about the host
    core::Transport transport = core::Transport::kTcp;
    std::string service, product, version;
    std::string check;  // "tls.protocol.tls1_0", "http.git_exposed", "cve" …
    std::string cve;
    core::Severity severity = core::Severity::kInfo;
    double cvss = 0;
    std::string confidence = "high";  // "high", "medium", "low"
    std::string title;
    std::string evidence;
    std::string advice;
};

// Severity from a CVSS base score (FIRST's bands; 0 = kMedium, "not scored").
[[nodiscard]] core::Severity severity_from_cvss(double score);

[[nodiscard]] store::ScanResult to_scan_result(const Finding& f, store::TenantId member,
                                               std::int64_t scan_id, std::int64_t seen_ns);

}  // namespace cyberalarm::scan
