// The analysis report: what a member reads. ReportInput is built from the events and the
// findings of a period; render_html turns it into one self-contained HTML document (inline
// CSS and SVG charts, no scripts, no external fetches).
//
// Thread safety: SummaryBuilder is not shared; render_html is a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/ip.h"
#include "detect/finding.h"
#include "report/internal/heavy_hitters.h"
#include "report/internal/timeline.h"
#include "store/store.h"

namespace cyberalarm::report {

struct Count {
    std::string key;  // address, "22/tcp", rule name …
    std::uint64_t count = 0;
};

// Aggregates of the period's events, bounded whatever the number of events.
struct EventSummary {
    std::uint64_t events = 0;
    std::uint64_t blocked = 0;  // deny, drop, reject
    std::uint64_t allowed = 0;
    std::uint64_t alerts = 0;  // action "alert", or an IDS, anti-virus or anti-spam event
    std::map<std::string, std::uint64_t> by_category;  // firewall, ids, auth …
    std::map<std::string, std::uint64_t> by_format;    // parser that read them (≤ 32 + "other")
    std::int64_t first_ns = 0;  // earliest and latest event time; 0 when no event had a time
    std::int64_t last_ns = 0;
    // Timeline: bucket i covers [timeline_start_ns + i·bucket_ns, … + bucket_ns). The start is
    // first_ns rounded down to a multiple of bucket_ns; bucket_ns is 2^k · (1 h / 1024), so
    // buckets fall on whole UTC hours once they are an hour or wider.
    std::int64_t timeline_start_ns = 0;
    std::int64_t bucket_ns = 0;                 // width of a timeline bucket
    std::vector<std::uint64_t> timeline_total;  // events per bucket, at most 192 buckets
    std::vector<std::uint64_t> timeline_blocked;
    std::vector<Count> top_sources;  // external sources by events, at most 10
    std::vector<Count> top_ports;    // targeted destination ports ("22/tcp"), at most 10
    // True when the distinct sources or ports outgrew the builder's table: the top lists are
    // then Misra-Gries estimates, each count at most `top_error` below the true count.
    bool top_approximate = false;
    std::uint64_t top_error = 0;
    // False when the summary came from the store, which does not count alerts or blocked
    // events per bucket: the report then leaves those figures out rather than show zeros.
    bool alerts_counted = true;
};

// True for an address on the internet: not private, loopback, link-local, shared (CGNAT),
// multicast or reserved.
[[nodiscard]] bool is_public_address(const core::IpAddress& ip);

// Builds an EventSummary from a stream of events with bounded memory: the timeline holds at
// most 192 buckets (their width doubles as the period grows), and the source and port tables
// at most max_keys entries each (approximate top-k once distinct keys exceed that, which
// the summary flags and the report states).
//
// A source counts when it is external: the event is inbound, or its direction is unknown
// and the source address is public. A port counts for those events when it has a TCP, UDP
// or SCTP destination port.
class SummaryBuilder {
public:
    // REQUIRES: max_keys >= 1 (0 is read as 1).
    explicit SummaryBuilder(std::size_t max_keys = 100000);
    void add(const core::Event& event);
    [[nodiscard]] EventSummary finish() const;
    // Entries held in the source and port tables now (each at most max_keys), for tests and
    // memory accounting.
    [[nodiscard]] std::size_t tracked_keys() const { return sources_.size() + ports_.size(); }

private:
    EventSummary base_;  // counters and per-category/format maps; the rest is filled by finish
    internal::Timeline timeline_;
    internal::HeavyHitters<core::IpAddress, internal::IpHash> sources_;
    internal::HeavyHitters<std::uint32_t> ports_;  // port << 8 | transport
};

// What changed since the period before (same length, just before it).
struct PeriodChange {
    std::uint64_t events_before = 0;
    std::uint64_t blocked_before = 0;
    std::uint64_t findings_before = 0;
    std::uint64_t findings_now = 0;
    std::vector<std::string> new_sources, gone_sources;  // among the top sources
    std::vector<std::string> new_ports, gone_ports;      // among the top ports
    std::vector<std::string> new_kinds, gone_kinds;      // finding kinds (kind_label words)
};

struct ReportInput {
    std::string title = "cyberalarm report";
    std::string member;  // who it is for ("" = the files given)
    std::int64_t generated_ns = 0;
    EventSummary summary;
    std::vector<detect::Finding> findings;  // any order; the report sorts by severity
    // Reports from the store also carry these; `cyberalarm analyze` leaves them empty.
    std::int64_t period_from_ns = 0;  // the period asked for, [from, to); 0: the events' span
    std::int64_t period_to_ns = 0;
    bool scanner_section = false;  // show "Vulnerabilities" (even when the list is empty)
    std::vector<store::ScanResult> vulnerabilities;  // the scanner's results in the period
    std::optional<PeriodChange> change;
    // Where a top source is, by its key: "Germany · AS3320 Deutsche Telekom AG". Only
    // filled when a local GeoIP/ASN database is configured.
    std::map<std::string, std::string> source_origin;
};

// One self-contained HTML document.
std::string render_html(const ReportInput& input);

// The same report as a PDF document (cairo's PDF surface, text laid out with pango).
// kInternal if cairo fails.
[[nodiscard]] core::Result<std::string> render_pdf(const ReportInput& input);

}  // namespace cyberalarm::report
