// Small inline-SVG charts for reports: horizontal bar charts and line/area charts.
//
// Each function returns one <svg> element with role="img", an aria-label and a <title>, a
// viewBox and no fixed size, so it scales to its container (style it with CSS, e.g.
// `svg{width:100%;height:auto}`). No scripts, no external references, no xmlns (inline SVG
// in HTML5 needs none). Text is inherited from the page's font; every label is escaped.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace cyberalarm::report::svg {

struct Bar {
    std::string label;       // left of the bar; shortened with "…" if it does not fit
    double value = 0;        // >= 0
    std::string value_text;  // right of the bar; empty = value with digit grouping
    std::string color;       // CSS colour; empty = BarChartOptions::color
};

struct BarChartOptions {
    std::string label;      // accessible name (aria-label and <title>)
    int width = 860;        // viewBox width
    int label_width = 200;  // room for labels, in viewBox units
    int value_width = 90;   // room for the value text after the longest bar
    int bar_height = 22;
    int gap = 8;
    std::string color = "#1d4ed8";
};

// Horizontal bars, one row per entry, longest bar = largest value.
std::string bar_chart(std::span<const Bar> bars, const BarChartOptions& options);

struct Series {
    std::string name;            // in the legend
    std::vector<double> values;  // one per x step; series should have equal lengths
    std::string stroke;          // line colour
    std::string fill;            // area colour under the line; empty = no area
};

struct Tick {
    double at = 0;  // position in steps from the plot's left edge; step i's centre is i + 0.5
    std::string label;
};

struct LineChartOptions {
    std::string label;  // accessible name (aria-label and <title>)
    int width = 900;    // viewBox size
    int height = 300;
    std::vector<Tick> x_ticks;
    std::string y_caption;  // short text above the y axis ("events per hour")
};

// Lines (and areas) over equally spaced steps, y from 0 to a rounded maximum with
// gridlines; later series are drawn on top of earlier ones.
std::string line_chart(std::span<const Series> series, const LineChartOptions& options);

// A tick step of 1, 2 or 5 × 10^k so that about `ticks` steps cover max (at least 1).
double axis_step(double max, int ticks);
// 950 → "950", 1234 → "1.2k", 56000 → "56k", 3400000 → "3.4M".
std::string compact_number(double value);

}  // namespace cyberalarm::report::svg
