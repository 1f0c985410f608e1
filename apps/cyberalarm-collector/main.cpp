// cyberalarm-collector: the daemon on a member's network (run), its enrollment with the
// central service (enroll), a look at a running one (status) and a configuration check.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "collector/config.h"
#include "collector/daemon.h"
#include "collector/status.h"
#include "uplink/client.h"

namespace {

namespace col = cyberalarm::collector;

int fail(const std::string& what) {
    std::fprintf(stderr, "cyberalarm-collector: %s\n", what.c_str());
    return 1;
}

int run(const std::filesystem::path& config_file) {
    auto config = col::load_config(config_file);
    if (!config) {
        return fail(config.error().to_string());
    }
    auto r = col::run_collector(*config);
    if (!r) {
        return fail(r.error().to_string());
    }
    return 0;
}

int check(const std::filesystem::path& config_file) {
    auto config = col::load_config(config_file);
    if (!config) {
        return fail(config.error().to_string());
    }
    std::printf("%s: valid; %zu inputs, spool %s, uplink %s\n", config_file.c_str(),
                config->inputs.size(), config->spool_dir.c_str(),
                config->uplink.server.empty() ? "none" : config->uplink.server.c_str());
    return 0;
}

int status(const std::filesystem::path& config_file, std::filesystem::path socket, bool json) {
    if (socket.empty()) {
        auto config = col::load_config(config_file);
        if (!config) {
            return fail(config.error().to_string());
        }
        socket = config->status.socket;
    }
    auto text = col::query_status(socket);
    if (!text) {
        return fail(text.error().to_string());
    }
    std::fputs(json ? text->c_str() : col::format_status_text(*text).c_str(), stdout);
    return 0;
}

int enroll(const std::filesystem::path& config_file, const std::string& server,
           const std::string& token, const std::filesystem::path& ca, std::filesystem::path out,
           bool overwrite) {
    std::string url = server;
    if (!config_file.empty()) {
        auto config = col::load_config(config_file);
        if (!config) {
            return fail(config.error().to_string());
        }
        if (out.empty()) {
            out = config->state_dir;
        }
        if (url.empty()) {
            url = config->uplink.server;
        }
    }
    if (url.empty() || out.empty()) {
        return fail("enroll needs --server and --dir, or a --config that names them");
    }
    cyberalarm::uplink::EnrollOptions o;
    o.server_url = url;
    o.token = token;
    o.ca_file = ca;
    o.out_dir = out;
    o.overwrite = overwrite;
    auto r = cyberalarm::uplink::enroll(o);
    if (!r) {
        return fail(r.error().to_string());
    }
    // The server's CA is kept beside the certificate so `run` can verify the server.
    std::error_code ec;
    std::filesystem::copy_file(ca, out / "server-ca.pem",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
        return fail("copying " + ca.string() + " to " + (out / "server-ca.pem").string() + ": " +
                    ec.message());
    }
    std::printf("enrolled as %s\n  key  %s (0600, never sent)\n  cert %s\n  ca   %s\n",
                r->collector_id.c_str(), r->key_file.c_str(), r->cert_file.c_str(),
                r->ca_file.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cyberalarm-collector: firewall and IDS log metadata to the cyberalarm service"};
    app.require_subcommand(1);

    std::filesystem::path config_file = "/etc/cyberalarm/collector.yaml";
    auto* run_cmd = app.add_subcommand("run", "run the collector in the foreground");
    run_cmd->add_option("-c,--config", config_file, "configuration file");

    auto* check_cmd = app.add_subcommand("check-config", "validate a configuration and exit");
    check_cmd->add_option("-c,--config", config_file, "configuration file");

    std::filesystem::path socket;
    bool json = false;
    auto* status_cmd = app.add_subcommand("status", "show a running collector's inputs, rates, "
                                                    "spool, last upload and errors");
    status_cmd->add_option("-c,--config", config_file, "configuration file (for the socket path)");
    status_cmd->add_option("--socket", socket, "status socket (instead of --config)");
    status_cmd->add_flag("--json", json, "print the raw JSON document");

    std::string server;
    std::string token;
    std::filesystem::path ca;
    std::filesystem::path dir;
    bool overwrite = false;
    std::filesystem::path enroll_config;
    auto* enroll_cmd = app.add_subcommand(
        "enroll", "make a key pair here, send a CSR with a one-time token, store the certificate");
    enroll_cmd->add_option("--server", server, "https://host:port of the cyberalarm service");
    enroll_cmd->add_option("--token", token, "one-time enrollment token")->required();
    enroll_cmd->add_option("--ca", ca, "CA certificate to verify the server with")
        ->required()
        ->check(CLI::ExistingFile);
    enroll_cmd->add_option("--dir", dir, "where to write key.pem, cert.pem, ca.pem");
    enroll_cmd->add_option("-c,--config", enroll_config, "take --server and --dir from here");
    enroll_cmd->add_flag("--overwrite", overwrite, "replace an existing key and certificate");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (*run_cmd) return run(config_file);
        if (*check_cmd) return check(config_file);
        if (*status_cmd) return status(config_file, socket, json);
        if (*enroll_cmd) return enroll(enroll_config, server, token, ca, dir, overwrite);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return 2;
}
