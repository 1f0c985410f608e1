#include "collector/daemon.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "collector/inputs.h"
#include "collector/pipeline.h"
#include "collector/privileges.h"
#include "collector/status.h"
#include "privacy/crypto_pan.h"
#include "privacy/key_file.h"
#include "privacy/policy.h"
#include "spool/spool.h"
#include "uplink/client.h"

namespace cyberalarm::collector {

namespace {

using Clock = std::chrono::steady_clock;

// A key file, made (0600) on first start. A key that exists but cannot be read is an error:
// silently making a new one would change every pseudonym.
core::Result<privacy::Key> key(const std::filesystem::path& path) {
    auto k = privacy::load_key_file(path);
    if (k || k.error().code() != core::ErrorCode::kNotFound) {
        return k;
    }
    std::fprintf(stderr, "cyberalarm-collector: creating key %s\n", path.c_str());
    return privacy::write_new_key_file(path);
}

core::Result<void> make_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return core::fail(core::Error::io("creating " + dir.string() + ": " + ec.message()));
    }
    ::chmod(dir.c_str(), 0700);
    return {};
}

struct Running {
    explicit Running(const CollectorConfig& c) : config(c) {}
    const CollectorConfig& config;
    std::unique_ptr<spool::Spool> spool;
    std::optional<privacy::Policy> policy;
    std::unique_ptr<Pipeline> pipeline;
    std::vector<std::unique_ptr<Input>> inputs;
    std::unique_ptr<uplink::Uplink> uplink;
    std::unique_ptr<StatusServer> status;
    std::unique_ptr<MetricsServer> metrics;
    Clock::time_point started = Clock::now();
};

nlohmann::json status_json(const Running& r) {
    using nlohmann::json;
    json doc;
    doc["collector"] = r.config.name;
    doc["pid"] = static_cast<std::int64_t>(::getpid());
    doc["uptime_seconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - r.started).count();
    json inputs = json::array();
    for (std::size_t i = 0; i < r.inputs.size(); ++i) {
        const InputConfig& ic = r.config.inputs[i];
        auto s = r.inputs[i]->stats();
        auto c = r.pipeline->counters(i);
        json in = {
            {"name", ic.name},
            {"type", std::string(to_string(ic.kind))},
            {"frames", s.frames},
            {"bytes", s.bytes},
            {"oversize", s.oversize},
            {"malformed", s.malformed},
            {"connections", s.connections},
            {"active_connections", s.active_connections},
            {"rejected_connections", s.rejected_connections},
            {"tls_failures", s.tls_failures},
            {"udp_datagrams", s.udp_datagrams},
            {"udp_drops", s.udp_drops},
            {"rotations", s.rotations},
            {"truncations", s.truncations},
            {"input_errors", s.errors},
            {"lines", c.lines},
            {"events", c.events},
            {"ignored", c.ignored},
            {"parse_errors", c.errors},
            {"truncated_lines", c.truncated},
            {"dropped_internal", c.policy.dropped_internal},
            {"dropped_trusted", c.policy.dropped_trusted},
            {"pseudonymised", c.policy.pseudonymised},
            {"fields_cleared", c.policy.fields_cleared},
            {"fields_scrubbed", c.policy.fields_scrubbed},
            {"spooled", c.spooled},
            {"spool_errors", c.spool_errors},
        };
        if (ic.kind == InputKind::kFile) {
            in["path"] = ic.path.string();
        } else if (ic.kind != InputKind::kStdin) {
            in["listen"] = ic.address + ":" + std::to_string(r.inputs[i]->bound_port());
        }
        std::string err = !c.last_error.empty() ? c.last_error : s.last_error;
        if (!err.empty()) {
            in["last_error"] = err;
        }
        inputs.push_back(std::move(in));
    }
    doc["inputs"] = std::move(inputs);
    if (r.metrics) {
        doc["metrics"] = r.config.status.metrics_address + ":" + std::to_string(r.metrics->port());
    }
    auto sp = r.spool->stats();
    doc["spool"] = {
        {"dir", r.config.spool_dir.string()},
        {"pending", sp.pending},
        {"appended", sp.appended},
        {"acked", sp.acked},
        {"segments", sp.segments},
        {"disk_bytes", sp.disk_bytes},
        {"max_bytes", r.config.spool.max_bytes},
        {"dropped_oldest", sp.dropped_oldest},
        {"refused", sp.refused},
        {"torn_bytes_cut", sp.torn_bytes_cut},
        {"corrupt_skipped", sp.corrupt_skipped},
        {"write_errors", sp.write_errors},
        {"next_seq", sp.next_seq},
        {"acked_seq", sp.acked_seq},
    };
    if (!sp.last_error.empty()) {
        doc["spool"]["last_error"] = sp.last_error;
    }
    if (r.uplink) {
        auto u = r.uplink->stats();
        doc["uplink"] = {
            {"server", r.config.uplink.server},
            {"batches_sent", u.batches_sent},
            {"events_sent", u.events_sent},
            {"bytes_sent", u.bytes_sent},
            {"retries", u.retries},
            {"errors", u.errors},
            {"server_duplicates", u.server_duplicates},
            {"acked_seq", u.acked_seq},
            {"last_success_unix_ns", u.last_success_unix_ns},
        };
        if (!u.last_error.empty()) {
            doc["uplink"]["last_error"] = u.last_error;
        }
    } else {
        doc["uplink"] = {{"server", nullptr}};
    }
    return doc;
}

// Prometheus text exposition of the same counters.
std::string metrics_text(const Running& r) {
    auto doc = status_json(r);
    std::string out;
    auto metric = [&](const char* name, const char* type, const char* help) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    };
    struct PerInput {
        const char* key;
        const char* name;
        const char* help;
    };
    static constexpr PerInput kInputMetrics[] = {
        {"frames", "cyberalarm_collector_input_frames_total", "Lines received."},
        {"oversize", "cyberalarm_collector_input_oversize_total", "Frames cut at max_frame."},
        {"malformed", "cyberalarm_collector_input_malformed_total", "Frames that could not be delimited."},
        {"rejected_connections", "cyberalarm_collector_input_rejected_connections_total", "Connections over the cap."},
        {"udp_drops", "cyberalarm_collector_input_udp_drops_total", "Datagrams the kernel dropped."},
        {"events", "cyberalarm_collector_input_events_total", "Lines parsed into events."},
        {"parse_errors", "cyberalarm_collector_input_parse_errors_total", "Unparseable lines."},
        {"dropped_internal", "cyberalarm_collector_input_dropped_internal_total", "Internal-to-internal events dropped."},
        {"dropped_trusted", "cyberalarm_collector_input_dropped_trusted_total", "Events from trusted sources dropped."},
        {"spooled", "cyberalarm_collector_input_spooled_total", "Events written to the spool."},
        {"spool_errors", "cyberalarm_collector_input_spool_errors_total", "Events the spool refused."},
    };
    for (const auto& m : kInputMetrics) {
        metric(m.name, "counter", m.help);
        for (const auto& in : doc["inputs"]) {
            out += m.name;
            out += "{input=\"" + in["name"].get<std::string>() + "\"} " +
                   std::to_string(in[m.key].get<std::uint64_t>()) + "\n";
        }
    }
    auto gauge = [&](const char* name, const char* type, const char* help, std::uint64_t v) {
        metric(name, type, help);
        out += name;
        out += ' ' + std::to_string(v) + '\n';
    };
    const auto& sp = doc["spool"];
    gauge("cyberalarm_collector_spool_pending_events", "gauge", "Events spooled, not yet acknowledged.", sp["pending"].get<std::uint64_t>());
    gauge("cyberalarm_collector_spool_disk_bytes", "gauge", "Bytes of spool segments on disk.", sp["disk_bytes"].get<std::uint64_t>());
    gauge("cyberalarm_collector_spool_dropped_oldest_total", "counter", "Unacknowledged events deleted to make room.", sp["dropped_oldest"].get<std::uint64_t>());
    gauge("cyberalarm_collector_spool_refused_total", "counter", "Events refused because the spool was full.", sp["refused"].get<std::uint64_t>());
    gauge("cyberalarm_collector_spool_write_errors_total", "counter", "Failed spool writes.", sp["write_errors"].get<std::uint64_t>());
    if (doc["uplink"].contains("events_sent")) {
        const auto& u = doc["uplink"];
        gauge("cyberalarm_collector_uplink_events_total", "counter", "Events the server acknowledged.", u["events_sent"].get<std::uint64_t>());
        gauge("cyberalarm_collector_uplink_bytes_total", "counter", "Compressed bytes sent.", u["bytes_sent"].get<std::uint64_t>());
        gauge("cyberalarm_collector_uplink_errors_total", "counter", "Failed uploads.", u["errors"].get<std::uint64_t>());
        gauge("cyberalarm_collector_uplink_last_success_seconds", "gauge", "Unix time of the last acknowledged batch.",
              static_cast<std::uint64_t>(u["last_success_unix_ns"].get<std::int64_t>() / 1'000'000'000));
    }
    return out;
}

sigset_t termination_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

core::Result<void> run_collector(const CollectorConfig& config, const std::atomic<bool>* stop) {
    // Every thread started from here on inherits the blocked set; the main thread waits.
    sigset_t signals = termination_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    Running r(config);
    if (auto ok = make_private_dir(config.state_dir); !ok) {
        return ok;
    }
    // Keys: read (or made) while still privileged.
    auto hash_key = key(config.member.hash_key_file);
    if (!hash_key) {
        return core::fail(std::move(hash_key.error()).context("hash key"));
    }
    privacy::PolicyOptions po;
    po.internal_networks = config.member.internal;
    po.trusted_sources = config.member.trusted;
    po.scrub_key = *hash_key;
    if (config.member.pseudonymise) {
        auto pk = key(config.member.pseudonym_key_file);
        if (!pk) {
            return core::fail(std::move(pk.error()).context("pseudonym key"));
        }
        auto cp = privacy::CryptoPan::from_key(*pk);
        if (!cp) {
            return core::fail(std::move(cp.error()));
        }
        po.pseudonymiser.emplace(std::move(*cp));
    }
    auto policy = privacy::Policy::create(std::move(po));
    if (!policy) {
        return core::fail(std::move(policy.error()));
    }
    r.policy.emplace(std::move(*policy));

    auto spool = spool::Spool::open(config.spool_dir, config.spool);
    if (!spool) {
        return core::fail(std::move(spool.error()).context("spool " + config.spool_dir.string()));
    }
    r.spool = std::move(*spool);

    // Sockets, bound while privileged.
    for (const auto& ic : config.inputs) {
        auto in = make_input(ic);
        if (!in) {
            return core::fail(std::move(in.error()).context("input " + ic.name));
        }
        if (auto b = (*in)->bind(); !b) {
            return core::fail(std::move(b.error()).context("input " + ic.name));
        }
        r.inputs.push_back(std::move(*in));
    }
    if (!config.status.socket.empty()) {
        if (auto made = make_private_dir(config.status.socket.parent_path()); !made) {
            return made;
        }
        auto st = StatusServer::bind(config.status.socket);
        if (!st) {
            return core::fail(std::move(st.error()));
        }
        r.status = std::move(*st);
    }
    if (!config.status.metrics_address.empty()) {
        auto m = MetricsServer::bind(config.status.metrics_address, config.status.metrics_port);
        if (!m) {
            return core::fail(std::move(m.error()));
        }
        r.metrics = std::move(*m);
    }
    if (!config.uplink.server.empty()) {
        uplink::UplinkOptions uo;
        uo.server_url = config.uplink.server;
        uo.ca_file = config.uplink.ca_file;
        uo.cert_file = config.uplink.cert_file;
        uo.key_file = config.uplink.key_file;
        uo.max_batch_records = config.uplink.batch_max_events;
        uo.max_batch_bytes = config.uplink.batch_max_bytes;
        uo.zstd_level = config.uplink.zstd_level;
        uo.io_timeout = config.uplink.timeout;
        uo.backoff.initial = config.uplink.backoff_initial;
        uo.backoff.max = config.uplink.backoff_max;
        auto up = uplink::Uplink::create(*r.spool, std::move(uo));  // loads the TLS files now
        if (!up) {
            return core::fail(std::move(up.error()).context("uplink"));
        }
        r.uplink = std::move(*up);
    }

    // Now nothing privileged is left to do.
    std::vector<std::filesystem::path> own = {config.state_dir, config.spool_dir};
    if (!config.status.socket.empty()) {
        own.push_back(config.status.socket.parent_path());
    }
    if (auto d = drop_privileges(config.user, own); !d) {
        return d;
    }

    r.pipeline = std::make_unique<Pipeline>(config.sources, *hash_key, *r.policy, *r.spool);
    for (std::size_t i = 0; i < r.inputs.size(); ++i) {
        if (auto s = r.inputs[i]->start(*r.pipeline, i); !s) {
            for (std::size_t j = 0; j < i; ++j) {
                r.inputs[j]->stop();
            }
            return core::fail(std::move(s.error()).context("input " + config.inputs[i].name));
        }
    }
    if (r.uplink) {
        r.uplink->start();
    }
    if (r.status) {
        r.status->start([&r] { return status_json(r).dump(2) + "\n"; });
    }
    if (r.metrics) {
        r.metrics->start([&r] { return metrics_text(r); });
    }
    std::fprintf(stderr, "cyberalarm-collector: %s running: %zu inputs, spool %s\n",
                 config.name.c_str(), r.inputs.size(), config.spool_dir.c_str());

    for (;;) {
        timespec tick{0, 200'000'000};
        int sig = sigtimedwait(&signals, nullptr, &tick);
        if (sig > 0 || (stop != nullptr && stop->load())) {
            if (sig > 0) {
                std::fprintf(stderr, "cyberalarm-collector: signal %d, stopping\n", sig);
            }
            break;
        }
    }
    // Inputs first (file positions saved after their last accepted line), then the uplink,
    // then the spool is synced.
    for (std::size_t i = 0; i < r.inputs.size(); ++i) {
        r.inputs[i]->stop();
        r.pipeline->flush(i);  // an input stopped between a line and its flush
    }
    if (r.uplink) {
        r.uplink->stop();
    }
    if (r.metrics) {
        r.metrics->stop();
    }
    if (r.status) {
        r.status->stop();
    }
    if (auto s = r.spool->sync(); !s) {
        return core::fail(std::move(s.error()));
    }
    return {};
}

std::string format_status_text(const std::string& status_json) {
    auto doc = nlohmann::json::parse(status_json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return status_json;
    }
    std::string out;
    auto num = [](const nlohmann::json& j, const char* k) -> std::string {
        return j.contains(k) ? j[k].dump() : "-";
    };
    out += "collector " + doc.value("collector", std::string("?")) + ", up " +
           num(doc, "uptime_seconds") + " s\n\ninputs:\n";
    for (const auto& in : doc["inputs"]) {
        out += "  " + in.value("name", std::string("?")) + " (" + in.value("type", std::string("?")) +
               (in.contains("listen") ? " " + in["listen"].get<std::string>() : "") +
               (in.contains("path") ? " " + in["path"].get<std::string>() : "") + ")\n";
        out += "    lines " + num(in, "lines") + ", events " + num(in, "events") + ", spooled " +
               num(in, "spooled") + ", parse errors " + num(in, "parse_errors") +
               ", dropped internal " + num(in, "dropped_internal") + ", trusted " +
               num(in, "dropped_trusted") + "\n";
        out += "    oversize " + num(in, "oversize") + ", malformed " + num(in, "malformed") +
               ", connections " + num(in, "active_connections") + " open / " +
               num(in, "rejected_connections") + " refused, udp drops " + num(in, "udp_drops") +
               "\n";
        if (in.contains("last_error")) {
            out += "    last error: " + in["last_error"].get<std::string>() + "\n";
        }
    }
    const auto& sp = doc["spool"];
    out += "\nspool " + sp.value("dir", std::string("?")) + ": " + num(sp, "pending") +
           " pending, " + num(sp, "disk_bytes") + " of " + num(sp, "max_bytes") +
           " bytes, dropped oldest " + num(sp, "dropped_oldest") + ", refused " +
           num(sp, "refused") + ", write errors " + num(sp, "write_errors") + "\n";
    if (sp.contains("last_error")) {
        out += "  last error: " + sp["last_error"].get<std::string>() + "\n";
    }
    const auto& up = doc["uplink"];
    if (up.contains("events_sent")) {
        std::int64_t last = up["last_success_unix_ns"].get<std::int64_t>();
        out += "\nuplink " + up.value("server", std::string("?")) + ": " + num(up, "events_sent") +
               " events in " + num(up, "batches_sent") + " batches, last upload " +
               (last > 0 ? core::format_iso8601(last) : std::string("never")) + ", errors " +
               num(up, "errors") + "\n";
        if (up.contains("last_error")) {
            out += "  last error: " + up["last_error"].get<std::string>() + "\n";
        }
    } else {
        out += "\nuplink: none configured (spool only)\n";
    }
    return out;
}

}  // namespace cyberalarm::collector
