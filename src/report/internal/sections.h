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

void render_summary(std::string& out, const ReportInput& input, SortedFindings findings);
void render_first_steps(std::string& out, const ReportInput& input, SortedFindings findings);
void render_findings(std::string& out, SortedFindings findings);
void render_activity(std::string& out, const EventSummary& s);
void render_sources(std::string& out, const ReportInput& input);
void render_ports(std::string& out, const EventSummary& s);
void render_about(std::string& out, const EventSummary& s);
// Reports from the store (render_member.cpp).
void render_vulnerabilities(std::string& out, const ReportInput& input);
void render_change(std::string& out, const ReportInput& input);

// One ranked action for "what to do first": the worst findings and scanner results, each
// piece of advice once.
struct Step {
    core::Severity severity = core::Severity::kUnknown;
    std::string title;
    std::string advice;
};
std::vector<Step> first_steps(const ReportInput& input, SortedFindings findings);
// Advice for a finding (detection's own, or a default for its kind).
std::string_view advice_of(const detect::Finding& f);
// Plain sentences about the scanner's results and the change since last period ("" if none).
std::string vulnerability_sentence(const ReportInput& input);
std::string change_sentence(const ReportInput& input);
// "Critical", "High" … counts as "2 critical and 1 high".
std::string severity_counts(SortedFindings findings);

}  // namespace cyberalarm::report::internal
