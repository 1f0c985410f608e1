// A made-up but realistic week for one member: events through SummaryBuilder and a finding
// of each common kind. Shared by the report tests and by the sample written for review.
#pragma once

#include "report/report.h"

namespace cyberalarm::report::test {

// Mon 2024-06-03 00:00 UTC.
inline constexpr std::int64_t kWeekStartNs = std::int64_t{1717372800} * 1'000'000'000;

core::Event make_event(std::int64_t time_ns, std::string_view src, std::string_view dst,
                       std::uint16_t dst_port, core::Action action,
                       core::Transport transport = core::Transport::kTcp);

// About 60,000 events over a week with scans, an RDP brute-force burst and IDS alerts, and
// five findings (port scan, brute force, RDP exposure, IDS alert, beaconing).
ReportInput sample_input();

}  // namespace cyberalarm::report::test
