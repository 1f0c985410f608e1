// The sections of the HTML report, each appending one <section> to `out`. Private to
// render_html; split across files by theme.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "detect/finding.h"
#include "report/report.h"

namespace cyberalarm::report::internal {

using SortedFindings = std::span<const detect::Finding* const>;

// Most severe first; then more events, then most recent; stable for equal findings.
std::vector<const detect::Finding*> sort_by_severity(const std::vector<detect::Finding>& all);

void render_summary(std::string& out, const EventSummary& s, SortedFindings findings);
void render_first_steps(std::string& out, const EventSummary& s, SortedFindings findings);
void render_findings(std::string& out, SortedFindings findings);
void render_activity(std::string& out, const EventSummary& s);
void render_sources(std::string& out, const EventSummary& s);
void render_ports(std::string& out, const EventSummary& s);
void render_about(std::string& out, const EventSummary& s);

}  // namespace cyberalarm::report::internal
