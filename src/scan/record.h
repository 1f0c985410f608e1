// Scans as the server's store keeps them: which targets a member's verified assets make, and
// how a finished ScanReport becomes the results of a run (cyberalarm-scan --data-dir and the
// server's scan service share this).
//
// Thread safety: pure functions; record_report calls the (thread-safe) store.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "scan/scanner.h"
#include "store/store.h"

namespace cyberalarm::scan {

// One target per verified asset (its normalised value: a CIDR, a host or a domain name), in
// the store's order; unverified assets are left out.
[[nodiscard]] std::vector<std::string> verified_targets(std::span<const store::Asset> assets);

// "a,b,c" — the form ScanRun::targets takes.
[[nodiscard]] std::string join_targets(std::span<const std::string> targets);

// Stores every finding of `report` as a result of run `scan_id` of `member`, then finishes
// the run with `status` ("done", or why it ended early) at `now_ns`.
[[nodiscard]] core::Status record_report(store::Store& store, std::int64_t scan_id,
                                         store::TenantId member, const ScanReport& report,
                                         std::string_view status, std::int64_t now_ns);

}  // namespace cyberalarm::scan
