// cyberalarm: one-shot work on files (parse, detect, analyze) and administration.
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
    CLI::App app{"cyberalarm: gateway metadata into findings, without reading content"};
    app.require_subcommand(1);
    std::vector<std::pair<std::string, cyberalarm::app::Command>> commands = {
        {"parse", cyberalarm::app::add_parse_command(app)},
        {"detect", cyberalarm::app::add_detect_command(app)},
        {"analyze", cyberalarm::app::add_analyze_command(app)},
        {"tenant", cyberalarm::app::add_tenant_command(app)},
        {"collector", cyberalarm::app::add_collector_command(app)},
        {"asset", cyberalarm::app::add_asset_command(app)},
        {"enroll-token", cyberalarm::app::add_enroll_token_command(app)},
        {"user", cyberalarm::app::add_user_command(app)},
        {"retention", cyberalarm::app::add_retention_command(app)},
        {"report", cyberalarm::app::add_report_command(app)},
        {"audit", cyberalarm::app::add_audit_command(app)},
        {"data-map", cyberalarm::app::add_data_map_command(app)},
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        for (auto* sub : app.get_subcommands()) {
            for (const auto& [name, run] : commands) {
                if (sub->get_name() == name) {
                    return run();
                }
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cyberalarm: %s\n", e.what());
        return 2;
    }
    return 2;
}
