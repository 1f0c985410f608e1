// render_pdf: the member report as PDF, the same sections as render_html in the same order.
#include <fmt/format.h>

#include "report/html.h"
#include "report/internal/pdf_doc.h"
#include "report/internal/sections.h"
#include "report/report.h"
#include "report/services.h"

namespace cyberalarm::report {
namespace {

using internal::PdfBar;
using internal::PdfDoc;

constexpr std::size_t kMaxFindingsPdf = 50;

unsigned severity_rgb(core::Severity s) {
    auto c = severity_color(s);  // "#rrggbb"
    return c.size() == 7 ? static_cast<unsigned>(std::stoul(std::string(c.substr(1)), nullptr, 16))
                         : 0x475569;
}

std::string period_text(const ReportInput& in) {
    const auto& s = in.summary;
    std::string out = in.member.empty() ? "" : "For " + in.member + " · ";
    if (in.period_to_ns > 0) {
        out += format_utc(in.period_from_ns) + " to " + format_utc(in.period_to_ns);
    } else if (s.first_ns > 0) {
        out += format_utc(s.first_ns) + " to " + format_utc(s.last_ns);
    } else {
        out += "No events in this period";
    }
    if (in.generated_ns > 0) {
        out += " · Written " + format_utc(in.generated_ns);
    }
    return out;
}

std::string summary_text(const ReportInput& in, internal::SortedFindings findings) {
    const auto& s = in.summary;
    std::string out;
    if (s.events == 0) {
        out = "cyberalarm received no log events from your internet gateway for this period. "
              "If your firewall should have been sending logs, check that it still is.";
    } else {
        out = fmt::format(
            "cyberalarm looked at {} events from your internet gateway’s logs (addresses and "
            "ports only, never the content of your traffic). Your firewall blocked {} of them "
            "({}).",
            group_digits(s.events), group_digits(s.blocked), format_percent(s.blocked, s.events));
    }
    if (!findings.empty()) {
        const auto& top = *findings.front();
        out += fmt::format(" We found {} {} worth your attention ({}). The most important is: {}.",
                           findings.size(), findings.size() == 1 ? "thing" : "things",
                           internal::severity_counts(findings),
                           top.title.empty() ? std::string(kind_label(top.kind)) : top.title);
    } else if (s.events > 0) {
        out += " We found nothing that needs your attention.";
    }
    return out + internal::vulnerability_sentence(in) + internal::change_sentence(in);
}

void findings_pdf(PdfDoc& doc, internal::SortedFindings findings) {
    doc.heading("Findings");
    if (findings.empty()) {
        doc.paragraph("Detection found no scans, password guessing, exposed services or other "
                      "activity worth reporting in this period.");
        return;
    }
    std::vector<PdfBar> bars;
    for (auto sev : {core::Severity::kCritical, core::Severity::kHigh, core::Severity::kMedium,
                     core::Severity::kLow, core::Severity::kInfo}) {
        auto n = std::count_if(findings.begin(), findings.end(),
                               [sev](const auto* f) { return f->severity == sev; });
        bars.push_back({std::string(severity_label(sev)), static_cast<double>(n), "",
                        severity_rgb(sev)});
    }
    doc.bar_chart(bars);
    for (std::size_t i = 0; i < findings.size() && i < kMaxFindingsPdf; ++i) {
        const auto& f = *findings[i];
        doc.paragraph(fmt::format("{} — {}", severity_label(f.severity),
                                  f.title.empty() ? std::string(kind_label(f.kind)) : f.title),
                      true);
        doc.paragraph("What to do: " + std::string(internal::advice_of(f)));
        doc.note(fmt::format("{} · {} events · first seen {} · last seen {}", kind_label(f.kind),
                             group_digits(f.count), format_utc(f.first_seen_ns),
                             format_utc(f.last_seen_ns)));
    }
    if (findings.size() > kMaxFindingsPdf) {
        doc.note(fmt::format("{} lower-severity findings are in the HTML report.",
                             findings.size() - kMaxFindingsPdf));
    }
}

void vulns_pdf(PdfDoc& doc, const ReportInput& in) {
    if (!in.scanner_section) {
        return;
    }
    doc.heading("Vulnerabilities from the scanner");
    if (in.vulnerabilities.empty()) {
        doc.paragraph("The scanner reported nothing about your verified websites and addresses "
                      "in this period.");
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : in.vulnerabilities) {
        rows.push_back({std::string(severity_label(r.severity)),
                        (r.title.empty() ? r.check : r.title) + (r.cve.empty() ? "" : " " + r.cve),
                        r.target + (r.port ? fmt::format(":{}", r.port) : ""),
                        r.product.empty() ? "—" : r.product + " " + r.version, r.evidence,
                        r.advice});
    }
    doc.table({"Severity", "What", "Where", "Software", "Evidence", "What to do"}, rows,
              {0.1, 0.2, 0.16, 0.14, 0.18, 0.22});
}

void traffic_pdf(PdfDoc& doc, const ReportInput& in) {
    const auto& s = in.summary;
    doc.heading("Activity over time");
    if (s.timeline_total.empty()) {
        doc.paragraph("No events with a time were seen in this period.");
    } else {
        std::vector<double> v(s.timeline_total.begin(), s.timeline_total.end());
        doc.paragraph(fmt::format("Events per {} (UTC).", describe_duration(s.bucket_ns)));
        auto end = s.timeline_start_ns +
                   static_cast<std::int64_t>(s.timeline_total.size()) * s.bucket_ns;
        doc.line_chart(v, format_utc(s.timeline_start_ns), format_utc(end));
    }
    doc.heading("Top attacking sources");
    if (s.top_sources.empty()) {
        doc.paragraph("No traffic from the internet was seen in this period.");
    } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : s.top_sources) {
            auto it = in.source_origin.find(c.key);
            std::vector<std::string> row{c.key};
            if (!in.source_origin.empty()) {
                row.push_back(it == in.source_origin.end() ? "unknown" : it->second);
            }
            row.push_back(group_digits(c.count));
            rows.push_back(std::move(row));
        }
        if (in.source_origin.empty()) {
            doc.table({"Address", "Events"}, rows, {0.7, 0.3});
        } else {
            doc.table({"Address", "Country and network", "Events"}, rows, {0.3, 0.5, 0.2});
        }
    }
    doc.heading("Top targeted ports and services");
    if (s.top_ports.empty()) {
        doc.paragraph("No ports were targeted from the internet in this period.");
    } else {
        std::vector<PdfBar> bars;
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : s.top_ports) {
            auto svc = service_for_key(c.key);
            bars.push_back({c.key + (svc.name.empty() ? "" : " " + std::string(svc.name)),
                            static_cast<double>(c.count), "", 0x0f766e});
            rows.push_back({c.key, svc.name.empty() ? "—" : std::string(svc.name),
                            group_digits(c.count), std::string(svc.note)});
        }
        doc.bar_chart(bars);
        doc.table({"Port", "Service", "Events", "What it is"}, rows, {0.1, 0.15, 0.15, 0.6});
    }
}

void change_pdf(PdfDoc& doc, const ReportInput& in) {
    if (!in.change) {
        return;
    }
    const auto& c = *in.change;
    doc.heading("Change since the last period");
    doc.table({"Measure", "Before", "Now"},
              {{"Events", group_digits(c.events_before), group_digits(in.summary.events)},
               {"Blocked", group_digits(c.blocked_before), group_digits(in.summary.blocked)},
               {"Findings", group_digits(c.findings_before), group_digits(c.findings_now)}},
              {0.4, 0.3, 0.3});
    auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) {
            out += (out.empty() ? "" : ", ") + s;
        }
        return out.empty() ? std::string("none") : out;
    };
    doc.table({"Among the top", "New this period", "Gone since last period"},
              {{"Sources", join(c.new_sources), join(c.gone_sources)},
               {"Ports", join(c.new_ports), join(c.gone_ports)},
               {"Kinds of finding", join(c.new_kinds), join(c.gone_kinds)}},
              {0.2, 0.4, 0.4});
}

}  // namespace

core::Result<std::string> render_pdf(const ReportInput& input) {
    auto doc = PdfDoc::create(input.title);
    if (!doc) {
        return core::fail(std::move(doc.error()));
    }
    auto& d = **doc;
    const auto sorted = internal::sort_by_severity(input.findings);
    d.banner(input.title, period_text(input));
    d.heading("Summary");
    d.paragraph(summary_text(input, sorted));
    d.heading("What to do first");
    auto steps = internal::first_steps(input, sorted);
    if (steps.empty()) {
        d.paragraph("Nothing here needs urgent action. Keep up the basics: install updates "
                    "promptly, use multi-factor authentication for remote access and email, and "
                    "keep a recent backup offline.");
    }
    int n = 0;
    for (const auto& step : steps) {
        d.bullet(fmt::format("[{}] {}: {}", severity_label(step.severity), step.title,
                             step.advice),
                 ++n);
    }
    findings_pdf(d, sorted);
    vulns_pdf(d, input);
    traffic_pdf(d, input);
    change_pdf(d, input);
    d.heading("About this report");
    d.paragraph("cyberalarm reads the metadata your gateway logs — addresses, ports, times and "
                "whether traffic was allowed or blocked — never the content of your traffic. "
                "All times are UTC. This report describes your connection: please share it only "
                "with the people who look after your IT.");
    return d.finish();
}

}  // namespace cyberalarm::report
