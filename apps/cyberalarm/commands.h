// Subcommands of the `cyberalarm` tool. Each registers its options on the CLI11 app and
// returns the function to run when it is chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace cyberalarm::app {

using Command = std::function<int()>;

Command add_parse_command(CLI::App& app);
Command add_detect_command(CLI::App& app);
Command add_analyze_command(CLI::App& app);
// Operator commands against the server's store (cmd_admin.cpp, cmd_user.cpp).
Command add_tenant_command(CLI::App& app);
Command add_collector_command(CLI::App& app);
Command add_asset_command(CLI::App& app);
Command add_enroll_token_command(CLI::App& app);
Command add_user_command(CLI::App& app);
Command add_retention_command(CLI::App& app);
// Member and analyst reports from the store (cmd_report.cpp).
Command add_report_command(CLI::App& app);
// The audit log's proof and the data map (cmd_audit.cpp, cmd_datamap.cpp).
Command add_audit_command(CLI::App& app);
Command add_data_map_command(CLI::App& app);

}  // namespace cyberalarm::app
