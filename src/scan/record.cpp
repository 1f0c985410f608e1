#include "scan/record.h"

namespace cyberalarm::scan {

std::vector<std::string> verified_targets(std::span<const store::Asset> assets) {
    std::vector<std::string> out;
    for (const auto& asset : assets) {
        if (asset.verified_ns != 0) {
            out.push_back(asset.value);
        }
    }
    return out;
}

std::string join_targets(std::span<const std::string> targets) {
    std::string out;
    for (const auto& t : targets) {
        if (!out.empty()) {
            out += ',';
        }
        out += t;
    }
    return out;
}

core::Status record_report(store::Store& store, std::int64_t scan_id, store::TenantId member,
                           const ScanReport& report, std::string_view status,
                           std::int64_t now_ns) {
    std::vector<store::ScanResult> results;
    results.reserve(report.findings.size());
    for (const Finding& f : report.findings) {
        results.push_back(to_scan_result(f, member, scan_id, report.finished_ns));
    }
    if (!results.empty()) {
        if (auto st = store.add_scan_results(scan_id, results); !st) {
            return st;
        }
    }
    return store.finish_scan(scan_id, status, now_ns);
}

}  // namespace cyberalarm::scan
