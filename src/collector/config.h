// The collector's one configuration file (YAML), read and validated at start.
//
// Every key is known: an unknown key, a wrong type, a value out of range or a missing
// required key is an Error naming the file, line and key ("collector.yaml:12: inputs[1].port:
// 70000 is not a port"). deploy/collector.example.yaml documents every key.
//
// Thread safety: plain data once loaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/inputs.h"
#include "core/cidr_set.h"
#include "core/result.h"
#include "core/time.h"
#include "parse/parser.h"
#include "spool/spool.h"

namespace cyberalarm::collector {

// Where an input's lines are parsed: its format (nullptr = auto), zone and observer.
struct SourceSettings {
    const parse::Format* format = nullptr;
    core::TimeZone tz;
    std::string observer;
    std::size_t max_line = 64 * 1024;
};

struct MemberConfig {
    core::CidrSet internal;  // the member's own networks
    core::CidrSet trusted;   // sources whose traffic is dropped (own scanners, monitoring)
    bool pseudonymise = false;
    std::filesystem::path pseudonym_key_file;  // 32 bytes (raw or hex), 0600
    std::filesystem::path hash_key_file;       // key for hashing user names; 0600
};

struct UplinkConfig {
    std::string server;  // https://host:port; empty = spool only (no upload)
    std::filesystem::path ca_file;
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    std::size_t batch_max_events = 5000;
    std::size_t batch_max_bytes = 4u << 20;
    int zstd_level = 3;
    std::chrono::milliseconds backoff_initial{500};
    std::chrono::milliseconds backoff_max{60'000};
    std::chrono::milliseconds timeout{30'000};
};

struct StatusConfig {
    std::filesystem::path socket;  // local (unix) status socket; empty = none
    std::string metrics_address;   // "127.0.0.1"; empty = no metrics endpoint
    std::uint16_t metrics_port = 0;  // 0 with an address: any free port
};

struct CollectorConfig {
    std::filesystem::path origin;  // the file it came from
    std::string name;              // this collector's name, for logs and status
    std::string user;              // drop to this user after binding (when started as root)
    std::filesystem::path state_dir;
    MemberConfig member;
    std::vector<InputConfig> inputs;
    std::vector<SourceSettings> sources;  // one per input, same order
    std::filesystem::path spool_dir;
    spool::Options spool;
    UplinkConfig uplink;
    StatusConfig status;
};

// Reads and validates a configuration. Relative paths are read relative to the file.
core::Result<CollectorConfig> load_config(const std::filesystem::path& file);
// The same from text (origin names it in errors; relative paths are relative to base_dir).
core::Result<CollectorConfig> parse_config(std::string_view text, std::string_view origin,
                                           const std::filesystem::path& base_dir);

// "64KiB", "16MiB", "1GiB", "1000" → bytes.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace cyberalarm::collector
