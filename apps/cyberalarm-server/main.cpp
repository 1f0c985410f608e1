// cyberalarm-server [--config FILE] [--data-dir DIR]
//
// With no configuration the embedded default runs: ./cyberalarm-data (0700) with the SQLite
// store, a fresh CA and, on the first start, an operator API token printed once on stdout.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "server/config.h"
#include "server/server.h"

namespace {

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_logger_mt("cyberalarm-server");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cyberalarm-server: ingest, detection, storage and API of the cyber alarm"};
    std::string config_file;
    std::string data_dir;
    bool help_config = false;
    app.add_option("--config", config_file, "YAML configuration (default: embedded defaults)");
    app.add_option("--data-dir", data_dir, "data directory (default ./cyberalarm-data)");
    app.add_flag("--help-config", help_config, "list every configuration key and exit");
    CLI11_PARSE(app, argc, argv);
    if (help_config) {
        std::cout << cyberalarm::server::config_reference();
        return 0;
    }

    cyberalarm::server::ServerConfig config;
    if (!config_file.empty()) {
        auto loaded = cyberalarm::server::load_config(config_file);
        if (!loaded) {
            // The message names file, line and key already.
            std::fprintf(stderr, "cyberalarm-server: %s\n", loaded.error().message().c_str());
            return 2;
        }
        config = std::move(*loaded);
    }
    if (!data_dir.empty()) {
        config.data_dir = data_dir;
    }
    setup_logging(config.log_level);

    // Every thread started from here on inherits the mask; only sigwait below sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto server = cyberalarm::server::Server::create(std::move(config), [](const std::string& t) {
        std::cout << "first start: API token for operator@localhost (shown once, keep it safe): "
                  << t << std::endl;
    });
    if (!server) {
        spdlog::critical("event=start_failed reason=\"{}\"", server.error().to_string());
        return 1;
    }
    if (auto st = (*server)->start(); !st) {
        spdlog::critical("event=start_failed reason=\"{}\"", st.error().to_string());
        return 1;
    }
    std::cout << "ingest_port=" << (*server)->ingest_port() << " api_port=" << (*server)->api_port()
              << std::endl;
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("event=stopping signal={}", sig);
    (*server)->stop();
    return 0;
}
