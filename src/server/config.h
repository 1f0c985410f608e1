// The server's configuration: one YAML file (deploy/server.example.yaml documents every
// key), all optional — with no file at all the server runs on the embedded defaults below.
//
// Keys are declared once, in a table (name, kind, range, default, description) in
// config.cpp; parsing, validation and config_reference() (the text behind `--help-config`
// and docs/design/server.md's key list) all come from it. An unknown key, a wrong type or a
// value out of range is an Error naming the file, line and key ("server.yaml:12:
// ingest.port: 70000 is not a number in 0..65535").
//
// Secrets (SMTP password, webhook secret) are read from files named in the config, which
// must not be readable by group or others.
//
// Thread safety: plain data once loaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/result.h"

namespace cyberalarm::server {

struct ListenConfig {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
};

struct ServerConfig {
    std::filesystem::path origin;  // the file it came from ("" for the defaults)
    std::filesystem::path data_dir = "cyberalarm-data";
    // Extra subjectAltNames for the server certificate beyond localhost, 127.0.0.1, ::1.
    std::vector<std::string> server_names;
    int server_cert_days = 825;
    std::string log_level = "info";

    ListenConfig ingest{"127.0.0.1", 8443};
    ListenConfig api{"127.0.0.1", 8444};

    // Listener limits (both listeners).
    std::size_t max_connections = 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{60'000};
    std::chrono::milliseconds idle_timeout{60'000};
    unsigned io_threads = 2;
    unsigned handler_threads = 4;

    // Ingest.
    std::size_t max_batch_body_bytes = 16u << 20;
    std::uint32_t max_batch_records = 1'000'000;
    std::uint32_t max_uncompressed_bytes = 64u << 20;
    std::size_t max_in_flight = 64;
    std::chrono::seconds retry_after{2};
    int client_cert_days = 365;

    // Storage.
    bool store_fsync = true;

    // Detection.
    bool detection_enabled = true;
    bool builtin_rules = true;
    std::filesystem::path rules_dir;               // extra rules ("" none)
    std::vector<std::filesystem::path> intel_files;  // relative to data_dir
    std::size_t max_detection_queue = 1'000'000;
    unsigned detection_workers = 1;
    core::Severity notify_min_severity = core::Severity::kHigh;

    // Notifications.
    std::string smtp_url;
    std::string smtp_from;
    std::string smtp_username;
    std::string smtp_password;  // read from smtp_password_file
    std::string smtp_ca_file;
    std::string webhook_url;
    std::string webhook_secret;  // read from webhook_secret_file
    std::string webhook_ca_file;
    int notify_max_attempts = 4;
    std::chrono::milliseconds notify_retry_initial{1000};

    // Scanner (src/server/scan_service.h). Empty texts: the scanner's defaults.
    bool scanner_enabled = true;
    int scanner_every_hours = 168;
    std::string scanner_window;
    std::string scanner_ports;
    bool scanner_udp = false;
    std::filesystem::path scanner_probes;
    std::filesystem::path scanner_vulndb;
    std::string scanner_user_agent;
    std::string scanner_ehlo;
    std::size_t scanner_max_queue = 256;

    // Scheduled reports (src/server/report_job.h).
    bool reports_enabled = false;
    int reports_weekday = 1;  // 0 Sunday … 6 Saturday, UTC
    int reports_hour = 6;     // UTC
    std::string reports_base_url;       // links in announcements: <base_url>/reports/<id>
    std::string reports_pseudonym_key;  // read from reports.pseudonym_key_file
    std::string reports_geoip_country;  // optional .mmdb files
    std::string reports_geoip_asn;

    // First start: lifetime of the operator's API token.
    int first_token_days = 30;
};

// Reads and validates a configuration file. Relative paths are relative to its directory.
[[nodiscard]] core::Result<ServerConfig> load_config(const std::filesystem::path& file);
// The same from text: `origin` names it in errors, relative paths resolve against base_dir.
// Secret files are read (they must exist) unless `read_secrets` is false (the fuzz target).
[[nodiscard]] core::Result<ServerConfig> parse_config(std::string_view text,
                                                      std::string_view origin,
                                                      const std::filesystem::path& base_dir,
                                                      bool read_secrets = true);
// Every key with its kind, range and description, one per line.
[[nodiscard]] std::string config_reference();

}  // namespace cyberalarm::server
