#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/html.h"

namespace cyberalarm::report::svg {
namespace {

constexpr const char* kTextColor = "#374151";
constexpr const char* kGridColor = "#e5e7eb";
constexpr double kCharWidth = 7.2;  // average glyph width at font-size 13, for fitting labels

std::string num(double v) {
    auto s = fmt::format("{:.1f}", v);
    if (s.ends_with(".0")) {
        s.resize(s.size() - 2);
    }
    return s;
}

void open_svg(std::string& out, int width, int height, const std::string& label) {
    out += fmt::format(R"(<svg viewBox="0 0 {} {}" role="img" aria-label=")", width, height);
    append_escaped(out, label);
    out += R"(" font-size="13"><title>)";
    append_escaped(out, label);
    out += "</title>";
}

// Cuts text to about `max_chars` code points, ending in "…" when cut (UTF-8 aware).
std::string fit(const std::string& text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
            continue;
        }
        if (++chars > max_chars) {
            return text.substr(0, i) + "\xE2\x80\xA6";
        }
    }
    return text;
}

}  // namespace

double axis_step(double max, int ticks) {
    double raw = std::max(max, 1.0) / std::max(ticks, 1);
    double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * magnitude >= raw) {
            return std::max(1.0, m * magnitude);
        }
    }
    return std::max(1.0, 10 * magnitude);
}

std::string compact_number(double value) {
    struct Scale {
        double factor;
        const char* suffix;
    };
    for (Scale s : {Scale{1e9, "G"}, Scale{1e6, "M"}, Scale{1e3, "k"}}) {
        if (std::fabs(value) >= s.factor) {
            double scaled = value / s.factor;
            return (std::fabs(scaled) < 10 ? num(scaled) : fmt::format("{:.0f}", scaled)) +
                   s.suffix;
        }
    }
    return num(value);
}

std::string bar_chart(std::span<const Bar> bars, const BarChartOptions& options) {
    const int row = options.bar_height + options.gap;
    const int height = std::max<int>(row, static_cast<int>(bars.size()) * row) + options.gap;
    std::string out;
    open_svg(out, options.width, height, options.label);
    if (bars.empty()) {
        out += fmt::format(R"(<text x="0" y="{}" fill="{}">Nothing to show</text></svg>)",
                           row / 2 + 5, kTextColor);
        return out;
    }
    double max = 0;
    for (const auto& b : bars) {
        max = std::max(max, b.value);
    }
    const double span = options.width - options.label_width - options.value_width;
    const auto label_chars = static_cast<std::size_t>((options.label_width - 10) / kCharWidth);
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double y = options.gap / 2.0 + static_cast<double>(i) * row;
        const double len = max > 0 ? std::max(b.value, 0.0) / max * span : 0;
        const double text_y = y + options.bar_height / 2.0 + 4.5;
        out += "<g><title>";
        append_escaped(out, b.label);
        out += ": ";
        append_escaped(out, b.value_text.empty()
                                ? group_digits(static_cast<std::uint64_t>(std::max(b.value, 0.0)))
                                : b.value_text);
        out += fmt::format(R"(</title><text x="{}" y="{}" text-anchor="end" fill="{}">)",
                           options.label_width - 8, num(text_y), kTextColor);
        append_escaped(out, fit(b.label, label_chars));
        out +=
            fmt::format(R"(</text><rect x="{}" y="{}" width="{}" height="{}" rx="3" fill=")",
                        options.label_width, num(y), num(std::max(len, 1.0)), options.bar_height);
        append_escaped(out, b.color.empty() ? options.color : b.color);
        out +=
            fmt::format(R"("/><text x="{}" y="{}" fill="{}">)",
                        num(options.label_width + std::max(len, 1.0) + 6), num(text_y), kTextColor);
        append_escaped(out, b.value_text.empty()
                                ? group_digits(static_cast<std::uint64_t>(std::max(b.value, 0.0)))
                                : b.value_text);
        out += "</text></g>";
    }
    out += "</svg>";
    return out;
}

namespace {

struct Plot {
    double left, top, width, height, y_max;
    std::size_t steps;
    [[nodiscard]] double x_at(double at) const {
        return left + at * width / static_cast<double>(steps);
    }
    [[nodiscard]] double x(std::size_t i) const { return x_at(static_cast<double>(i) + 0.5); }
    [[nodiscard]] double y(double v) const { return top + height - v / y_max * height; }
};

void draw_axes(std::string& out, const Plot& p, double step, const LineChartOptions& o) {
    for (double v = 0; v <= p.y_max + step / 2; v += step) {
        out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>)", num(p.left),
                           num(p.y(v)), num(p.left + p.width), num(p.y(v)), kGridColor);
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>)",
                           num(p.left - 6), num(p.y(v) + 4), kTextColor, compact_number(v));
    }
    for (const auto& t : o.x_ticks) {
        if (t.at < 0 || t.at > static_cast<double>(p.steps)) {
            continue;
        }
        double x = p.x_at(t.at);
        out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"/>)", num(x),
                           num(p.top + p.height), num(p.top + p.height + 5), kTextColor);
        const char* anchor = x < p.left + 40             ? "start"
                             : x > p.left + p.width - 40 ? "end"
                                                         : "middle";
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="{}" fill="{}">)", num(x),
                           num(p.top + p.height + 20), anchor, kTextColor);
        append_escaped(out, t.label);
        out += "</text>";
    }
    if (!o.y_caption.empty()) {
        out += fmt::format(R"(<text x="{}" y="{}" fill="{}">)", num(p.left), num(p.top - 10),
                           kTextColor);
        append_escaped(out, o.y_caption);
        out += "</text>";
    }
}

// Draws the area (area == true) or the line of one series.
void draw_series(std::string& out, const Plot& p, const Series& s, bool area) {
    if (s.values.empty() || (area && s.fill.empty())) {
        return;
    }
    // One step draws as a flat segment across the plot rather than a lone point.
    std::vector<std::pair<double, double>> pts;
    for (std::size_t i = 0; i < s.values.size() && i < p.steps; ++i) {
        pts.emplace_back(p.x(i), p.y(std::max(s.values[i], 0.0)));
    }
    if (pts.size() == 1) {
        pts = {{p.left, pts[0].second}, {p.left + p.width, pts[0].second}};
    }
    std::string line;
    for (const auto& [x, y] : pts) {
        line += fmt::format("{},{} ", num(x), num(y));
    }
    const double base = p.y(0);
    if (area) {
        out += fmt::format(R"(<polygon points="{},{} {}{},{}" fill=")", num(pts.front().first),
                           num(base), line, num(pts.back().first), num(base));
        append_escaped(out, s.fill);
        out += R"(" stroke="none"/>)";
        return;
    }
    out += fmt::format(R"(<polyline points="{}" fill="none" stroke-width="2" )"
                       R"(stroke-linejoin="round" stroke=")",
                       line);
    append_escaped(out, s.stroke);
    out += R"("/>)";
}

void draw_legend(std::string& out, std::span<const Series> series, const Plot& p) {
    double x = p.left + p.width;
    // Right-aligned: lay out from the right edge leftwards.
    for (auto it = series.rbegin(); it != series.rend(); ++it) {
        double w = 22 + static_cast<double>(it->name.size()) * kCharWidth;
        x -= w;
        out += fmt::format(R"(<rect x="{}" y="{}" width="12" height="12" rx="2" fill=")", num(x),
                           num(p.top - 22));
        append_escaped(out, it->stroke);
        out += fmt::format(R"("/><text x="{}" y="{}" fill="{}">)", num(x + 16), num(p.top - 11.5),
                           kTextColor);
        append_escaped(out, it->name);
        out += "</text>";
        x -= 12;
    }
}

}  // namespace

std::string line_chart(std::span<const Series> series, const LineChartOptions& options) {
    std::size_t steps = 0;
    double max = 0;
    for (const auto& s : series) {
        steps = std::max(steps, s.values.size());
        for (double v : s.values) {
            max = std::max(max, v);
        }
    }
    std::string out;
    open_svg(out, options.width, options.height, options.label);
    if (steps == 0) {
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" fill="{}">)"
                           R"(Nothing to show</text></svg>)",
                           options.width / 2, options.height / 2, kTextColor);
        return out;
    }
    const double step = axis_step(max, 4);
    Plot p{56,
           36,
           options.width - 56.0 - 12,
           options.height - 36.0 - 32,
           step * std::max(1.0, std::ceil(max / step)),
           steps};
    draw_axes(out, p, step, options);
    // Every area before any line, so no area hides another series' line.
    for (bool area : {true, false}) {
        for (const auto& s : series) {
            draw_series(out, p, s, area);
        }
    }
    draw_legend(out, series, p);
    out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}"/></svg>)",
                       num(p.left), num(p.y(0)), num(p.left + p.width), kTextColor);
    return out;
}

}  // namespace cyberalarm::report::svg
