// Analyst reports: the picture across the members under a force, region or nation, for the
// police cyber teams. Member internals are pseudonymised: members appear under stable
// pseudonyms unless the reader's role may see their names (AnalystOptions::show_names), and
// internal addresses (private ranges, and every member's declared networks) never appear.
// The one exception is the contact list of a force's own report: members with unaddressed
// critical findings are named there, because the force is the one to call them.
//
// Memory is bounded by the number of members times the per-member top lists (the store
// aggregates each member's events), not by the number of events; members are read one at a
// time.
//
// Thread safety: a pure function of the store's contents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::report {

struct AnalystOptions {
    std::int64_t from_ns = 0;  // REQUIRES: from_ns < to_ns
    std::int64_t to_ns = 0;
    std::int64_t now_ns = 0;
    bool show_names = false;     // the reader may see member names (else pseudonyms)
    std::string pseudonym_key;   // secret mixed into pseudonyms; keep it stable across runs
    std::size_t member_top = 50;  // sources and ports read per member
};

struct Campaign {
    std::string source;  // a public address
    std::uint32_t members = 0;  // members it was among the top sources of
    std::uint64_t events = 0;
};

struct PortTrend {
    std::uint16_t port = 0;
    std::uint64_t events_now = 0;
    std::uint64_t events_before = 0;
    std::uint32_t members_now = 0;
};

struct SectorRow {
    std::string sector;  // "unknown" when not recorded
    std::uint32_t members = 0;
    std::uint64_t events = 0;
    std::uint64_t findings = 0;
    std::uint64_t serious = 0;  // high or critical findings
};

struct KindSeries {
    std::string kind;  // kind_label words
    std::vector<std::uint64_t> counts;  // findings last seen in each bucket
    std::uint64_t total = 0;
};

struct MemberRow {
    std::string label;  // name or pseudonym
    std::string force;  // the force it belongs to
    std::string sector;
    std::uint64_t events = 0;
    std::uint64_t findings = 0;
    std::uint64_t serious = 0;  // high or critical findings in the period
    std::uint64_t open_critical = 0;
    std::string worst;  // title of its most severe open finding
};

struct AnalystReport {
    std::string title;
    std::string tenant;  // the force, region or nation
    store::TenantLevel level = store::TenantLevel::kForce;
    std::int64_t from_ns = 0, to_ns = 0, now_ns = 0;
    bool names_shown = false;
    std::uint32_t members = 0;
    std::uint32_t members_reporting = 0;  // with at least one event in the period
    std::uint64_t events = 0, events_before = 0, findings = 0;
    std::vector<Campaign> campaigns;   // sources seen at two or more members, most members first
    std::vector<PortTrend> rising;     // ports rising or newly targeted, largest rise first
    std::vector<SectorRow> sectors;    // most serious findings first
    std::int64_t kind_bucket_ns = 0;   // width of KindSeries buckets, from from_ns
    std::vector<KindSeries> kinds;
    std::vector<MemberRow> most_affected;  // top members by serious findings, then events
    std::vector<MemberRow> contact;        // members with open critical findings
};

// A stable pseudonym for a member: "Member " + 8 hex digits of SHA-256(key:id).
[[nodiscard]] std::string member_pseudonym(std::string_view key, store::TenantId member);

// kNotFound for an unknown tenant; kInvalidArgument for a member or an empty range.
[[nodiscard]] core::Result<AnalystReport> analyst_report(store::Store& store,
                                                         store::TenantId tenant,
                                                         const AnalystOptions& options);

[[nodiscard]] std::string render_analyst_html(const AnalystReport& report);
[[nodiscard]] core::Result<std::string> render_analyst_pdf(const AnalystReport& report);

}  // namespace cyberalarm::report
