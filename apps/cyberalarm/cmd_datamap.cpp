// `cyberalarm data-map`: what data the server holds, where, for how long, who can reach it
// and why, and when it was last used — with stale access, grants past their purpose and data
// past retention flagged. The text form is the access review an operator hands to an auditor.
#include <fmt/core.h>

#include <memory>

#include "admin.h"
#include "commands.h"
#include "server/api/data_map.h"

namespace cyberalarm::app {

namespace {

struct DataMapCommand {
    AdminOptions admin;
    server::api::DataMapOptions map;
    std::string smtp;
    std::string webhook;
};

int data_map(const DataMapCommand& c) {
    return with_admin_store(c.admin, [&](AdminStore& s) {
        auto options = c.map;
        options.data_dir = c.admin.data_dir;
        if (!c.smtp.empty()) {
            options.integrations.push_back(
                {"smtp", c.smtp, "finding notices and reset links to member admins"});
        }
        if (!c.webhook.empty()) {
            options.integrations.push_back({"webhook", c.webhook, "finding notices (signed)"});
        }
        auto map = server::api::build_data_map(*s.store, options, now_ns());
        if (!map) {
            return report_error("data map", map.error());
        }
        fmt::print("{}\n", c.admin.json ? server::api::data_map_json(*map)
                                        : server::api::data_map_markdown(*map));
        audit_change(s, "read", 0, "data-map", "access review printed");
        return 0;
    });
}

}  // namespace

Command add_data_map_command(CLI::App& app) {
    auto opt = std::make_shared<DataMapCommand>();
    auto* cmd = app.add_subcommand("data-map", "Data held, where, who can reach it; access review");
    add_admin_options(*cmd, opt->admin);
    auto& p = opt->map.retention;
    cmd->add_option("--stale-days", opt->map.stale_days, "Flag access unused this long")
        ->capture_default_str();
    cmd->add_option("--events-days", p.events_days, "Events retention the job runs with")
        ->capture_default_str();
    cmd->add_option("--findings-days", p.findings_days, "Findings retention")
        ->capture_default_str();
    cmd->add_option("--scan-results-days", p.scan_results_days, "Scan results retention")
        ->capture_default_str();
    cmd->add_option("--reports-days", p.reports_days, "Reports retention")->capture_default_str();
    cmd->add_option("--audit-days", p.audit_days, "Audit retention")->capture_default_str();
    cmd->add_option("--smtp", opt->smtp, "SMTP server the server sends mail through (its URL)");
    cmd->add_option("--webhook", opt->webhook, "Webhook the server posts notices to (its URL)");
    return [opt] { return data_map(*opt); };
}

}  // namespace cyberalarm::app
