#include "collector/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "core/ip.h"
#include "parse/parser.h"
#include "privacy/cidr_file.h"

namespace cyberalarm::collector {

namespace {

// Reads one mapping, remembering which keys were used so unknown ones can be refused.
class Section {
public:
    Section(const YAML::Node& node, std::string path, std::string_view origin)
        : node_(node), path_(std::move(path)), origin_(origin) {}

    [[nodiscard]] core::Error error(const YAML::Node& at, std::string_view key,
                                    const std::string& message) const {
        auto line = at ? static_cast<std::uint64_t>(at.Mark().line + 1) : line_of(node_);
        std::string where = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
        return core::Error::invalid_argument(std::string(origin_) + ":" + std::to_string(line) +
                                             ": " + where + ": " + message)
            .at_field(where)
            .at_line(line);
    }

    YAML::Node get(std::string_view key) {
        used_.insert(std::string(key));
        return node_[std::string(key)];
    }

    core::Result<std::optional<std::string>> text(std::string_view key) {
        YAML::Node v = get(key);
        if (!v) {
            return std::optional<std::string>{};
        }
        if (!v.IsScalar()) {
            return core::fail(error(v, key, "expected a single value"));
        }
        return std::optional<std::string>(v.as<std::string>());
    }

    core::Result<std::string> required_text(std::string_view key) {
        auto v = text(key);
        if (!v) {
            return core::fail(std::move(v.error()));
        }
        if (!*v || (*v)->empty()) {
            return core::fail(error(YAML::Node(), key, "is required"));
        }
        return **v;
    }

    core::Result<std::optional<std::uint64_t>> number(std::string_view key, std::uint64_t lo,
                                                      std::uint64_t hi, bool sizes = false) {
        auto t = text(key);
        if (!t) {
            return core::fail(std::move(t.error()));
        }
        if (!*t) {
            return std::optional<std::uint64_t>{};
        }
        std::optional<std::uint64_t> v;
        if (sizes) {
            v = parse_size(**t);
        } else {
            std::uint64_t n = 0;
            const std::string& s = **t;
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec == std::errc() && end == s.data() + s.size()) {
                v = n;
            }
        }
        if (!v || *v < lo || *v > hi) {
            return core::fail(error(get(key), key,
                                    "'" + **t + "' is not " + (sizes ? "a size" : "a number") +
                                        " in " + std::to_string(lo) + ".." + std::to_string(hi)));
        }
        return v;
    }

    core::Result<std::optional<bool>> flag(std::string_view key) {
        auto t = text(key);
        if (!t) {
            return core::fail(std::move(t.error()));
        }
        if (!*t) {
            return std::optional<bool>{};
        }
        if (**t == "true" || **t == "yes" || **t == "on") {
            return std::optional<bool>(true);
        }
        if (**t == "false" || **t == "no" || **t == "off") {
            return std::optional<bool>(false);
        }
        return core::fail(error(get(key), key, "'" + **t + "' is not true or false"));
    }

    // Refuses keys nobody asked for (a typo must not silently fall back to a default).
    core::Result<void> finish() const {
        for (const auto& kv : node_) {
            auto key = kv.first.as<std::string>();
            if (!used_.contains(key)) {
                return core::fail(error(kv.first, key, "unknown key"));
            }
        }
        return {};
    }

    [[nodiscard]] const std::string& path() const { return path_; }

private:
    static std::uint64_t line_of(const YAML::Node& n) {
        return n ? static_cast<std::uint64_t>(n.Mark().line + 1) : 0;
    }

    YAML::Node node_;
    std::string path_;
    std::string_view origin_;
    std::set<std::string, std::less<>> used_;
};

#define CA_TRY(var, expr)                         \
    auto var = (expr);                            \
    if (!var) {                                   \
        return core::fail(std::move(var.error())); \
    }

bool is_loopback(const core::IpAddress& ip) {
    static const core::Cidr k4 = *core::Cidr::parse("127.0.0.0/8");
    static const core::Cidr k6 = *core::Cidr::parse("::1/128");
    return k4.contains(ip) || k6.contains(ip);
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
    std::filesystem::path path(p);
    return path.is_absolute() ? path : base / path;
}

core::Result<void> read_cidrs(Section& s, std::string_view key, std::string_view file_key,
                              const std::filesystem::path& base, core::CidrSet& out) {
    YAML::Node list = s.get(key);
    if (list) {
        if (!list.IsSequence()) {
            return core::fail(s.error(list, key, "expected a list of addresses or prefixes"));
        }
        for (const auto& item : list) {
            auto cidr = item.IsScalar() ? core::Cidr::parse(item.as<std::string>())
                                        : core::Result<core::Cidr>(core::fail(
                                              core::Error::invalid_argument("not a scalar")));
            if (!cidr) {
                return core::fail(s.error(item, key,
                                          "'" + (item.IsScalar() ? item.as<std::string>() : "") +
                                              "' is not an address or prefix"));
            }
            out.add(*cidr);
        }
    }
    CA_TRY(file, s.text(file_key));
    if (*file) {
        auto set = privacy::load_cidr_file(resolve(base, **file));
        if (!set) {
            return core::fail(s.error(s.get(file_key), file_key, set.error().to_string()));
        }
        out.merge(*set);
    }
    return {};
}

core::Result<InputKind> input_kind(Section& s, const std::string& type) {
    static const std::pair<std::string_view, InputKind> kKinds[] = {
        {"udp", InputKind::kUdp},   {"tcp", InputKind::kTcp},   {"tls", InputKind::kTls},
        {"relp", InputKind::kRelp}, {"file", InputKind::kFile}, {"stdin", InputKind::kStdin},
    };
    for (const auto& [name, kind] : kKinds) {
        if (type == name) {
            return kind;
        }
    }
    return core::fail(
        s.error(s.get("type"), "type", "'" + type + "' is not one of udp, tcp, tls, relp, file, stdin"));
}

core::Result<void> read_input(const YAML::Node& node, std::size_t i, std::string_view origin,
                              const std::filesystem::path& base, CollectorConfig& c) {
    Section s(node, "inputs[" + std::to_string(i) + "]", origin);
    if (!node.IsMap()) {
        return core::fail(s.error(node, "", "expected a mapping"));
    }
    InputConfig in;
    SourceSettings src;
    CA_TRY(name, s.text("name"));
    in.name = name->value_or("input" + std::to_string(i + 1));
    CA_TRY(type, s.required_text("type"));
    CA_TRY(kind, input_kind(s, *type));
    in.kind = *kind;
    bool network = in.kind == InputKind::kUdp || in.kind == InputKind::kTcp ||
                   in.kind == InputKind::kTls || in.kind == InputKind::kRelp;
    CA_TRY(address, s.text("address"));
    CA_TRY(port, s.number("port", 0, 65535));
    if (network) {
        in.address = address->value_or("127.0.0.1");
        if (!core::IpAddress::parse(in.address)) {
            return core::fail(
                s.error(s.get("address"), "address", "'" + in.address + "' is not an IP address"));
        }
        if (!*port) {
            return core::fail(s.error(YAML::Node(), "port", "is required for a " + *type + " input"));
        }
        in.port = static_cast<std::uint16_t>(**port);
    } else if (*address || *port) {
        return core::fail(s.error(s.get(*address ? "address" : "port"), *address ? "address" : "port",
                                  "only network inputs listen on an address"));
    }
    CA_TRY(path, s.text("path"));
    if (in.kind == InputKind::kFile) {
        if (!*path) {
            return core::fail(s.error(YAML::Node(), "path", "is required for a file input"));
        }
        in.path = resolve(base, **path);
    } else if (*path) {
        return core::fail(s.error(s.get("path"), "path", "only file inputs read a path"));
    }
    CA_TRY(from_end, s.flag("from_end"));
    in.from_end = from_end->value_or(false);
    CA_TRY(max_frame, s.number("max_frame", 256, 16u << 20, true));
    in.max_frame = max_frame->value_or(64 * 1024);
    src.max_line = in.max_frame;
    CA_TRY(max_conn, s.number("max_connections", 1, 100000));
    in.max_connections = max_conn->value_or(256);
    CA_TRY(rcvbuf, s.number("udp_receive_buffer", 64u << 10, 1u << 30, true));
    if (*rcvbuf) {
        if (in.kind != InputKind::kUdp) {
            return core::fail(s.error(s.get("udp_receive_buffer"), "udp_receive_buffer",
                                      "only udp inputs have a receive buffer to size"));
        }
        in.udp_receive_buffer = **rcvbuf;
    }
    CA_TRY(idle, s.number("idle_timeout_s", 1, 86'400));
    if (*idle) {
        in.idle_timeout = std::chrono::seconds(**idle);
    }

    YAML::Node tls = s.get("tls");
    if (tls) {
        if (in.kind != InputKind::kTls && in.kind != InputKind::kRelp) {
            return core::fail(s.error(tls, "tls", "only tls and relp inputs take TLS settings"));
        }
        Section t(tls, s.path() + ".tls", origin);
        CA_TRY(cert, t.required_text("cert"));
        CA_TRY(key, t.required_text("key"));
        CA_TRY(ca, t.text("ca"));
        CA_TRY(require, t.flag("require_client_cert"));
        in.tls_cert = resolve(base, *cert);
        in.tls_key = resolve(base, *key);
        if (*ca) {
            in.tls_ca = resolve(base, **ca);
        }
        in.tls_require_client_cert = require->value_or(false);
        if (in.tls_require_client_cert && in.tls_ca.empty()) {
            return core::fail(t.error(YAML::Node(), "ca", "is required with require_client_cert"));
        }
        if (auto r = t.finish(); !r) {
            return r;
        }
    } else if (in.kind == InputKind::kTls) {
        return core::fail(s.error(YAML::Node(), "tls", "is required for a tls input"));
    }

    CA_TRY(format, s.text("format"));
    if (*format && **format != "auto") {
        src.format = parse::find_format(**format);
        if (!src.format) {
            return core::fail(s.error(s.get("format"), "format",
                                      "unknown format '" + **format + "' (see cyberalarm parse --help)"));
        }
    }
    CA_TRY(tz, s.text("timezone"));
    if (*tz) {
        auto zone = core::TimeZone::parse(**tz);
        if (!zone) {
            return core::fail(s.error(s.get("timezone"), "timezone", zone.error().message()));
        }
        src.tz = *zone;
    }
    CA_TRY(observer, s.text("observer"));
    src.observer = observer->value_or("");
    if (auto r = s.finish(); !r) {
        return r;
    }
    in.state_dir = c.state_dir;
    c.inputs.push_back(std::move(in));
    c.sources.push_back(std::move(src));
    return {};
}

core::Result<void> read_spool(Section& s, const std::filesystem::path& base, CollectorConfig& c) {
    CA_TRY(dir, s.text("dir"));
    c.spool_dir = *dir ? resolve(base, **dir) : c.state_dir / "spool";
    CA_TRY(max_bytes, s.number("max_bytes", 1u << 20, 1ull << 50, true));
    CA_TRY(segment, s.number("segment_bytes", 64u << 10, 1ull << 32, true));
    if (*max_bytes) c.spool.max_bytes = **max_bytes;
    if (*segment) c.spool.segment_bytes = **segment;
    if (c.spool.segment_bytes < c.spool.max_record_bytes + 64) {
        return core::fail(s.error(s.get("segment_bytes"), "segment_bytes",
                                  "must hold the largest event: at least " +
                                      std::to_string(c.spool.max_record_bytes + 64) +
                                      " bytes with inputs' max_frame as configured"));
    }
    if (c.spool.segment_bytes * 2 > c.spool.max_bytes) {
        return core::fail(s.error(s.get("segment_bytes"), "segment_bytes",
                                  "must be at most half of max_bytes"));
    }
    CA_TRY(fsync, s.text("fsync"));
    if (*fsync) {
        if (**fsync == "always") {
            c.spool.fsync = spool::FsyncPolicy::kAlways;
        } else if (**fsync == "interval") {
            c.spool.fsync = spool::FsyncPolicy::kInterval;
        } else if (**fsync == "never") {
            c.spool.fsync = spool::FsyncPolicy::kNever;
        } else {
            return core::fail(s.error(s.get("fsync"), "fsync",
                                      "'" + **fsync + "' is not always, interval or never"));
        }
    }
    CA_TRY(interval, s.number("fsync_interval_ms", 1, 3'600'000));
    if (*interval) c.spool.fsync_interval = std::chrono::milliseconds(**interval);
    CA_TRY(full, s.text("when_full"));
    if (*full) {
        if (**full == "drop_oldest") {
            c.spool.when_full = spool::FullPolicy::kDropOldest;
        } else if (**full == "refuse_new") {
            c.spool.when_full = spool::FullPolicy::kRefuseNew;
        } else {
            return core::fail(s.error(s.get("when_full"), "when_full",
                                      "'" + **full + "' is not drop_oldest or refuse_new"));
        }
    }
    return s.finish();
}

core::Result<void> read_uplink(Section& s, const std::filesystem::path& base, CollectorConfig& c) {
    UplinkConfig& u = c.uplink;
    CA_TRY(server, s.required_text("server"));
    u.server = *server;
    if (!u.server.starts_with("https://")) {
        return core::fail(s.error(s.get("server"), "server",
                                  "'" + u.server + "' must be an https:// URL (mutual TLS)"));
    }
    CA_TRY(ca, s.text("ca"));
    CA_TRY(cert, s.text("cert"));
    CA_TRY(key, s.text("key"));
    u.ca_file = *ca ? resolve(base, **ca) : c.state_dir / "server-ca.pem";
    u.cert_file = *cert ? resolve(base, **cert) : c.state_dir / "cert.pem";
    u.key_file = *key ? resolve(base, **key) : c.state_dir / "key.pem";
    CA_TRY(events, s.number("batch_max_events", 1, 1'000'000));
    CA_TRY(bytes, s.number("batch_max_bytes", 4096, 64u << 20, true));
    CA_TRY(level, s.number("zstd_level", 1, 19));
    CA_TRY(initial, s.number("backoff_initial_ms", 1, 3'600'000));
    CA_TRY(max, s.number("backoff_max_ms", 1, 86'400'000));
    CA_TRY(timeout, s.number("timeout_ms", 100, 3'600'000));
    if (*events) u.batch_max_events = **events;
    if (*bytes) u.batch_max_bytes = **bytes;
    if (*level) u.zstd_level = static_cast<int>(**level);
    if (*initial) u.backoff_initial = std::chrono::milliseconds(**initial);
    if (*max) u.backoff_max = std::chrono::milliseconds(**max);
    if (*timeout) u.timeout = std::chrono::milliseconds(**timeout);
    if (u.backoff_max < u.backoff_initial) {
        return core::fail(s.error(s.get("backoff_max_ms"), "backoff_max_ms",
                                  "must not be below backoff_initial_ms"));
    }
    return s.finish();
}

core::Result<void> read_status(Section& s, const std::filesystem::path& base, CollectorConfig& c) {
    CA_TRY(socket, s.text("socket"));
    c.status.socket = *socket ? resolve(base, **socket) : c.state_dir / "status.sock";
    CA_TRY(metrics, s.text("metrics"));
    if (*metrics && !(*metrics)->empty()) {
        const std::string& m = **metrics;
        auto colon = m.rfind(':');
        std::uint16_t port = 0;
        auto [end, ec] = colon == std::string::npos
                             ? std::from_chars_result{nullptr, std::errc::invalid_argument}
                             : std::from_chars(m.data() + colon + 1, m.data() + m.size(), port);
        std::string host = colon == std::string::npos ? m : m.substr(0, colon);
        if (!host.empty() && host.front() == '[' && host.back() == ']') {
            host = host.substr(1, host.size() - 2);
        }
        auto ip = core::IpAddress::parse(host);
        // Port 0 takes any free port (tests; status names the port).
        if (ec != std::errc() || end != m.data() + m.size() || !ip) {
            return core::fail(s.error(s.get("metrics"), "metrics",
                                      "'" + m + "' is not address:port (e.g. 127.0.0.1:9464)"));
        }
        if (!is_loopback(*ip)) {
            return core::fail(s.error(s.get("metrics"), "metrics",
                                      "metrics are served on a loopback address only, not " + host));
        }
        c.status.metrics_address = host;
        c.status.metrics_port = port;
    }
    return s.finish();
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data()) {
        return std::nullopt;
    }
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    while (!unit.empty() && unit.front() == ' ') {
        unit.remove_prefix(1);
    }
    static const std::pair<std::string_view, int> kUnits[] = {
        {"", 0}, {"B", 0}, {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40},
        {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40},
    };
    for (const auto& [name, shift] : kUnits) {
        if (unit == name) {
            if (shift > 0 && n > (~std::uint64_t{0} >> shift)) {
                return std::nullopt;
            }
            return n << shift;
        }
    }
    return std::nullopt;
}

core::Result<CollectorConfig> parse_config(std::string_view text, std::string_view origin,
                                           const std::filesystem::path& base_dir) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        return core::fail(core::Error::parse(std::string(origin) + ":" +
                                             std::to_string(e.mark.line + 1) + ": " + e.msg)
                              .at_line(static_cast<std::uint64_t>(e.mark.line + 1)));
    }
    if (!root.IsMap()) {
        return core::fail(core::Error::invalid_argument(std::string(origin) +
                                                        ": expected a mapping at the top"));
    }
    CollectorConfig c;
    c.origin = std::filesystem::path(origin);
    try {
        Section top(root, "", origin);
        YAML::Node coll = top.get("collector");
        Section cs(coll ? coll : YAML::Node(YAML::NodeType::Map), "collector", origin);
        CA_TRY(name, cs.text("name"));
        CA_TRY(user, cs.text("user"));
        CA_TRY(state, cs.text("state_dir"));
        c.name = name->value_or("collector");
        c.user = user->value_or("");
        c.state_dir = *state ? resolve(base_dir, **state)
                             : std::filesystem::path("/var/lib/cyberalarm-collector");
        if (auto r = cs.finish(); !r) return core::fail(std::move(r.error()));

        YAML::Node member = top.get("member");
        if (!member) {
            return core::fail(top.error(YAML::Node(), "member",
                                        "is required (the member's internal networks)"));
        }
        Section ms(member, "member", origin);
        if (auto r = read_cidrs(ms, "internal_networks", "internal_networks_file", base_dir,
                                c.member.internal);
            !r) {
            return core::fail(std::move(r.error()));
        }
        if (auto r = read_cidrs(ms, "trusted_sources", "trusted_sources_file", base_dir,
                                c.member.trusted);
            !r) {
            return core::fail(std::move(r.error()));
        }
        if (c.member.internal.empty()) {
            return core::fail(ms.error(YAML::Node(), "internal_networks",
                                       "at least one internal network is required, so internal "
                                       "traffic can be dropped and addresses pseudonymised"));
        }
        CA_TRY(pseudo, ms.flag("pseudonymise"));
        c.member.pseudonymise = pseudo->value_or(true);
        CA_TRY(pkey, ms.text("pseudonym_key_file"));
        c.member.pseudonym_key_file =
            *pkey ? resolve(base_dir, **pkey) : c.state_dir / "pseudonym.key";
        CA_TRY(hkey, ms.text("hash_key_file"));
        c.member.hash_key_file = *hkey ? resolve(base_dir, **hkey) : c.state_dir / "hash.key";
        if (auto r = ms.finish(); !r) return core::fail(std::move(r.error()));

        YAML::Node inputs = top.get("inputs");
        if (!inputs || !inputs.IsSequence() || inputs.size() == 0) {
            return core::fail(top.error(inputs, "inputs", "expected a list of at least one input"));
        }
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (auto r = read_input(inputs[i], i, origin, base_dir, c); !r) {
                return core::fail(std::move(r.error()));
            }
        }
        for (std::size_t i = 0; i < c.inputs.size(); ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (c.inputs[i].name == c.inputs[j].name) {
                    return core::fail(top.error(inputs[i]["name"], "inputs",
                                                "two inputs are named '" + c.inputs[i].name + "'"));
                }
            }
        }

        // A spooled event is never larger than the line it came from plus its fixed fields.
        std::size_t longest = 0;
        for (const auto& in : c.inputs) {
            longest = std::max(longest, in.max_frame);
        }
        c.spool.max_record_bytes = longest + 4096;
        YAML::Node sp = top.get("spool");
        Section ss(sp ? sp : YAML::Node(YAML::NodeType::Map), "spool", origin);
        if (auto r = read_spool(ss, base_dir, c); !r) return core::fail(std::move(r.error()));

        YAML::Node up = top.get("uplink");
        if (up) {
            Section us(up, "uplink", origin);
            if (auto r = read_uplink(us, base_dir, c); !r) return core::fail(std::move(r.error()));
        }

        YAML::Node st = top.get("status");
        Section sts(st ? st : YAML::Node(YAML::NodeType::Map), "status", origin);
        if (auto r = read_status(sts, base_dir, c); !r) return core::fail(std::move(r.error()));

        if (auto r = top.finish(); !r) return core::fail(std::move(r.error()));
    } catch (const YAML::Exception& e) {
        return core::fail(core::Error::invalid_argument(std::string(origin) + ":" +
                                                        std::to_string(e.mark.line + 1) + ": " +
                                                        e.msg)
                              .at_line(static_cast<std::uint64_t>(e.mark.line + 1)));
    }
    return c;
}

core::Result<CollectorConfig> load_config(const std::filesystem::path& file) {
    // The configuration decides what the collector reads, where it writes and whom it
    // trusts: one that others may change is refused (install it 0600, owned by root).
    std::error_code ec;
    const auto mode = std::filesystem::status(file, ec).permissions();
    using std::filesystem::perms;
    if (!ec && (mode & (perms::group_write | perms::others_write)) != perms::none) {
        return core::fail(core::Error(core::ErrorCode::kPermissionDenied,
                                      file.string() + ": group or others may write this "
                                                      "configuration; chmod 600 it"));
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return core::fail(core::Error::io("cannot read configuration " + file.string()));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > (1u << 20)) {
        return core::fail(core::Error::invalid_argument(file.string() +
                                                        ": configuration larger than 1 MiB"));
    }
    return parse_config(text.str(), file.string(), file.parent_path());
}

}  // namespace cyberalarm::collector
