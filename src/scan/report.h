// Rendering a ScanReport: one JSON document (--json) or text for a person.
//
// JSON shape (docs/design/scanner.md, "Output"): {"scanner", "started", "finished",
// "targets":[{"name","addresses"}], "ports_scanned", "open_ports":[{"address","port",
// "transport","rtt_ms"}], "services":[{"target","address","port","service","product",
// "version","extra","distro","tls","tls_version"}], "findings":[{"target","address","port",
// "transport","service","product","version","check","cve","severity","cvss","confidence",
// "title","evidence","advice"}], "stats", "notes"}.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "scan/scanner.h"

namespace cyberalarm::scan {

[[nodiscard]] std::string report_json(const ScanReport& report);
[[nodiscard]] std::string report_text(const ScanReport& report);

}  // namespace cyberalarm::scan
