// `cyberalarm retention run|history`: the retention job. Deletes what is older than each data
// class may be kept (events, findings, scan results, reports, audit), and the store records
// every run and appends one audit record per class it deleted from. Run it daily from
// deploy/cyberalarm-retention.timer; `history` shows what earlier runs deleted.
#include <fmt/core.h>

#include <memory>

#include "admin.h"
#include "commands.h"

namespace cyberalarm::app {

namespace {

struct RetentionCommand {
    AdminOptions admin;
    store::RetentionPolicy policy;
    std::size_t limit = 20;
};

void print_run(const AdminOptions& o, const store::RetentionRun& r) {
    if (o.json) {
        fmt::print(
            "{{\"ran\":\"{}\",\"events\":{},\"findings\":{},\"scan_results\":{},\"reports\":{},"
            "\"audit\":{}}}\n",
            iso_time(r.ran_ns), r.events_deleted, r.findings_deleted, r.scan_results_deleted,
            r.reports_deleted, r.audit_deleted);
        return;
    }
    fmt::print("{}\tdeleted events={} findings={} scan_results={} reports={} audit={}\n",
               iso_time(r.ran_ns), r.events_deleted, r.findings_deleted, r.scan_results_deleted,
               r.reports_deleted, r.audit_deleted);
}

int retention_run(const RetentionCommand& c) {
    const auto& p = c.policy;
    for (const int days : {p.events_days, p.findings_days, p.scan_results_days, p.reports_days,
                           p.audit_days}) {
        if (days < 0 || days > 36500) {
            return fail_usage("retention days must be 0 (keep for good) to 36500");
        }
    }
    return with_admin_store(c.admin, [&](AdminStore& s) {
        auto run = s.store->run_retention(c.policy, now_ns());
        if (!run) {
            return report_error("retention run", run.error());
        }
        print_run(c.admin, *run);
        return 0;
    });
}

int retention_history(const RetentionCommand& c) {
    return with_admin_store(c.admin, [&](AdminStore& s) {
        return print_all("retention history", s.store->retention_history(c.limit),
                         [&](const store::RetentionRun& r) { print_run(c.admin, r); });
    });
}

}  // namespace

Command add_retention_command(CLI::App& app) {
    auto opt = std::make_shared<RetentionCommand>();
    auto chosen = std::make_shared<std::function<int()>>();
    auto* cmd = app.add_subcommand("retention", "Delete data past its retention, recorded");
    cmd->require_subcommand(1);
    auto* run = admin_leaf(*cmd, "run", "Run the retention job once", chosen, opt,
                           &retention_run);
    auto& p = opt->policy;
    run->add_option("--events-days", p.events_days, "Keep events this long (0: for good)")
        ->capture_default_str();
    run->add_option("--findings-days", p.findings_days, "Keep findings this long")
        ->capture_default_str();
    run->add_option("--scan-results-days", p.scan_results_days, "Keep scan results this long")
        ->capture_default_str();
    run->add_option("--reports-days", p.reports_days, "Keep reports this long")
        ->capture_default_str();
    run->add_option("--audit-days", p.audit_days, "Keep the audit log this long")
        ->capture_default_str();
    auto* history = admin_leaf(*cmd, "history", "What earlier runs deleted", chosen, opt,
                               &retention_history);
    history->add_option("--limit", opt->limit, "How many runs, newest first");
    return [chosen] { return *chosen ? (*chosen)() : 2; };
}

}  // namespace cyberalarm::app
