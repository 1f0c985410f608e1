#include "report/svg.h"

#include <gtest/gtest.h>

#include "report/html.h"

namespace cyberalarm::report {
namespace {

TEST(Html, EscapesMarkupQuotesAndControls) {
    EXPECT_EQ(html_escape(R"(<script>alert("x" & 'y')</script>)"),
              "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
    EXPECT_EQ(html_escape(std::string_view("a\0b\x1b", 4)),
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD");
    EXPECT_EQ(html_escape("caf\xC3\xA9"), "caf\xC3\xA9");            // valid UTF-8 kept
    EXPECT_EQ(html_escape("\xC3"), "\xEF\xBF\xBD");                  // truncated sequence
    EXPECT_EQ(html_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    EXPECT_EQ(html_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(Html, NumbersAndTimes) {
    EXPECT_EQ(group_digits(0), "0");
    EXPECT_EQ(group_digits(999), "999");
    EXPECT_EQ(group_digits(1234567), "1,234,567");
    EXPECT_EQ(format_percent(0, 0), "0%");
    EXPECT_EQ(format_percent(1, 3), "33%");
    EXPECT_EQ(format_percent(1, 20), "5.0%");
    EXPECT_EQ(format_percent(1, 100000), "<0.1%");
    EXPECT_EQ(format_percent(99999, 100000), ">99.9%");
    EXPECT_EQ(format_utc(std::int64_t{1717372800} * 1'000'000'000), "2024-06-03 00:00 UTC");
    EXPECT_EQ(format_utc(0), "unknown");
    EXPECT_EQ(describe_duration(std::int64_t{3600} * 1'000'000'000), "1 hour");
    EXPECT_EQ(describe_duration(std::int64_t{450} * 1'000'000'000), "7.5 minutes");
    EXPECT_EQ(describe_duration(std::int64_t{4 * 3600} * 1'000'000'000), "4 hours");
}

TEST(Svg, AxisStepAndCompactNumbers) {
    EXPECT_EQ(svg::axis_step(0, 4), 1);
    EXPECT_EQ(svg::axis_step(7, 4), 2);
    EXPECT_EQ(svg::axis_step(1800, 4), 500);
    EXPECT_EQ(svg::compact_number(950), "950");
    EXPECT_EQ(svg::compact_number(1234), "1.2k");
    EXPECT_EQ(svg::compact_number(56000), "56k");
    EXPECT_EQ(svg::compact_number(3'400'000), "3.4M");
}

TEST(Svg, BarChartIsAccessibleAndEscapesLabels) {
    std::vector<svg::Bar> bars{{"<b>&\"", 10, "", ""}, {"ok", 5, "5 things", "#000"}};
    svg::BarChartOptions options;
    options.label = "Chart <1>";
    auto out = svg::bar_chart(bars, options);
    EXPECT_EQ(out.rfind("<svg viewBox=", 0), 0u);
    EXPECT_NE(out.find(R"(role="img" aria-label="Chart &lt;1&gt;")"), std::string::npos);
    EXPECT_NE(out.find("<title>Chart &lt;1&gt;</title>"), std::string::npos);
    EXPECT_NE(out.find("&lt;b&gt;&amp;&quot;"), std::string::npos);
    EXPECT_EQ(out.find("<b>"), std::string::npos);
    EXPECT_NE(out.find("5 things"), std::string::npos);
    EXPECT_EQ(out.substr(out.size() - 6), "</svg>");
    EXPECT_NE(svg::bar_chart({}, options).find("Nothing to show"), std::string::npos);
}

TEST(Svg, LineChartDrawsSeriesTicksAndLegend) {
    std::vector<svg::Series> series{{"All", {1, 5, 3}, "#111", "#eee"},
                                    {"Blocked", {0, 4, 2}, "#222", ""}};
    svg::LineChartOptions options;
    options.label = "Timeline";
    options.x_ticks = {{0, "Mon"}, {1.5, "noon"}, {99, "off the chart"}};
    options.y_caption = "per hour";
    auto out = svg::line_chart(series, options);
    EXPECT_NE(out.find("<polygon"), std::string::npos);        // area of the first series
    EXPECT_NE(out.find("<polyline"), out.rfind("<polyline"));  // one line per series
    EXPECT_NE(out.find(">Mon<"), std::string::npos);
    EXPECT_NE(out.find(">noon<"), std::string::npos);
    EXPECT_EQ(out.find("off the chart"), std::string::npos);
    EXPECT_NE(out.find(">Blocked<"), std::string::npos);
    EXPECT_NE(out.find(">per hour<"), std::string::npos);
    // One step still draws a line; no steps says so.
    std::vector<svg::Series> one{{"All", {3}, "#111", ""}};
    EXPECT_NE(svg::line_chart(one, options).find("<polyline"), std::string::npos);
    EXPECT_NE(svg::line_chart({}, options).find("Nothing to show"), std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::report
