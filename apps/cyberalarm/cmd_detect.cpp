// `cyberalarm detect`: log files in, findings out as JSON lines.
#include <fmt/core.h>

#include <memory>

#include "commands.h"
#include "detect_setup.h"
#include "event_source.h"

namespace cyberalarm::app {

namespace {

struct DetectCommand {
    SourceOptions source;
    DetectOptions detect;
    bool stats = false;
};

int run_detect(const DetectCommand& opt) {
    Detection d = make_detection(opt.detect);
    if (!d.engine) {
        return 2;
    }
    SourceTotals totals;
    int rc = read_events(
        opt.source, [&](core::Event& e) { d.engine->observe(e); }, totals);
    if (rc != 0) {
        return rc;
    }
    for (const auto& f : d.engine->findings()) {
        fmt::print("{}\n", detect::to_json(f));
    }
    if (opt.stats) {
        print_stats(totals);
        const auto& s = d.engine->stats();
        fmt::print(stderr,
                   "detect: events={} findings={} late={} groups_expired={} groups_evicted={} "
                   "trusted_skipped={}\n",
                   s.events, s.findings, s.late, s.groups_expired, s.groups_evicted,
                   s.skipped_trusted);
    }
    return 0;
}

}  // namespace

Command add_detect_command(CLI::App& app) {
    auto opt = std::make_shared<DetectCommand>();
    auto* cmd = app.add_subcommand("detect",
                                   "Print findings (scans, brute force, floods, exposure, "
                                   "known-bad, beaconing, alerts) as JSON lines");
    add_source_options(*cmd, opt->source);
    add_detect_options(*cmd, opt->detect);
    cmd->add_flag("--stats", opt->stats, "Print parsing and detection counters on stderr");
    return [opt] { return run_detect(*opt); };
}

}  // namespace cyberalarm::app
