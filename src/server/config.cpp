#include "server/config.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <fmt/format.h>
#include <optional>
#include <variant>

#include "uplink/pki.h"

namespace cyberalarm::server {

namespace {

enum class Kind {
    kText, kNumber, kSize, kFlag, kList, kSeverity, kLogLevel, kPath, kPathList, kSecret
};

// A converted value: text (also paths and secrets, already resolved or read), a number, a
// flag or a list of text.
using Value = std::variant<std::string, std::uint64_t, bool, std::vector<std::string>>;

struct Key {
    std::string_view name;
    Kind kind;
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::string_view help;
    void (*apply)(ServerConfig&, const Value&);
};

const std::string& text(const Value& v) { return std::get<std::string>(v); }
std::uint64_t num(const Value& v) { return std::get<std::uint64_t>(v); }
bool flag(const Value& v) { return std::get<bool>(v); }
std::chrono::milliseconds ms(const Value& v) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(num(v)));
}

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

// The one table of keys. Defaults live in ServerConfig's member initialisers.
const std::array kKeys = {
    Key{"server.data_dir", Kind::kPath, 0, 0, "data directory (created 0700): store.db, ca/, ports.json",
        [](ServerConfig& c, const Value& v) { c.data_dir = text(v); }},
    Key{"server.names", Kind::kList, 0, 0, "extra DNS names or addresses in the server certificate",
        [](ServerConfig& c, const Value& v) { c.server_names = std::get<std::vector<std::string>>(v); }},
    Key{"server.cert_days", Kind::kNumber, 1, 3650, "validity of the server certificate (days)",
        [](ServerConfig& c, const Value& v) { c.server_cert_days = static_cast<int>(num(v)); }},
    Key{"server.log_level", Kind::kLogLevel, 0, 0, "trace, debug, info, warn, error",
        [](ServerConfig& c, const Value& v) { c.log_level = text(v); }},
    Key{"server.first_token_days", Kind::kNumber, 1, 90, "lifetime of the first operator's API token",
        [](ServerConfig& c, const Value& v) { c.first_token_days = static_cast<int>(num(v)); }},
    Key{"ingest.address", Kind::kText, 0, 0, "address the collectors' listener binds",
        [](ServerConfig& c, const Value& v) { c.ingest.address = text(v); }},
    Key{"ingest.port", Kind::kNumber, 0, 65535, "its port (0: any free port)",
        [](ServerConfig& c, const Value& v) { c.ingest.port = static_cast<std::uint16_t>(num(v)); }},
    Key{"ingest.max_body_bytes", Kind::kSize, 1024, kGiB, "largest compressed batch (413 beyond)",
        [](ServerConfig& c, const Value& v) { c.max_batch_body_bytes = num(v); }},
    Key{"ingest.max_records", Kind::kNumber, 1, 10'000'000, "most records in one batch",
        [](ServerConfig& c, const Value& v) { c.max_batch_records = static_cast<std::uint32_t>(num(v)); }},
    Key{"ingest.max_uncompressed_bytes", Kind::kSize, 1024, 2 * kGiB, "largest decompressed batch (413 beyond)",
        [](ServerConfig& c, const Value& v) { c.max_uncompressed_bytes = static_cast<std::uint32_t>(num(v)); }},
    Key{"ingest.max_in_flight", Kind::kNumber, 1, 100'000, "batches processed at once before 429",
        [](ServerConfig& c, const Value& v) { c.max_in_flight = num(v); }},
    Key{"ingest.retry_after_s", Kind::kNumber, 1, 3600, "Retry-After of a 429 answer",
        [](ServerConfig& c, const Value& v) { c.retry_after = std::chrono::seconds(num(v)); }},
    Key{"ingest.client_cert_days", Kind::kNumber, 1, 3650, "validity of collector certificates",
        [](ServerConfig& c, const Value& v) { c.client_cert_days = static_cast<int>(num(v)); }},
    Key{"api.address", Kind::kText, 0, 0, "address the REST API listener binds",
        [](ServerConfig& c, const Value& v) { c.api.address = text(v); }},
    Key{"api.port", Kind::kNumber, 0, 65535, "its port (0: any free port)",
        [](ServerConfig& c, const Value& v) { c.api.port = static_cast<std::uint16_t>(num(v)); }},
    Key{"listener.max_connections", Kind::kNumber, 1, 1'000'000, "open connections per listener",
        [](ServerConfig& c, const Value& v) { c.max_connections = num(v); }},
    Key{"listener.max_header_bytes", Kind::kSize, 1024, 1u << 20, "largest request header block",
        [](ServerConfig& c, const Value& v) { c.max_header_bytes = num(v); }},
    Key{"listener.handshake_timeout_ms", Kind::kNumber, 100, 600'000, "TLS handshake deadline",
        [](ServerConfig& c, const Value& v) { c.handshake_timeout = ms(v); }},
    Key{"listener.header_timeout_ms", Kind::kNumber, 100, 600'000, "first byte to end of headers",
        [](ServerConfig& c, const Value& v) { c.header_timeout = ms(v); }},
    Key{"listener.body_timeout_ms", Kind::kNumber, 100, 3'600'000, "end of headers to end of body",
        [](ServerConfig& c, const Value& v) { c.body_timeout = ms(v); }},
    Key{"listener.idle_timeout_ms", Kind::kNumber, 100, 3'600'000, "kept-alive connection idle",
        [](ServerConfig& c, const Value& v) { c.idle_timeout = ms(v); }},
    Key{"listener.io_threads", Kind::kNumber, 1, 64, "threads running the sockets",
        [](ServerConfig& c, const Value& v) { c.io_threads = static_cast<unsigned>(num(v)); }},
    Key{"listener.handler_threads", Kind::kNumber, 1, 256, "threads running requests",
        [](ServerConfig& c, const Value& v) { c.handler_threads = static_cast<unsigned>(num(v)); }},
    Key{"store.fsync", Kind::kFlag, 0, 0, "fsync every commit (false only for benchmarks' fill)",
        [](ServerConfig& c, const Value& v) { c.store_fsync = flag(v); }},
    Key{"detection.enabled", Kind::kFlag, 0, 0, "run detection on ingest",
        [](ServerConfig& c, const Value& v) { c.detection_enabled = flag(v); }},
    Key{"detection.builtin_rules", Kind::kFlag, 0, 0, "use the built-in rules",
        [](ServerConfig& c, const Value& v) { c.builtin_rules = flag(v); }},
    Key{"detection.rules_dir", Kind::kPath, 0, 0, "directory of extra YAML rules",
        [](ServerConfig& c, const Value& v) { c.rules_dir = text(v); }},
    Key{"detection.intel_files", Kind::kPathList, 0, 0, "threat-intel files (relative: to the data dir)",
        [](ServerConfig& c, const Value& v) {
            for (const auto& f : std::get<std::vector<std::string>>(v)) {
                c.intel_files.emplace_back(f);
            }
        }},
    Key{"detection.max_queue_events", Kind::kNumber, 1000, 100'000'000, "queued events before 429",
        [](ServerConfig& c, const Value& v) { c.max_detection_queue = num(v); }},
    Key{"detection.workers", Kind::kNumber, 1, 64, "detection threads (members spread over them)",
        [](ServerConfig& c, const Value& v) { c.detection_workers = static_cast<unsigned>(num(v)); }},
    Key{"detection.notify_min_severity", Kind::kSeverity, 0, 0, "low, medium, high or critical",
        [](ServerConfig& c, const Value& v) { c.notify_min_severity = static_cast<core::Severity>(num(v)); }},
    Key{"notify.smtp.url", Kind::kText, 0, 0, "smtp://host:587 (STARTTLS) or smtps://host:465",
        [](ServerConfig& c, const Value& v) { c.smtp_url = text(v); }},
    Key{"notify.smtp.from", Kind::kText, 0, 0, "sender address",
        [](ServerConfig& c, const Value& v) { c.smtp_from = text(v); }},
    Key{"notify.smtp.username", Kind::kText, 0, 0, "SMTP AUTH user (empty: none)",
        [](ServerConfig& c, const Value& v) { c.smtp_username = text(v); }},
    Key{"notify.smtp.password_file", Kind::kSecret, 0, 0, "file holding the SMTP password (0600)",
        [](ServerConfig& c, const Value& v) { c.smtp_password = text(v); }},
    Key{"notify.smtp.ca_file", Kind::kPath, 0, 0, "CAs for the SMTP server (default: system)",
        [](ServerConfig& c, const Value& v) { c.smtp_ca_file = text(v); }},
    Key{"notify.webhook.url", Kind::kText, 0, 0, "https:// endpoint for signed POSTs",
        [](ServerConfig& c, const Value& v) { c.webhook_url = text(v); }},
    Key{"notify.webhook.secret_file", Kind::kSecret, 0, 0, "file holding the HMAC secret (0600)",
        [](ServerConfig& c, const Value& v) { c.webhook_secret = text(v); }},
    Key{"notify.webhook.ca_file", Kind::kPath, 0, 0, "CAs for the webhook (default: system)",
        [](ServerConfig& c, const Value& v) { c.webhook_ca_file = text(v); }},
    Key{"notify.max_attempts", Kind::kNumber, 1, 20, "attempts per channel and notice",
        [](ServerConfig& c, const Value& v) { c.notify_max_attempts = static_cast<int>(num(v)); }},
    Key{"notify.retry_initial_ms", Kind::kNumber, 10, 600'000, "first retry delay (doubles)",
        [](ServerConfig& c, const Value& v) { c.notify_retry_initial = ms(v); }},
    Key{"scanner.enabled", Kind::kFlag, 0, 0, "scan members' verified assets (on request and on schedule)",
        [](ServerConfig& c, const Value& v) { c.scanner_enabled = flag(v); }},
    Key{"scanner.every_hours", Kind::kNumber, 0, 8760, "scheduled scan of each member this often (0: none)",
        [](ServerConfig& c, const Value& v) { c.scanner_every_hours = static_cast<int>(num(v)); }},
    Key{"scanner.window", Kind::kText, 0, 0, "UTC window HH:MM-HH:MM in which scans run (empty: any time)",
        [](ServerConfig& c, const Value& v) { c.scanner_window = text(v); }},
    Key{"scanner.ports", Kind::kText, 0, 0, "TCP ports, e.g. 22,80,443,8000-8100 (empty: the probe file's)",
        [](ServerConfig& c, const Value& v) { c.scanner_ports = text(v); }},
    Key{"scanner.udp", Kind::kFlag, 0, 0, "also send the UDP probes (DNS, NTP, SNMP, SSDP, memcached, mDNS)",
        [](ServerConfig& c, const Value& v) { c.scanner_udp = flag(v); }},
    Key{"scanner.probes", Kind::kPath, 0, 0, "probe file (default: the installed data/scan/probes.yaml)",
        [](ServerConfig& c, const Value& v) { c.scanner_probes = text(v); }},
    Key{"scanner.vulndb", Kind::kPath, 0, 0, "CVE database from cyberalarm-scan --import-vulndb (empty: <data-dir>/vulndb.jsonl if present)",
        [](ServerConfig& c, const Value& v) { c.scanner_vulndb = text(v); }},
    Key{"scanner.user_agent", Kind::kText, 0, 0, "HTTP User-Agent the scanner sends (say who scans and where to ask)",
        [](ServerConfig& c, const Value& v) { c.scanner_user_agent = text(v); }},
    Key{"scanner.ehlo", Kind::kText, 0, 0, "our name in SMTP EHLO: the scanner host's reverse-DNS name",
        [](ServerConfig& c, const Value& v) { c.scanner_ehlo = text(v); }},
    Key{"scanner.max_queue", Kind::kNumber, 1, 100'000, "scan runs waiting before requests get 503",
        [](ServerConfig& c, const Value& v) { c.scanner_max_queue = num(v); }},
    Key{"reports.enabled", Kind::kFlag, 0, 0, "write weekly member and analyst reports",
        [](ServerConfig& c, const Value& v) { c.reports_enabled = flag(v); }},
    Key{"reports.weekday", Kind::kNumber, 0, 6, "day the weekly reports are written (0 Sunday, UTC)",
        [](ServerConfig& c, const Value& v) { c.reports_weekday = static_cast<int>(num(v)); }},
    Key{"reports.hour", Kind::kNumber, 0, 23, "hour (UTC) the weekly reports are written",
        [](ServerConfig& c, const Value& v) { c.reports_hour = static_cast<int>(num(v)); }},
    Key{"reports.base_url", Kind::kText, 0, 0, "portal address for report and password-reset links (https://…)",
        [](ServerConfig& c, const Value& v) { c.reports_base_url = text(v); }},
    Key{"reports.pseudonym_key_file", Kind::kSecret, 0, 0, "file holding the key for member pseudonyms (0600)",
        [](ServerConfig& c, const Value& v) { c.reports_pseudonym_key = text(v); }},
    Key{"reports.geoip_country", Kind::kPath, 0, 0, "MaxMind DB (.mmdb) with countries (optional)",
        [](ServerConfig& c, const Value& v) { c.reports_geoip_country = text(v); }},
    Key{"reports.geoip_asn", Kind::kPath, 0, 0, "MaxMind DB (.mmdb) with ASNs (optional)",
        [](ServerConfig& c, const Value& v) { c.reports_geoip_asn = text(v); }},
};

std::string_view kind_name(Kind k) {
    switch (k) {
        case Kind::kNumber: return "number";
        case Kind::kSize: return "size";
        case Kind::kFlag: return "true|false";
        case Kind::kList: return "list";
        case Kind::kPathList: return "list of paths";
        case Kind::kSeverity: return "severity";
        case Kind::kLogLevel: return "log level";
        case Kind::kPath: return "path";
        case Kind::kSecret: return "secret file";
        case Kind::kText: break;
    }
    return "text";
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return n;
}

// "512", "64KiB", "16MiB", "1GiB" (also K, M, G and KB, MB, GB as binary multiples).
std::optional<std::uint64_t> parse_size(std::string_view s) {
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
        ++digits;
    }
    auto n = parse_number(s.substr(0, digits));
    if (!n) {
        return std::nullopt;
    }
    const auto unit = s.substr(digits);
    unsigned shift = 0;
    if (unit.empty() || unit == "B") {
        shift = 0;
    } else if (unit == "K" || unit == "KB" || unit == "KiB") {
        shift = 10;
    } else if (unit == "M" || unit == "MB" || unit == "MiB") {
        shift = 20;
    } else if (unit == "G" || unit == "GB" || unit == "GiB") {
        shift = 30;
    } else {
        return std::nullopt;
    }
    if (*n > (std::uint64_t{1} << (63 - shift))) {
        return std::nullopt;
    }
    return *n << shift;
}

class Parser {
public:
    Parser(std::string_view origin, std::filesystem::path base, bool read_secrets)
        : origin_(origin), base_(std::move(base)), read_secrets_(read_secrets) {}

    core::Status walk(const YAML::Node& map, const std::string& prefix, ServerConfig& out) {
        for (const auto& kv : map) {
            const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
            const std::string path = prefix.empty() ? key : prefix + "." + key;
            if (kv.second.IsMap() && is_section(path)) {
                if (auto st = walk(kv.second, path, out); !st) {
                    return st;
                }
                continue;
            }
            const Key* k = find(path);
            if (k == nullptr) {
                return fail(kv.first, path, is_section(path) ? "expected a mapping" : "unknown key");
            }
            auto value = convert(*k, kv.second);
            if (!value) {
                return core::fail(std::move(value.error()));
            }
            k->apply(out, *value);
        }
        return {};
    }

    core::Status fail(const YAML::Node& at, std::string_view key, std::string_view why) const {
        const auto line = static_cast<std::uint64_t>(at.Mark().line + 1);
        return core::fail(core::Error::invalid_argument(fmt::format("{}:{}: {}: {}", origin_,
                                                                    line, key, why))
                              .at_field(key)
                              .at_line(line));
    }

private:
    static bool is_section(std::string_view path) {
        for (const auto& k : kKeys) {
            if (k.name.size() > path.size() && k.name.starts_with(path) &&
                k.name[path.size()] == '.') {
                return true;
            }
        }
        return false;
    }
    static const Key* find(std::string_view path) {
        for (const auto& k : kKeys) {
            if (k.name == path) {
                return &k;
            }
        }
        return nullptr;
    }

    std::string resolve(const std::string& p) const {
        std::filesystem::path path(p);
        return (path.is_absolute() || base_.empty() ? path : base_ / path).string();
    }

    core::Result<Value> convert(const Key& k, const YAML::Node& node) const {
        auto bad = [&](std::string why) -> core::Result<Value> {
            auto st = fail(node, k.name, why);
            return core::fail(std::move(st.error()));
        };
        if (k.kind == Kind::kList || k.kind == Kind::kPathList) {
            if (!node.IsSequence()) {
                return bad("expected a list");
            }
            std::vector<std::string> items;
            for (const auto& item : node) {
                if (!item.IsScalar() || item.Scalar().empty()) {
                    return bad("list items must be non-empty text");
                }
                items.push_back(item.Scalar());
            }
            return Value(std::move(items));
        }
        if (!node.IsScalar()) {
            return bad("expected a single value");
        }
        const std::string& s = node.Scalar();
        switch (k.kind) {
            case Kind::kNumber:
            case Kind::kSize: {
                auto n = k.kind == Kind::kSize ? parse_size(s) : parse_number(s);
                if (!n || *n < k.lo || *n > k.hi) {
                    return bad(fmt::format("'{}' is not a {} in {}..{}", s, kind_name(k.kind),
                                           k.lo, k.hi));
                }
                return Value(*n);
            }
            case Kind::kFlag:
                if (s == "true" || s == "yes" || s == "on") {
                    return Value(true);
                }
                if (s == "false" || s == "no" || s == "off") {
                    return Value(false);
                }
                return bad("'" + s + "' is not true or false");
            case Kind::kSeverity: {
                static constexpr std::pair<std::string_view, core::Severity> kNames[] = {
                    {"low", core::Severity::kLow},
                    {"medium", core::Severity::kMedium},
                    {"high", core::Severity::kHigh},
                    {"critical", core::Severity::kCritical}};
                for (const auto& [name, sev] : kNames) {
                    if (s == name) {
                        return Value(static_cast<std::uint64_t>(sev));
                    }
                }
                return bad("'" + s + "' is not low, medium, high or critical");
            }
            case Kind::kLogLevel:
                if (s == "trace" || s == "debug" || s == "info" || s == "warn" || s == "error") {
                    return Value(s);
                }
                return bad("'" + s + "' is not trace, debug, info, warn or error");
            case Kind::kPath:
                return Value(s.empty() ? s : resolve(s));
            case Kind::kSecret:
                return read_secret(k, node, resolve(s));
            default:
                return Value(s);
        }
    }

    core::Result<Value> read_secret(const Key& k, const YAML::Node& node,
                                    const std::string& path) const {
        if (!read_secrets_) {
            return Value(std::string(32, 'x'));
        }
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            auto e = fail(node, k.name, "cannot read '" + path + "'");
            return core::fail(std::move(e.error()));
        }
        if ((st.st_mode & 077) != 0) {
            auto e = fail(node, k.name, "'" + path + "' is readable by group or others (chmod 600)");
            return core::fail(std::move(e.error()));
        }
        auto data = uplink::read_small_file(path, 64 * 1024);
        if (!data) {
            auto e = fail(node, k.name, data.error().message());
            return core::fail(std::move(e.error()));
        }
        std::string secret = std::move(*data);
        while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
            secret.pop_back();
        }
        return Value(std::move(secret));
    }

    std::string_view origin_;
    std::filesystem::path base_;
    bool read_secrets_;
};

}  // namespace

core::Result<ServerConfig> parse_config(std::string_view text_in, std::string_view origin,
                                        const std::filesystem::path& base_dir, bool read_secrets) {
    ServerConfig config;
    config.origin = std::string(origin);
    Parser parser(origin, base_dir, read_secrets);
    try {
        YAML::Node root = YAML::Load(std::string(text_in));
        if (root.IsNull()) {
            return config;  // an empty file: the defaults
        }
        if (!root.IsMap()) {
            auto st = parser.fail(root, "(top)", "expected a mapping of sections");
            return core::fail(std::move(st.error()));
        }
        if (auto st = parser.walk(root, "", config); !st) {
            return core::fail(std::move(st.error()));
        }
    } catch (const YAML::Exception& e) {
        const auto line = static_cast<std::uint64_t>(e.mark.line + 1);
        return core::fail(core::Error::parse(fmt::format("{}:{}: {}", origin, line, e.msg))
                              .at_line(line));
    }
    if (!config.webhook_url.empty() && config.webhook_secret.empty()) {
        return core::fail(core::Error::invalid_argument(
            std::string(origin) + ": notify.webhook.secret_file is required with notify.webhook.url"));
    }
    return config;
}

core::Result<ServerConfig> load_config(const std::filesystem::path& file) {
    auto text_in = uplink::read_small_file(file, 1 << 20);
    if (!text_in) {
        return core::fail(std::move(text_in.error()).context("reading " + file.string()));
    }
    return parse_config(*text_in, file.string(), file.parent_path());
}

std::string config_reference() {
    std::string out;
    for (const auto& k : kKeys) {
        out += fmt::format("{:<34} {:<14} {}", k.name, kind_name(k.kind), k.help);
        if (k.kind == Kind::kNumber || k.kind == Kind::kSize) {
            out += fmt::format(" [{}..{}]", k.lo, k.hi);
        }
        out += "\n";
    }
    return out;
}

}  // namespace cyberalarm::server
