// The finding-led sections: the plain summary, "what to do first" and the findings list.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "report/html.h"
#include "report/internal/sections.h"
#include "report/services.h"
#include "report/svg.h"

namespace cyberalarm::report::internal {
namespace {

constexpr std::size_t kMaxShown = 100;    // findings drawn in full
constexpr std::size_t kMaxAddresses = 5;  // addresses listed per finding

constexpr std::array kSeverities{core::Severity::kCritical, core::Severity::kHigh,
                                 core::Severity::kMedium,   core::Severity::kLow,
                                 core::Severity::kInfo,     core::Severity::kUnknown};

bool urgent(const detect::Finding& f) {
    return f.severity >= core::Severity::kMedium;
}

// Used when detection gave no advice of its own.
std::string_view default_advice(detect::FindingKind kind) {
    switch (kind) {
        case detect::FindingKind::kPortScan:
        case detect::FindingKind::kHostSweep:
            return "Usually automated; make sure only the services you mean to offer are open.";
        case detect::FindingKind::kBruteForce:
            return "Make sure the targeted service uses strong passwords and multi-factor "
                   "authentication, or is reachable only over your VPN.";
        case detect::FindingKind::kFlood:
            return "If your connection slowed down, ask your internet provider about flood "
                   "protection.";
        case detect::FindingKind::kExposure:
            return "Close the port on your firewall, or allow it only from the addresses "
                   "that need it.";
        case detect::FindingKind::kKnownBad:
        case detect::FindingKind::kBeaconing:
            return "Find the device inside your network that made these connections and have "
                   "it checked for malware.";
        case detect::FindingKind::kIdsAlert:
        case detect::FindingKind::kAvAlert:
            return "Check the device the alerts name and make sure its software is up to date.";
        case detect::FindingKind::kSpam:
            return "Remind staff not to open unexpected attachments or links.";
    }
    return "Ask your IT support to look into it.";
}

}  // namespace

std::string_view advice_of(const detect::Finding& f) {
    return f.advice.empty() ? default_advice(f.kind) : std::string_view(f.advice);
}

std::string severity_counts(SortedFindings findings) {
    std::vector<std::string> parts;
    for (auto sev : kSeverities) {
        auto n = std::count_if(findings.begin(), findings.end(),
                               [sev](const auto* f) { return f->severity == sev; });
        if (n > 0) {
            std::string label(severity_label(sev));
            label[0] = static_cast<char>(label[0] - 'A' + 'a');
            parts.push_back(fmt::format("{} {}", n, label));
        }
    }
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        out += i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ";
        out += parts[i];
    }
    return out;
}

namespace {

void append_addresses(std::string& out, const std::vector<core::IpAddress>& ips,
                      std::uint64_t distinct) {
    if (ips.empty()) {
        out +=
            fmt::format("{} {}", group_digits(distinct), distinct == 1 ? "address" : "addresses");
        return;
    }
    std::size_t shown = std::min(ips.size(), kMaxAddresses);
    for (std::size_t i = 0; i < shown; ++i) {
        out += i == 0 ? "" : ", ";
        append_escaped(out, ips[i].to_string());
    }
    auto total = std::max<std::uint64_t>(distinct, ips.size());
    if (total > shown) {
        out += fmt::format(" and {} more", group_digits(total - shown));
    }
}

void append_ports(std::string& out, const detect::Finding& f) {
    std::size_t shown = std::min<std::size_t>(f.ports.size(), 8);
    for (std::size_t i = 0; i < shown; ++i) {
        out += i == 0 ? "" : ", ";
        auto service = service_for(f.ports[i], f.transport);
        out += std::to_string(f.ports[i]);
        if (!service.name.empty()) {
            out += ' ';
            append_escaped(out, service.name);
        }
    }
    auto total = std::max<std::uint64_t>(f.distinct_ports, f.ports.size());
    if (total > shown) {
        out += fmt::format(" and {} more", group_digits(total - shown));
    }
}

void fact(std::string& out, std::string_view term, const std::string& html) {
    out += "<div><dt>";
    out += term;
    out += "</dt><dd>";
    out += html;
    out += "</dd></div>";
}

void render_one(std::string& out, const detect::Finding& f) {
    auto cls = severity_class(f.severity);
    out += fmt::format(R"(<article class="finding b-{0}"><h3><span class="sev sev-{0}">{1}</span>)",
                       cls, severity_label(f.severity));
    append_escaped(out, f.title.empty() ? kind_label(f.kind) : std::string_view(f.title));
    out += "</h3><p class=\"kind\">";
    out += kind_label(f.kind);
    if (!f.rule.empty()) {
        out += " · detected by <code>";
        append_escaped(out, f.rule);
        out += "</code>";
    }
    out += "</p><p class=\"advice\"><strong>What to do:</strong> ";
    append_escaped(out, advice_of(f));
    out += "</p><dl class=\"facts\">";
    fact(out, "Events", group_digits(f.count));
    if (!f.sources.empty() || f.distinct_sources > 0) {
        std::string s;
        append_addresses(s, f.sources, f.distinct_sources);
        fact(out, "From", s);
    }
    if (!f.targets.empty() || f.distinct_targets > 0) {
        std::string s;
        append_addresses(s, f.targets, f.distinct_targets);
        // Beaconing and outbound known-bad traffic go to outside addresses; everything else
        // is aimed at the member.
        bool outside = f.kind == detect::FindingKind::kBeaconing ||
                       (f.kind == detect::FindingKind::kKnownBad && !f.evidence.empty() &&
                        f.evidence.front().direction == core::Direction::kOutbound);
        fact(out, outside ? "Outside addresses contacted" : "Your addresses involved", s);
    }
    if (!f.ports.empty()) {
        std::string s;
        append_ports(s, f);
        fact(out,
             f.transport == core::Transport::kUnknown
                 ? "Ports"
                 : fmt::format("Ports ({})", core::to_string(f.transport)),
             s);
    }
    if (!f.signature_name.empty() || !f.signature_id.empty()) {
        fact(out, "Signature",
             html_escape(f.signature_name.empty() ? f.signature_id : f.signature_name));
    }
    if (!f.intel_source.empty()) {
        fact(out, "Reported by",
             html_escape(f.intel_source) + fmt::format(" (confidence {}%)", f.intel_confidence));
    }
    fact(out, "First seen", format_utc(f.first_seen_ns));
    fact(out, "Last seen", format_utc(f.last_seen_ns));
    out += "</dl></article>";
}

}  // namespace

std::vector<const detect::Finding*> sort_by_severity(const std::vector<detect::Finding>& all) {
    std::vector<const detect::Finding*> sorted;
    sorted.reserve(all.size());
    for (const auto& f : all) {
        sorted.push_back(&f);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
        if (a->severity != b->severity) {
            return a->severity > b->severity;
        }
        if (a->count != b->count) {
            return a->count > b->count;
        }
        return a->last_seen_ns > b->last_seen_ns;
    });
    return sorted;
}

void render_summary(std::string& out, const ReportInput& input, SortedFindings findings) {
    const auto& s = input.summary;
    out += R"(<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>)";
    out += R"(<p class="lead">)";
    if (s.events == 0) {
        out += "cyberalarm received no log events from your internet gateway for this period";
        out += findings.empty() ? ", and found nothing to report. If your firewall should "
                                  "have been sending logs, check that it still is: a quiet "
                                  "report can also mean that logging has stopped."
                                : ". ";
    } else {
        out += fmt::format(
            "Between {} and {}, cyberalarm looked at {} events from your internet gateway’s "
            "logs (addresses and ports only, never the content of your traffic). Your "
            "firewall blocked {} of them ({})",
            format_utc(s.first_ns), format_utc(s.last_ns), group_digits(s.events),
            group_digits(s.blocked), format_percent(s.blocked, s.events));
        out += s.alerts > 0 && s.alerts_counted ? fmt::format(" and your security systems raised {} alerts. ",
                                          group_digits(s.alerts))
                            : ". ";
        if (s.blocked > 0) {
            out +=
                "Most blocked traffic is automated scanning of the whole internet; blocking "
                "it is your firewall doing its job. ";
        }
    }
    if (!findings.empty()) {
        const auto& top = *findings.front();
        out += fmt::format(
            "We found {} {} worth your attention ({}). The most important is: "
            "<strong>",
            findings.size(), findings.size() == 1 ? "thing" : "things", severity_counts(findings));
        append_escaped(out, top.title.empty() ? kind_label(top.kind) : std::string_view(top.title));
        out += "</strong>. ";
        out += urgent(top) ? "Start with the list under “What to do first” below."
                           : "Nothing is urgent; the details are below.";
    } else if (s.events > 0) {
        out += "We found nothing that needs your attention.";
    }
    out += html_escape(vulnerability_sentence(input));
    out += html_escape(change_sentence(input));
    out += "</p>";

    auto urgent_count = std::count_if(findings.begin(), findings.end(), [](const auto* f) {
        return f->severity >= core::Severity::kHigh;
    });
    out += R"(<div class="tiles">)";
    auto tile = [&out](const std::string& n, std::string_view label) {
        out += fmt::format(R"(<div class="tile"><span class="n">{}</span>)"
                           R"(<span class="l">{}</span></div>)",
                           n, label);
    };
    tile(group_digits(s.events), "events seen");
    tile(s.events == 0 ? "—" : format_percent(s.blocked, s.events), "blocked by your firewall");
    if (s.alerts_counted) {
        tile(group_digits(s.alerts), "security alerts");
    }
    if (input.scanner_section) {
        tile(group_digits(input.vulnerabilities.size()), "scanner results");
    }
    tile(fmt::format("{}", findings.size()), "findings");
    tile(fmt::format("{}", urgent_count), "high or critical");
    out += "</div></section>";
}

void render_first_steps(std::string& out, const ReportInput& input, SortedFindings findings) {
    const auto& s = input.summary;
    out +=
        R"(<section id="first" aria-labelledby="first-h"><h2 id="first-h">What to do first</h2>)";
    auto steps = first_steps(input, findings);
    if (steps.empty()) {
        out += "<p>Nothing here needs urgent action. ";
        out += s.events == 0 ? "Check that your firewall is still sending its logs to "
                               "cyberalarm, so that the next report can see your connection.</p>"
                             : "Keep up the basics: install updates promptly, use multi-factor "
                               "authentication for remote access and email, and keep a recent "
                               "backup offline.</p>";
        out += "</section>";
        return;
    }
    out += R"(<ol class="steps">)";
    for (const auto& step : steps) {
        out += fmt::format(R"(<li><span class="sev sev-{}">{}</span><strong>)",
                           severity_class(step.severity), severity_label(step.severity));
        append_escaped(out, step.title);
        out += "</strong>: ";
        append_escaped(out, step.advice);
        out += "</li>";
    }
    out += "</ol>";
    out += R"(<p class="note">If you have IT support, forward them this report; the )"
           R"(<a href="#findings">findings</a> below give the addresses and times they need.</p>)";
    out += "</section>";
}

void render_findings(std::string& out, SortedFindings findings) {
    out += R"(<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">)"
           "Findings</h2>";
    if (findings.empty()) {
        out +=
            "<p>Detection found no scans, password guessing, exposed services or other "
            "activity worth reporting in this period.</p></section>";
        return;
    }
    std::vector<svg::Bar> bars;
    for (auto sev : kSeverities) {
        auto n = std::count_if(findings.begin(), findings.end(),
                               [sev](const auto* f) { return f->severity == sev; });
        if (n > 0 || sev >= core::Severity::kLow) {
            bars.push_back({std::string(severity_label(sev)), static_cast<double>(n), "",
                            std::string(severity_color(sev))});
        }
    }
    svg::BarChartOptions options;
    options.label = fmt::format("Findings by severity: {}", severity_counts(findings));
    options.label_width = 110;
    out += R"(<div class="chart">)" + svg::bar_chart(bars, options) + "</div>";
    out +=
        "<p class=\"note\">Most severe first. Each finding groups many events from the same "
        "activity; times are UTC.</p>";
    for (std::size_t i = 0; i < findings.size() && i < kMaxShown; ++i) {
        render_one(out, *findings[i]);
    }
    if (findings.size() > kMaxShown) {
        out += fmt::format("<p class=\"note\">{} lower-severity findings are not shown here.</p>",
                           group_digits(findings.size() - kMaxShown));
    }
    out += "</section>";
}

}  // namespace cyberalarm::report::internal
