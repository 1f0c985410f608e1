// The sections only reports from the store have: the scanner's vulnerabilities and the change
// since the period before; and the ranked "what to do first" list both kinds of report use.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "report/html.h"
#include "report/internal/sections.h"
#include "report/services.h"

namespace cyberalarm::report::internal {
namespace {

constexpr std::size_t kMaxSteps = 5;    // items in "what to do first"
constexpr std::size_t kMaxVulns = 100;  // scanner results listed in full
constexpr std::size_t kMaxNames = 8;    // new/gone keys named per line

std::string_view scan_advice(const store::ScanResult& r) {
    if (!r.advice.empty()) {
        return r.advice;
    }
    return r.cve.empty() ? "Ask whoever looks after this system to review the setting the "
                           "scanner reported."
                         : "Update this software to a version the supplier says is fixed.";
}

std::string scan_title(const store::ScanResult& r) {
    std::string t = r.title.empty() ? r.check : r.title;
    if (!r.target.empty()) {
        t += " on " + r.target;
        if (r.port != 0) {
            t += fmt::format(":{}", r.port);
        }
    }
    return t;
}

std::string name_list(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < kMaxNames; ++i) {
        out += i == 0 ? "" : ", ";
        out += names[i];
    }
    if (names.size() > kMaxNames) {
        out += fmt::format(" and {} more", names.size() - kMaxNames);
    }
    return out;
}

// "12% more than", "the same as", "40% fewer than".
std::string compare(std::uint64_t now, std::uint64_t before) {
    if (before == 0) {
        return now == 0 ? "the same as" : "up from none";
    }
    const double ratio = static_cast<double>(now) / static_cast<double>(before);
    const auto pct = static_cast<long long>(std::llround(std::abs(ratio - 1.0) * 100.0));
    if (pct == 0) {
        return "about the same as";
    }
    return fmt::format("{}% {} than", pct, now > before ? "more" : "fewer");
}

void change_row(std::string& out, std::string_view what, std::uint64_t now, std::uint64_t before) {
    out += "<tr><td>";
    out += what;
    out += fmt::format(R"(</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>)",
                       group_digits(before), group_digits(now),
                       html_escape(compare(now, before)));
}

void keys_row(std::string& out, std::string_view what, const std::vector<std::string>& added,
              const std::vector<std::string>& gone) {
    out += "<tr><td>";
    out += what;
    out += "</td><td>";
    append_escaped(out, added.empty() ? "none" : name_list(added));
    out += "</td><td>";
    append_escaped(out, gone.empty() ? "none" : name_list(gone));
    out += "</td></tr>";
}

}  // namespace

std::vector<Step> first_steps(const ReportInput& input, SortedFindings findings) {
    std::vector<Step> all;
    for (const auto* f : findings) {
        if (f->severity >= core::Severity::kMedium) {
            all.push_back({f->severity,
                           f->title.empty() ? std::string(kind_label(f->kind)) : f->title,
                           std::string(advice_of(*f))});
        }
    }
    for (const auto& r : input.vulnerabilities) {
        if (r.severity >= core::Severity::kMedium) {
            all.push_back({r.severity, scan_title(r), std::string(scan_advice(r))});
        }
    }
    // Most severe first; for equal severity, a weakness on the member's own systems (listed
    // after the findings) keeps its place behind the activity that was seen.
    std::stable_sort(all.begin(), all.end(),
                     [](const Step& a, const Step& b) { return a.severity > b.severity; });
    std::set<std::string> seen_advice;
    std::vector<Step> steps;
    for (auto& step : all) {
        if (steps.size() == kMaxSteps) {
            break;
        }
        // Several findings often share one piece of advice; say it once, for the worst.
        if (seen_advice.insert(step.advice).second) {
            steps.push_back(std::move(step));
        }
    }
    return steps;
}

std::string vulnerability_sentence(const ReportInput& input) {
    if (!input.scanner_section) {
        return "";
    }
    if (input.vulnerabilities.empty()) {
        return " Our scanner found no weaknesses on your systems in this period.";
    }
    auto serious = std::count_if(input.vulnerabilities.begin(), input.vulnerabilities.end(),
                                 [](const auto& r) { return r.severity >= core::Severity::kHigh; });
    return fmt::format(" Our scanner reported {} {} about your own systems, {} of them high or "
                       "critical.",
                       input.vulnerabilities.size(),
                       input.vulnerabilities.size() == 1 ? "result" : "results", serious);
}

std::string change_sentence(const ReportInput& input) {
    if (!input.change) {
        return "";
    }
    const auto& c = *input.change;
    return fmt::format(" That is {} events, {} the period before.",
                       group_digits(input.summary.events),
                       compare(input.summary.events, c.events_before));
}

void render_vulnerabilities(std::string& out, const ReportInput& input) {
    if (!input.scanner_section) {
        return;
    }
    out += R"(<section id="vulns" aria-labelledby="vulns-h"><h2 id="vulns-h">)"
           "Vulnerabilities from the scanner</h2>";
    if (input.vulnerabilities.empty()) {
        out += "<p>The scanner reported nothing about your verified websites and addresses in "
               "this period. If you have not yet added and verified them, the scanner cannot "
               "check them.</p></section>";
        return;
    }
    std::vector<const store::ScanResult*> sorted;
    for (const auto& r : input.vulnerabilities) {
        sorted.push_back(&r);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
        return a->severity != b->severity ? a->severity > b->severity : a->cvss > b->cvss;
    });
    out += "<p>What our scanner saw when it checked the websites and addresses you told us "
           "are yours. A known vulnerability (CVE) in software you run is the most urgent kind "
           "of result: criminals look for these.</p>";
    out += R"(<div class="table-wrap"><table><caption class="note">Scanner results, most )"
           R"(severe first</caption><thead><tr><th scope="col">Severity</th>)"
           R"(<th scope="col">What</th><th scope="col">Where</th><th scope="col">Software</th>)"
           R"(<th scope="col">Evidence</th><th scope="col">What to do</th></tr></thead><tbody>)";
    for (std::size_t i = 0; i < sorted.size() && i < kMaxVulns; ++i) {
        const auto& r = *sorted[i];
        out += fmt::format(R"(<tr><td><span class="sev sev-{}">{}</span></td><td>)",
                           severity_class(r.severity), severity_label(r.severity));
        append_escaped(out, r.title.empty() ? r.check : r.title);
        if (!r.cve.empty()) {
            out += " <code>";
            append_escaped(out, r.cve);
            out += "</code>";
        }
        out += "</td><td><code>";
        append_escaped(out, r.target);
        if (r.port != 0) {
            out += fmt::format(":{}/{}", r.port, core::to_string(r.transport));
        }
        out += "</code></td><td>";
        append_escaped(out, r.product.empty() ? std::string("—") : r.product + " " + r.version);
        out += "</td><td>";
        append_escaped(out, r.evidence);
        out += "</td><td>";
        append_escaped(out, scan_advice(r));
        out += "</td></tr>";
    }
    out += "</tbody></table></div>";
    if (sorted.size() > kMaxVulns) {
        out += fmt::format("<p class=\"note\">{} less severe results are not shown.</p>",
                           sorted.size() - kMaxVulns);
    }
    out += "</section>";
}

void render_change(std::string& out, const ReportInput& input) {
    if (!input.change) {
        return;
    }
    const auto& c = *input.change;
    out += R"(<section id="change" aria-labelledby="change-h"><h2 id="change-h">)"
           "Change since the last period</h2>";
    out += "<p>This period compared with the one just before it, of the same length.</p>";
    out += R"(<div class="table-wrap"><table><thead><tr><th scope="col">Measure</th>)"
           R"(<th scope="col" class="num">Before</th><th scope="col" class="num">Now</th>)"
           R"(<th scope="col">Change</th></tr></thead><tbody>)";
    change_row(out, "Events", input.summary.events, c.events_before);
    change_row(out, "Blocked", input.summary.blocked, c.blocked_before);
    change_row(out, "Findings", c.findings_now, c.findings_before);
    out += "</tbody></table></div>";
    out += R"(<div class="table-wrap"><table><thead><tr><th scope="col">Among the top</th>)"
           R"(<th scope="col">New this period</th><th scope="col">Gone since last period</th>)"
           R"(</tr></thead><tbody>)";
    keys_row(out, "Sources", c.new_sources, c.gone_sources);
    keys_row(out, "Ports", c.new_ports, c.gone_ports);
    keys_row(out, "Kinds of finding", c.new_kinds, c.gone_kinds);
    out += "</tbody></table></div></section>";
}

}  // namespace cyberalarm::report::internal
