// The analyst report as HTML (same frame and style as the member report) and as PDF. Both
// come from one list of sections (heading, explanation, table rows), so they say the same.
#include <fmt/format.h>

#include "report/analyst.h"
#include "report/html.h"
#include "report/internal/pdf_doc.h"
#include "report/internal/style.h"
#include "report/services.h"
#include "report/svg.h"

namespace cyberalarm::report {
namespace {

struct Table {
    std::vector<std::string> header;
    std::vector<double> widths;  // for the PDF
    std::vector<std::vector<std::string>> rows;
};

struct Section {
    std::string id;
    std::string heading;
    std::string text;
    Table table;
    std::string empty_text;  // said instead of the table when it has no rows
};

std::string port_label(std::uint16_t port) {
    auto svc = service_for(port, core::Transport::kTcp);
    return svc.name.empty() ? std::to_string(port) : fmt::format("{} {}", port, svc.name);
}

std::string change_text(std::uint64_t now, std::uint64_t before) {
    if (before == 0) {
        return "new";
    }
    return fmt::format("+{}%", (now - std::min(now, before)) * 100 / before);
}

std::string summary_text(const AnalystReport& r) {
    return fmt::format(
        "{} of the {} members under {} sent logs in this period: {} events in all ({} the period "
        "before), and detection raised {} findings. {} {} attacked two or more members. {} "
        "{} critical findings still open.",
        r.members_reporting, r.members, r.tenant, group_digits(r.events),
        group_digits(r.events_before), group_digits(r.findings), r.campaigns.size(),
        r.campaigns.size() == 1 ? "source" : "sources", r.contact.size(),
        r.contact.size() == 1 ? "member has" : "members have");
}

std::vector<Section> sections(const AnalystReport& r) {
    std::vector<Section> out;
    Section campaigns{"campaigns", "Sources attacking many members",
                      "Internet addresses among the busiest sources of two or more members: "
                      "likely one campaign or one scanner working through the area. Counted "
                      "from each member's busiest sources, so a source that was never among "
                      "any member's busiest is not here.",
                      {{"Source", "Members", "Events"}, {0.5, 0.25, 0.25}, {}},
                      "No source was among the busiest of more than one member."};
    for (const auto& c : r.campaigns) {
        campaigns.table.rows.push_back(
            {c.source, std::to_string(c.members), group_digits(c.events)});
    }
    out.push_back(std::move(campaigns));

    Section rising{"rising", "Ports and services rising or newly targeted",
                   "Ports targeted at least half again as often as in the period before, or "
                   "not at all before.",
                   {{"Port", "Events now", "Before", "Change", "Members"},
                    {0.3, 0.2, 0.2, 0.15, 0.15},
                    {}},
                   "No port rose noticeably."};
    for (const auto& p : r.rising) {
        rising.table.rows.push_back({port_label(p.port), group_digits(p.events_now),
                                     group_digits(p.events_before),
                                     change_text(p.events_now, p.events_before),
                                     std::to_string(p.members_now)});
    }
    out.push_back(std::move(rising));

    Section sectors{"sectors", "Most affected sectors", "High and critical findings by sector.",
                    {{"Sector", "Members", "Events", "Findings", "High or critical"},
                     {0.3, 0.15, 0.2, 0.15, 0.2},
                     {}},
                    "No members."};
    for (const auto& s : r.sectors) {
        sectors.table.rows.push_back({s.sector, std::to_string(s.members), group_digits(s.events),
                                      group_digits(s.findings), group_digits(s.serious)});
    }
    out.push_back(std::move(sectors));

    Section affected{"affected", "Most affected members",
                     r.names_shown ? "Members with the most high or critical findings."
                                   : "Members with the most high or critical findings, under "
                                     "stable pseudonyms (the same member keeps its pseudonym "
                                     "from one report to the next).",
                     {{"Member", "Force", "Sector", "Events", "High or critical"},
                      {0.25, 0.25, 0.2, 0.15, 0.15},
                      {}},
                     "No members."};
    for (const auto& m : r.most_affected) {
        affected.table.rows.push_back(
            {m.label, m.force, m.sector, group_digits(m.events), group_digits(m.serious)});
    }
    out.push_back(std::move(affected));

    Section contact{"contact", "Members to contact",
                    "Members with critical findings still open (not acknowledged or resolved), "
                    "whenever they were first seen.",
                    {{"Member", "Force", "Open critical", "Most severe"}, {0.25, 0.25, 0.15, 0.35}, {}},
                    "No member has an open critical finding."};
    for (const auto& m : r.contact) {
        contact.table.rows.push_back(
            {m.label, m.force, std::to_string(m.open_critical), m.worst});
    }
    out.push_back(std::move(contact));
    return out;
}

void html_table(std::string& out, const Table& t) {
    out += R"(<div class="table-wrap"><table><thead><tr>)";
    for (const auto& h : t.header) {
        out += R"(<th scope="col">)";
        append_escaped(out, h);
        out += "</th>";
    }
    out += "</tr></thead><tbody>";
    for (const auto& row : t.rows) {
        out += "<tr>";
        for (const auto& cell : row) {
            out += "<td>";
            append_escaped(out, cell);
            out += "</td>";
        }
        out += "</tr>";
    }
    out += "</tbody></table></div>";
}

std::string period(const AnalystReport& r) {
    return fmt::format("{} · {} to {} · Written {}", r.tenant, format_utc(r.from_ns),
                       format_utc(r.to_ns), format_utc(r.now_ns));
}

void kinds_html(std::string& out, const AnalystReport& r) {
    out += R"(<section id="kinds" aria-labelledby="kinds-h"><h2 id="kinds-h">Findings by kind )"
           R"(over time</h2>)";
    if (r.kinds.empty()) {
        out += "<p>No findings in this period.</p></section>";
        return;
    }
    static constexpr const char* kColors[] = {"#1e40af", "#b91c1c", "#0f766e", "#a16207",
                                              "#6d28d9", "#475569"};
    std::vector<svg::Series> series;
    for (std::size_t i = 0; i < r.kinds.size() && i < std::size(kColors); ++i) {
        svg::Series s{r.kinds[i].kind, {}, kColors[i], ""};
        for (auto n : r.kinds[i].counts) {
            s.values.push_back(static_cast<double>(n));
        }
        series.push_back(std::move(s));
    }
    svg::LineChartOptions options;
    options.label = fmt::format("Findings per {} by kind", describe_duration(r.kind_bucket_ns));
    options.y_caption = fmt::format("findings per {}", describe_duration(r.kind_bucket_ns));
    out += R"(<div class="chart">)" + svg::line_chart(series, options) + "</div>";
    Table t{{"Kind", "Findings"}, {}, {}};
    for (const auto& k : r.kinds) {
        t.rows.push_back({k.kind, group_digits(k.total)});
    }
    html_table(out, t);
    out += "</section>";
}

}  // namespace

std::string render_analyst_html(const AnalystReport& r) {
    std::string out;
    out +=
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"referrer\" content=\"no-referrer\"><title>";
    append_escaped(out, r.title + " — " + r.tenant);
    out += "</title><style>";
    out += internal::kStyle;
    out += "</style></head><body>";
    out += R"(<header class="top"><div class="wrap"><p class="brand">cyberalarm</p><h1>)";
    append_escaped(out, r.title);
    out += R"(</h1><p class="meta">)";
    append_escaped(out, period(r));
    out += R"(</p></div></header><main class="wrap">)";
    out += R"(<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>)"
           R"(<p class="lead">)";
    append_escaped(out, summary_text(r));
    out += "</p></section>";
    for (const auto& s : sections(r)) {
        out += fmt::format(R"(<section id="{0}" aria-labelledby="{0}-h"><h2 id="{0}-h">)", s.id);
        append_escaped(out, s.heading);
        out += "</h2><p>";
        append_escaped(out, s.text);
        out += "</p>";
        if (s.table.rows.empty()) {
            out += "<p>";
            append_escaped(out, s.empty_text);
            out += "</p>";
        } else {
            html_table(out, s.table);
        }
        out += "</section>";
        if (s.id == "sectors") {
            kinds_html(out, r);
        }
    }
    out += "</main><footer class=\"wrap\"><p>Made by cyberalarm for police cyber teams. Member "
           "internals are left out; ";
    out += r.names_shown ? "member names are shown because your role may see them."
                         : "members appear under pseudonyms except where your force must "
                           "contact them.";
    out += "</p></footer></body></html>\n";
    return out;
}

core::Result<std::string> render_analyst_pdf(const AnalystReport& r) {
    auto doc = internal::PdfDoc::create(r.title);
    if (!doc) {
        return core::fail(std::move(doc.error()));
    }
    auto& d = **doc;
    d.banner(r.title, period(r));
    d.heading("Summary");
    d.paragraph(summary_text(r));
    for (const auto& s : sections(r)) {
        d.heading(s.heading);
        d.paragraph(s.text);
        if (s.table.rows.empty()) {
            d.paragraph(s.empty_text);
        } else {
            d.table(s.table.header, s.table.rows, s.table.widths);
        }
        if (s.id == "sectors") {
            d.heading("Findings by kind over time");
            std::vector<internal::PdfBar> bars;
            for (const auto& k : r.kinds) {
                bars.push_back({k.kind, static_cast<double>(k.total), "", 0x1e40af});
            }
            if (bars.empty()) {
                d.paragraph("No findings in this period.");
            }
            d.bar_chart(bars);
            for (const auto& k : r.kinds) {
                std::string per;
                for (auto n : k.counts) {
                    per += (per.empty() ? "" : " · ") + std::to_string(n);
                }
                d.note(fmt::format("{} per {}: {}", k.kind, describe_duration(r.kind_bucket_ns),
                                   per));
            }
        }
    }
    return d.finish();
}

}  // namespace cyberalarm::report
