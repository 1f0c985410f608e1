// test-uplink-server: runs the protocol test server from the command line, for benchmarks
// and manual runs against a collector. Prints one JSON line saying where everything is,
// then serves until SIGINT or SIGTERM and prints what it received.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>

#include "uplink/test_server.h"

int main(int argc, char** argv) {
    using namespace cyberalarm;
    CLI::App app{"Protocol test server for the cyberalarm uplink (127.0.0.1 only)"};
    std::string dir;
    unsigned port = 0;
    std::string collector = "bench";
    app.add_option("--dir", dir, "directory for ca.pem and the client's key.pem/cert.pem")
        ->required();
    app.add_option("--port", port, "port on 127.0.0.1 (0 = any free port)")
        ->check(CLI::Range(0, 65535));
    app.add_option("--collector", collector, "collector id of the issued client certificate");
    bool count_only = false;
    app.add_flag("--count-only", count_only, "decode and count events without keeping them");
    CLI11_PARSE(app, argc, argv);

    // Block the stop signals in every thread; main waits for them below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        test::UplinkTestServerOptions options;
        options.dir = dir;
        options.port = static_cast<std::uint16_t>(port);
        options.keep_events = !count_only;
        test::UplinkTestServer server(options);
        server.start();
        std::filesystem::path client_dir = std::filesystem::path(dir) / "client";
        server.issue_client_cert(collector, client_dir);
        std::string token = server.add_token(collector + "-enrolled");
        nlohmann::json where = {{"port", server.port()},
                                {"url", server.url()},
                                {"ca", server.ca_file().string()},
                                {"cert", (client_dir / "cert.pem").string()},
                                {"key", (client_dir / "key.pem").string()},
                                {"token", token}};
        std::printf("%s\n", where.dump().c_str());
        std::fflush(stdout);

        int sig = 0;
        sigwait(&stop_signals, &sig);
        server.stop();
        auto t = server.totals();
        nlohmann::json totals = {{"events", server.count()},   {"batches", t.batches},
                                 {"duplicates", t.duplicates}, {"gap_records", t.gap_records},
                                 {"malformed", t.malformed},   {"rejected", t.rejected}};
        std::printf("%s\n", totals.dump().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "test-uplink-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
