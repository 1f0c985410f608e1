// `cyberalarm analyze`: `detect`, plus a self-contained HTML report of the period.
#include <fmt/core.h>

#include <chrono>
#include <fstream>
#include <memory>

#include "commands.h"
#include "detect_setup.h"
#include "event_source.h"
#include "report/report.h"

namespace cyberalarm::app {

namespace {

struct AnalyzeCommand {
    SourceOptions source;
    DetectOptions detect;
    std::string report_path;
    std::string title = "Internet activity report";
    bool stats = false;
};

int run_analyze(const AnalyzeCommand& opt) {
    Detection d = make_detection(opt.detect);
    if (!d.engine) {
        return 2;
    }
    report::SummaryBuilder summary;
    SourceTotals totals;
    int rc = read_events(
        opt.source,
        [&](core::Event& e) {
            d.engine->observe(e);  // classifies direction, which the summary uses
            summary.add(e);
        },
        totals);
    if (rc != 0) {
        return rc;
    }
    report::ReportInput input;
    input.title = opt.title;
    input.member = opt.detect.member;
    input.generated_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    input.summary = summary.finish();
    input.findings = d.engine->findings();
    for (const auto& f : input.findings) {
        fmt::print("{}\n", detect::to_json(f));
    }
    std::ofstream out(opt.report_path, std::ios::binary | std::ios::trunc);
    out << report::render_html(input);
    out.close();
    if (!out) {
        fmt::print(stderr, "cyberalarm analyze: cannot write '{}'\n", opt.report_path);
        return 2;
    }
    fmt::print(stderr, "analyze: {} events, {} findings; report written to {}\n",
               input.summary.events, input.findings.size(), opt.report_path);
    if (opt.stats) {
        print_stats(totals);
    }
    return 0;
}

}  // namespace

Command add_analyze_command(CLI::App& app) {
    auto opt = std::make_shared<AnalyzeCommand>();
    auto* cmd = app.add_subcommand("analyze", "Detect, and write a self-contained HTML report");
    add_source_options(*cmd, opt->source);
    add_detect_options(*cmd, opt->detect);
    cmd->add_option("--report", opt->report_path, "Where to write the HTML report")->required();
    cmd->add_option("--title", opt->title, "Report title")->capture_default_str();
    cmd->add_flag("--stats", opt->stats, "Print parsing counters on stderr");
    return [opt] { return run_analyze(*opt); };
}

}  // namespace cyberalarm::app
