// The member report from the store: gathers one member's events summary, findings, scanner
// results and the change since the period before into a ReportInput for render_html and
// render_pdf.
//
// Memory is bounded whatever the number of events: the store aggregates (summarize_events),
// and findings and scanner results are read up to fixed caps (kMaxFindings, kMaxScanResults).
//
// Thread safety: a pure function of the store's contents.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "report/geo.h"
#include "report/report.h"
#include "store/store.h"

namespace cyberalarm::report {

inline constexpr std::size_t kMaxFindings = 2000;
inline constexpr std::size_t kMaxScanResults = 2000;
inline constexpr std::int64_t kWeekNs = 7LL * 24 * 3600 * 1'000'000'000;

struct MemberReportOptions {
    std::int64_t from_ns = 0;  // REQUIRES: from_ns < to_ns
    std::int64_t to_ns = 0;
    std::int64_t now_ns = 0;         // "written at"
    const GeoLookup* geo = nullptr;  // nullptr: no country/ASN
    bool compare_previous = true;    // also read the period before for "change since"
};

// The timeline bucket for a period: the narrowest of 5 min, 15 min, 1 h, 3 h, 6 h, 1 day, 1
// week that keeps at most 192 buckets.
[[nodiscard]] std::int64_t bucket_for(std::int64_t from_ns, std::int64_t to_ns);

// kNotFound if the member does not exist, kInvalidArgument for a tenant that is not a member
// or an empty range; the store's errors otherwise.
[[nodiscard]] core::Result<ReportInput> member_report_input(store::Store& store,
                                                            store::TenantId member,
                                                            const MemberReportOptions& options);

// Reads findings (last seen in [from, to)) page by page, at most `cap`.
[[nodiscard]] core::Result<std::vector<store::FindingRecord>> read_findings(
    store::Store& store, store::FindingQuery query, std::size_t cap);

// The report's EventSummary from the store's aggregate for [from, to).
[[nodiscard]] EventSummary from_store_summary(const store::EventSummary& s, std::int64_t from_ns,
                                              std::int64_t to_ns, std::int64_t bucket_ns,
                                              std::size_t top_n);

}  // namespace cyberalarm::report
