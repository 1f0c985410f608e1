// Reading log files into events, shared by `parse`, `detect` and `analyze`: one LineParser
// per file (year-less stamps read relative to the file's modification time), the first
// unparseable lines reported on stderr with file, line and reason, and totals kept.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/event.h"
#include "parse/line_parser.h"

namespace cyberalarm::app {

struct SourceOptions {
    std::string format = "auto";
    std::string tz = "UTC";
    std::string observer;
    std::vector<std::string> files;
    std::size_t max_line = parse::LineParser::kDefaultMaxLine;
    std::size_t max_errors_shown = 20;
};

// Registers --format, --tz, --observer, --max-line and the FILE arguments.
void add_source_options(CLI::App& cmd, SourceOptions& opt);

struct SourceTotals {
    parse::ParseStats stats;  // summed over files
    double seconds = 0;
};

// Calls `on_event` for every event of every file ("-" or none: stdin), in input order.
// Returns 2 (after printing why) if an option or a file is unusable, else 0.
int read_events(const SourceOptions& opt, const std::function<void(core::Event&)>& on_event,
                SourceTotals& totals);

// The `--stats` table on stderr.
void print_stats(const SourceTotals& totals);

}  // namespace cyberalarm::app
