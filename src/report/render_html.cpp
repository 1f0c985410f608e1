// render_html: the document frame and the traffic sections (activity, sources, ports).
#include <fmt/format.h>

#include <algorithm>

#include "core/time.h"
#include "report/html.h"
#include "report/internal/sections.h"
#include "report/internal/style.h"
#include "report/report.h"
#include "report/services.h"
#include "report/svg.h"

namespace cyberalarm::report {
namespace internal {
namespace {

constexpr std::int64_t kMinute = 60 * core::kNanosPerSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::size_t kMaxTicks = 7;

std::string tick_label(std::int64_t ns, std::int64_t interval, bool multi_day) {
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    auto t = core::ns_to_civil(ns);
    auto date = fmt::format("{} {} {}", kDays[(ns / kDay) % 7], t.day, kMonths[t.month - 1]);
    auto clock = fmt::format("{:02}:{:02}", t.hour, t.minute);
    if (interval >= kDay) {
        return date;
    }
    return multi_day && t.hour == 0 && t.minute == 0 ? date : clock;
}

// Ticks on round UTC times (every 5 minutes … every week), at most kMaxTicks of them.
std::vector<svg::Tick> time_ticks(const EventSummary& s) {
    static constexpr std::int64_t kIntervals[] = {
        kMinute,    5 * kMinute, 15 * kMinute, 30 * kMinute, kHour,     3 * kHour, 6 * kHour,
        12 * kHour, kDay,        2 * kDay,     7 * kDay,     14 * kDay, 28 * kDay};
    const auto steps = static_cast<std::int64_t>(s.timeline_total.size());
    const std::int64_t start = s.timeline_start_ns;
    const std::int64_t end = start + steps * s.bucket_ns;
    std::int64_t interval = kIntervals[std::size(kIntervals) - 1];
    for (auto candidate : kIntervals) {
        if ((end - start) / candidate < static_cast<std::int64_t>(kMaxTicks)) {
            interval = candidate;
            break;
        }
    }
    const bool multi_day = end - start > kDay;
    std::vector<svg::Tick> ticks;
    for (std::int64_t t = (start + interval - 1) / interval * interval; t <= end; t += interval) {
        double at = static_cast<double>(t - start) / static_cast<double>(s.bucket_ns);
        ticks.push_back({at, tick_label(t, interval, multi_day)});
    }
    return ticks;
}

void open_section(std::string& out, std::string_view id, std::string_view heading) {
    out += fmt::format(R"(<section id="{0}" aria-labelledby="{0}-h"><h2 id="{0}-h">{1}</h2>)", id,
                       heading);
}

void approximate_note(std::string& out, const EventSummary& s) {
    if (s.top_approximate) {
        out += fmt::format(
            "<p class=\"note\">There were too many different addresses or ports to count each "
            "one exactly, so these counts are estimates: each may be up to {} lower than the "
            "true number. The order of the busiest is reliable.</p>",
            group_digits(s.top_error));
    }
}

}  // namespace

void render_activity(std::string& out, const EventSummary& s) {
    open_section(out, "activity", "Activity over time");
    if (s.timeline_total.empty()) {
        out += "<p>No events with a time were seen in this period.</p></section>";
        return;
    }
    // A summary from the store has no blocked count per bucket: then one line only.
    const bool with_blocked = s.timeline_blocked.size() == s.timeline_total.size();
    std::vector<svg::Series> series(with_blocked ? 2 : 1);
    series[0] = {"All events", {}, "#1e40af", "#dbeafe"};
    if (with_blocked) {
        series[1] = {"Blocked", {}, "#0f766e", "#bdeee4"};
    }
    std::size_t peak = 0;
    for (std::size_t i = 0; i < s.timeline_total.size(); ++i) {
        series[0].values.push_back(static_cast<double>(s.timeline_total[i]));
        if (with_blocked) {
            series[1].values.push_back(static_cast<double>(s.timeline_blocked[i]));
        }
        if (s.timeline_total[i] > s.timeline_total[peak]) {
            peak = i;
        }
    }
    auto width = describe_duration(s.bucket_ns);
    auto per = width.starts_with("1 ") ? width.substr(2) : width;
    auto peak_ns = s.timeline_start_ns + static_cast<std::int64_t>(peak) * s.bucket_ns;
    auto peak_text = fmt::format("The busiest {} began {}, with {} events", per,
                                 format_utc(peak_ns), group_digits(s.timeline_total[peak]));
    peak_text += with_blocked
                     ? fmt::format(" ({} blocked).", group_digits(s.timeline_blocked[peak]))
                     : std::string(".");
    svg::LineChartOptions options;
    options.label = fmt::format("Events and blocked events per {}, from {} to {}. {}", per,
                                format_utc(s.first_ns), format_utc(s.last_ns), peak_text);
    options.x_ticks = time_ticks(s);
    options.y_caption = fmt::format("events per {} (UTC)", per);
    out +=
        "<p>How many events your gateway logged, and how many of them it blocked. A "
        "sudden peak usually means a scan or a burst of password guessing.</p>";
    out += R"(<div class="chart">)" + svg::line_chart(series, options) + "</div>";
    out += "<p class=\"note\">" + peak_text + "</p></section>";
}

void render_sources(std::string& out, const ReportInput& input) {
    const auto& s = input.summary;
    const bool origin = !input.source_origin.empty();
    open_section(out, "sources", "Top attacking sources");
    if (s.top_sources.empty()) {
        out += "<p>No traffic from the internet was seen in this period.</p></section>";
        return;
    }
    out +=
        "<p>The internet addresses that sent the most traffic to you. Nearly all are "
        "automated scanners that probe every connection; blocking single addresses rarely "
        "helps, while closing what should not be open does.</p>";
    std::vector<svg::Bar> bars;
    for (const auto& c : s.top_sources) {
        bars.push_back({c.key, static_cast<double>(c.count), "", ""});
    }
    svg::BarChartOptions options;
    options.label = "Events from the busiest internet sources";
    out += R"(<div class="chart">)" + svg::bar_chart(bars, options) + "</div>";
    out += R"(<div class="table-wrap"><table><caption class="note">Busiest sources</caption>)"
           R"(<thead><tr><th scope="col">Address</th>)";
    out += origin ? R"(<th scope="col">Country and network</th>)" : "";
    out += R"(<th scope="col" class="num">Events</th>)"
           R"(<th scope="col" class="num">Share of all events</th></tr></thead><tbody>)";
    for (const auto& c : s.top_sources) {
        out += "<tr><td><code>";
        append_escaped(out, c.key);
        if (origin) {
            auto it = input.source_origin.find(c.key);
            out += "</code></td><td>";
            append_escaped(out, it == input.source_origin.end() ? "unknown" : it->second);
            out += "<code>";
        }
        out += fmt::format(R"(</code></td><td class="num">{}</td><td class="num">{}</td></tr>)",
                           group_digits(c.count), format_percent(c.count, s.events));
    }
    out += "</tbody></table></div>";
    approximate_note(out, s);
    out += "</section>";
}

void render_ports(std::string& out, const EventSummary& s) {
    open_section(out, "ports", "Top targeted ports and services");
    if (s.top_ports.empty()) {
        out += "<p>No ports were targeted from the internet in this period.</p></section>";
        return;
    }
    out +=
        "<p>The services that internet traffic tried to reach. Attempts on a service you "
        "do not offer are harmless when blocked; a service that should be private but is "
        "reachable is worth closing.</p>";
    std::vector<svg::Bar> bars;
    for (const auto& c : s.top_ports) {
        auto service = service_for_key(c.key);
        std::string label = c.key;
        if (!service.name.empty()) {
            label += fmt::format(" {}", service.name);
        }
        bars.push_back({label, static_cast<double>(c.count), "", "#0f766e"});
    }
    svg::BarChartOptions options;
    options.label = "Events per targeted port";
    options.label_width = 230;
    out += R"(<div class="chart">)" + svg::bar_chart(bars, options) + "</div>";
    out += R"(<div class="table-wrap"><table><caption class="note">Most targeted ports)"
           R"(</caption><thead><tr><th scope="col">Port</th><th scope="col">Service</th>)"
           R"(<th scope="col" class="num">Events</th><th scope="col">What it is</th></tr>)"
           R"(</thead><tbody>)";
    for (const auto& c : s.top_ports) {
        auto service = service_for_key(c.key);
        out += "<tr><td><code>";
        append_escaped(out, c.key);
        out += "</code></td><td>";
        append_escaped(out, service.name.empty() ? "—" : service.name);
        out += fmt::format(R"(</td><td class="num">{}</td><td>)", group_digits(c.count));
        append_escaped(out, service.note);
        out += "</td></tr>";
    }
    out += "</tbody></table></div>";
    approximate_note(out, s);
    out += "</section>";
}

void render_about(std::string& out, const EventSummary& s) {
    open_section(out, "about", "About this report");
    out +=
        "<p>cyberalarm reads the metadata your gateway logs — addresses, ports, times and "
        "whether traffic was allowed or blocked — never the content of your traffic. All "
        "times are UTC.</p>";
    if (s.events == 0) {
        out += "</section>";
        return;
    }
    out += R"(<div class="table-wrap"><table><caption class="note">Where the events came )"
           R"(from</caption><thead><tr><th scope="col">Kind of log</th>)"
           R"(<th scope="col" class="num">Events</th></tr></thead><tbody>)";
    auto rows = [&out](const std::map<std::string, std::uint64_t>& m, std::string_view prefix) {
        for (const auto& [name, n] : m) {
            out += "<tr><td>";
            out += prefix;
            append_escaped(out, name);
            out += fmt::format(R"(</td><td class="num">{}</td></tr>)", group_digits(n));
        }
    };
    rows(s.by_category, "");
    rows(s.by_format, "read as ");
    out += fmt::format(
        "</tbody></table></div><p class=\"note\">Allowed: {}. Blocked: {}. Other or not "
        "stated: {}.</p></section>",
        group_digits(s.allowed), group_digits(s.blocked),
        group_digits(s.events - std::min(s.events, s.allowed + s.blocked)));
}

}  // namespace internal

namespace {

void render_header(std::string& out, const ReportInput& input) {
    out += R"(<header class="top"><div class="wrap"><p class="brand">cyberalarm</p><h1>)";
    append_escaped(out, input.title);
    out += R"(</h1><p class="meta">)";
    if (!input.member.empty()) {
        out += "For ";
        append_escaped(out, input.member);
        out += " · ";
    }
    const auto& s = input.summary;
    if (input.period_to_ns > 0) {
        out += fmt::format("{} to {}", format_utc(input.period_from_ns),
                           format_utc(input.period_to_ns));
    } else if (s.first_ns > 0) {
        out += fmt::format("{} to {}", format_utc(s.first_ns), format_utc(s.last_ns));
    } else {
        out += "No events in this period";
    }
    if (input.generated_ns > 0) {
        out += fmt::format(" · Written {}", format_utc(input.generated_ns));
    }
    out += R"(</p><nav class="toc" aria-label="Contents"><a href="#summary">Summary</a>)"
           R"(<a href="#first">What to do first</a><a href="#findings">Findings</a>)"
           R"(<a href="#activity">Activity</a><a href="#sources">Sources</a>)"
           R"(<a href="#ports">Ports</a>)";
    if (input.scanner_section) {
        out += R"(<a href="#vulns">Vulnerabilities</a>)";
    }
    if (input.change) {
        out += R"(<a href="#change">Change</a>)";
    }
    out += R"(<a href="#about">About</a></nav></div></header>)";
}

}  // namespace

std::string render_html(const ReportInput& input) {
    const auto sorted = internal::sort_by_severity(input.findings);
    const auto& s = input.summary;
    std::string out;
    out.reserve(64 * 1024);
    // The CSP is a second line of defence: even if something slipped past escaping, the
    // browser would load and run nothing.
    out +=
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"referrer\" content=\"no-referrer\"><title>";
    append_escaped(out, input.title);
    if (!input.member.empty()) {
        out += " — ";
        append_escaped(out, input.member);
    }
    out += "</title><style>";
    out += internal::kStyle;
    out += "</style></head><body>";
    render_header(out, input);
    out += R"(<main class="wrap">)";
    internal::render_summary(out, input, sorted);
    internal::render_first_steps(out, input, sorted);
    internal::render_findings(out, sorted);
    internal::render_vulnerabilities(out, input);
    internal::render_activity(out, s);
    internal::render_sources(out, input);
    internal::render_ports(out, s);
    internal::render_change(out, input);
    internal::render_about(out, s);
    out += "</main><footer class=\"wrap\"><p>Made by cyberalarm. This report is for ";
    append_escaped(out, input.member.empty() ? std::string_view("you") : input.member);
    out +=
        " only: it describes your connection, so please share it only with the people "
        "who look after your IT.</p></footer></body></html>\n";
    return out;
}

}  // namespace cyberalarm::report
