#include "scan/finding.h"

#include "scan/checks.h"

namespace cyberalarm::scan {

core::Severity severity_from_cvss(double score) {
    if (score <= 0) {
        return core::Severity::kMedium;
    }
    if (score >= 9.0) {
        return core::Severity::kCritical;
    }
    if (score >= 7.0) {
        return core::Severity::kHigh;
    }
    if (score >= 4.0) {
        return core::Severity::kMedium;
    }
    return core::Severity::kLow;
}

store::ScanResult to_scan_result(const Finding& f, store::TenantId member, std::int64_t scan_id,
                                 std::int64_t seen_ns) {
    store::ScanResult r;
    r.member = member;
    r.scan_id = scan_id;
    r.target = f.address.is_set() && f.target != f.address.to_string()
                   ? f.target + " (" + f.address.to_string() + ")"
                   : f.target;
    r.port = f.port;
    r.transport = f.transport;
    r.service = f.service;
    r.product = f.product;
    r.version = f.version;
    r.check = f.check;
    r.cve = f.cve;
    r.severity = f.severity;
    r.cvss = f.cvss;
    r.title = f.title;
    // The store has no confidence column: it travels in the evidence, where a reader sees it.
    r.evidence = f.confidence == "high" ? f.evidence : "[confidence " + f.confidence + "] " + f.evidence;
    r.advice = f.advice;
    r.seen_ns = seen_ns;
    return r;
}

Finding base_finding(const CheckContext& ctx) {
    Finding f;
    f.target = ctx.target;
    f.address = ctx.service.address;
    f.port = ctx.service.port;
    f.service = ctx.service.id.service;
    f.product = ctx.service.id.product;
    f.version = ctx.service.id.version;
    return f;
}

}  // namespace cyberalarm::scan
