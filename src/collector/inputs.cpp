#include "collector/inputs.h"

#include "collector/inputs_impl.h"

namespace cyberalarm::collector {

namespace {

// Bounds that keep one input's memory sane whatever the configuration says.
constexpr std::size_t kMinFrame = 256;
constexpr std::size_t kMaxFrame = 16u << 20;
constexpr std::size_t kMaxConnections = 100'000;

core::Error config_error(const InputConfig& c, const std::string& what) {
    std::string name = c.name.empty() ? std::string(to_string(c.kind)) : c.name;
    return core::Error::invalid_argument("input '" + name + "': " + what);
}

bool is_network(InputKind kind) {
    return kind == InputKind::kUdp || kind == InputKind::kTcp || kind == InputKind::kTls ||
           kind == InputKind::kRelp;
}

core::Result<void> check(const InputConfig& c) {
    if (is_network(c.kind)) {
        if (!core::IpAddress::parse(c.address)) {
            return core::fail(config_error(c, "'" + c.address + "' is not an IP address"));
        }
        if (c.max_frame < kMinFrame || c.max_frame > kMaxFrame) {
            return core::fail(config_error(c, "max_frame must be between 256 bytes and 16 MiB"));
        }
        if (c.max_connections < 1 || c.max_connections > kMaxConnections) {
            return core::fail(config_error(c, "max_connections must be between 1 and 100000"));
        }
        if (c.idle_timeout.count() <= 0 || c.handshake_timeout.count() <= 0) {
            return core::fail(config_error(c, "timeouts must be positive"));
        }
    }
    bool tls = c.kind == InputKind::kTls || (c.kind == InputKind::kRelp && !c.tls_cert.empty());
    if (tls && (c.tls_cert.empty() || c.tls_key.empty())) {
        return core::fail(config_error(c, "TLS needs a certificate and a key"));
    }
    if (c.tls_require_client_cert && c.tls_ca.empty()) {
        return core::fail(config_error(c, "requiring client certificates needs a CA file"));
    }
    if (c.kind == InputKind::kFile) {
        if (c.path.empty()) {
            return core::fail(config_error(c, "a file input needs a path"));
        }
        if (c.poll_interval.count() <= 0 || c.state_interval.count() < 0 ||
            c.rotation_grace.count() < 0) {
            return core::fail(config_error(c, "intervals must not be negative"));
        }
    }
    if ((c.kind == InputKind::kFile || c.kind == InputKind::kStdin) &&
        (c.max_frame < kMinFrame || c.max_frame > kMaxFrame)) {
        return core::fail(config_error(c, "max_frame must be between 256 bytes and 16 MiB"));
    }
    return {};
}

}  // namespace

std::string_view to_string(InputKind kind) {
    switch (kind) {
        case InputKind::kUdp:
            return "udp";
        case InputKind::kTcp:
            return "tcp";
        case InputKind::kTls:
            return "tls";
        case InputKind::kRelp:
            return "relp";
        case InputKind::kFile:
            return "file";
        case InputKind::kStdin:
            return "stdin";
    }
    return "unknown";
}

void InputStats::record_error(std::string message) {
    errors.fetch_add(1, std::memory_order_relaxed);
    note(std::move(message));
}

void InputStats::note(std::string message) {
    std::lock_guard lock(mu_);
    last_error_ = std::move(message);
}

InputStatsSnapshot InputStats::snapshot() const {
    InputStatsSnapshot s;
    auto get = [](const std::atomic<std::uint64_t>& v) {
        return v.load(std::memory_order_relaxed);
    };
    s.frames = get(frames);
    s.bytes = get(bytes);
    s.oversize = get(oversize);
    s.malformed = get(malformed);
    s.connections = get(connections);
    s.active_connections = get(active_connections);
    s.rejected_connections = get(rejected_connections);
    s.idle_timeouts = get(idle_timeouts);
    s.tls_failures = get(tls_failures);
    s.errors = get(errors);
    s.udp_datagrams = get(udp_datagrams);
    s.udp_drops = get(udp_drops);
    s.truncations = get(truncations);
    s.rotations = get(rotations);
    std::lock_guard lock(mu_);
    s.last_error = last_error_;
    return s;
}

core::Result<std::unique_ptr<Input>> make_input(const InputConfig& config) {
    if (auto ok = check(config); !ok) {
        return core::fail(ok.error());
    }
    switch (config.kind) {
        case InputKind::kUdp:
            return detail::make_udp_input(config);
        case InputKind::kTcp:
        case InputKind::kTls:
            return detail::make_stream_input(config);
        case InputKind::kRelp:
            return detail::make_relp_input(config);
        case InputKind::kFile:
            return detail::make_tail_input(config);
        case InputKind::kStdin:
            return detail::make_stdin_input(config);
    }
    return core::fail(config_error(config, "unknown input kind"));
}

}  // namespace cyberalarm::collector
