#include "server/clock.h"
#include "server/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "intel/importers.h"
#include "scan/verify.h"
#include "server/api/api.h"
#include "server/detection.h"
#include "server/ingest_service.h"
#include "server/listener.h"
#include "server/notify.h"
#include "server/scan_service.h"
#include "store/sqlite/sqlite_store.h"

namespace cyberalarm::server {

namespace {

// Built-in rules, then the rules directory's (a rule with the same id replaces).
core::Result<std::vector<detect::Rule>> load_rules(const ServerConfig& config) {
    std::vector<detect::Rule> rules;
    if (config.builtin_rules) {
        auto builtin = detect::builtin_rules();
        if (!builtin) {
            return core::fail(std::move(builtin.error()).context("built-in rules"));
        }
        rules = std::move(*builtin);
    }
    if (!config.rules_dir.empty()) {
        auto extra = detect::load_rules_dir(config.rules_dir);
        if (!extra) {
            return core::fail(std::move(extra.error()).context("detection.rules_dir"));
        }
        // A rule of the directory replaces a built-in one with its id.
        for (auto& rule : *extra) {
            auto same = std::find_if(rules.begin(), rules.end(),
                                     [&](const detect::Rule& r) { return r.id == rule.id; });
            if (same == rules.end()) {
                rules.push_back(std::move(rule));
            } else {
                *same = std::move(rule);
            }
        }
    }
    return rules;
}

// The configured intel files, or every file in <data-dir>/intel/ when none are configured.
core::Result<std::shared_ptr<const intel::IntelSet>> load_intel(const ServerConfig& config,
                                                                const DataDir& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& f : config.intel_files) {
        files.push_back(f.is_absolute() ? f : dir.root / f);
    }
    std::error_code ec;
    if (files.empty() && std::filesystem::is_directory(dir.intel_dir(), ec)) {
        for (const auto& entry : std::filesystem::directory_iterator(dir.intel_dir(), ec)) {
            if (entry.is_regular_file(ec)) {
                files.push_back(entry.path());
            }
        }
        std::sort(files.begin(), files.end());
    }
    if (files.empty()) {
        return std::shared_ptr<const intel::IntelSet>();
    }
    auto set = std::make_shared<intel::IntelSet>();
    for (const auto& f : files) {
        intel::ImportOptions io;
        io.source = f.filename().string();
        auto stats = intel::import_file(f.string(), io, *set);
        if (!stats) {
            return core::fail(std::move(stats.error()).context("threat intel " + f.string()));
        }
        spdlog::info("event=intel_loaded file={} indicators={} skipped={}", f.string(),
                     stats->added, stats->skipped);
    }
    set->seal();
    return std::shared_ptr<const intel::IntelSet>(std::move(set));
}

ListenerOptions listener_options(const ServerConfig& c, std::string name,
                                 const ListenConfig& listen) {
    ListenerOptions o;
    o.name = std::move(name);
    o.address = listen.address;
    o.port = listen.port;
    o.max_connections = c.max_connections;
    o.max_header_bytes = c.max_header_bytes;
    o.handshake_timeout = c.handshake_timeout;
    o.header_timeout = c.header_timeout;
    o.body_timeout = c.body_timeout;
    o.idle_timeout = c.idle_timeout;
    o.io_threads = c.io_threads;
    o.handler_threads = c.handler_threads;
    return o;
}

// The scanner's options from the configuration; a bad port list or window names its key.
core::Result<ScanServiceOptions> scan_service_options(const ServerConfig& c, const DataDir& dir) {
    ScanServiceOptions o;
    o.probes = c.scanner_probes;
    o.vulndb = c.scanner_vulndb;
    std::error_code ec;
    if (o.vulndb.empty() && std::filesystem::is_regular_file(dir.root / "vulndb.jsonl", ec)) {
        o.vulndb = dir.root / "vulndb.jsonl";
    }
    o.every = std::chrono::hours(c.scanner_every_hours);
    o.max_queue = c.scanner_max_queue;
    if (!c.scanner_ports.empty()) {
        auto ports = scan::parse_ports(c.scanner_ports);
        if (!ports) {
            return core::fail(std::move(ports.error()).context("scanner.ports"));
        }
        o.scan.tcp_ports = std::move(*ports);
    }
    auto window = scan::ScanWindow::parse(c.scanner_window);
    if (!window) {
        return core::fail(std::move(window.error()).context("scanner.window"));
    }
    o.scan.window = *window;
    o.scan.udp = c.scanner_udp;
    if (!c.scanner_user_agent.empty()) {
        o.scan.check.user_agent = c.scanner_user_agent;
        o.scan.identification.user_agent = c.scanner_user_agent;
    }
    if (!c.scanner_ehlo.empty()) {
        o.scan.check.ehlo_name = c.scanner_ehlo;
    }
    return o;
}

}  // namespace

core::Result<std::unique_ptr<Server>> Server::create(
    ServerConfig config, const std::function<void(const std::string&)>& first_token) {
    std::unique_ptr<Server> s(new Server());
    s->config_ = std::move(config);
    auto dir = prepare_data_dir(s->config_.data_dir);
    if (!dir) {
        return core::fail(std::move(dir.error()).context("data directory"));
    }
    s->dir_ = *dir;
    store::SqliteOptions so;
    so.fsync = s->config_.store_fsync;
    auto opened = store::open_sqlite(s->dir_.store_db(), so);
    if (!opened) {
        return core::fail(std::move(opened.error()).context("opening " + s->dir_.store_db().string()));
    }
    s->store_ = std::move(*opened);
    bool ca_created = false;
    auto ca = load_or_create_ca(s->dir_, ca_created);
    if (!ca) {
        return core::fail(std::move(ca.error()).context("CA in " + s->dir_.ca_dir().string()));
    }
    s->ca_ = std::make_unique<uplink::CertificateAuthority>(std::move(*ca));
    if (ca_created) {
        spdlog::info("event=ca_created path={}", s->dir_.ca_cert().string());
    }
    auto identity = issue_server_identity(*s->ca_, s->config_.server_names,
                                          s->config_.server_cert_days);
    if (!identity) {
        return core::fail(std::move(identity.error()).context("server certificate"));
    }
    s->server_key_ = std::make_unique<uplink::PrivateKey>(std::move(identity->key));
    s->server_cert_pem_ = std::move(identity->cert_pem);
    auto token = bootstrap_operator(*s->store_, wall_clock_ns(), s->config_.first_token_days);
    if (!token) {
        return core::fail(std::move(token.error()));
    }
    if (*token && first_token) {
        first_token(**token);
    }
    if (auto st = s->open_services(); !st) {
        return core::fail(std::move(st.error()));
    }
    if (auto st = s->open_listeners(); !st) {
        return core::fail(std::move(st.error()));
    }
    return s;
}

core::Status Server::open_services() {
    const auto& c = config_;
    NotifyOptions no;
    no.smtp = SmtpOptions{c.smtp_url, c.smtp_from, c.smtp_username, c.smtp_password,
                          c.smtp_ca_file};
    no.webhook = WebhookOptions{c.webhook_url, c.webhook_secret, c.webhook_ca_file};
    no.max_attempts = c.notify_max_attempts;
    no.retry_initial = c.notify_retry_initial;
    auto notifier = Notifier::create(*store_, metrics_, std::move(no));
    if (!notifier) {
        return core::fail(std::move(notifier.error()));
    }
    notifier_ = std::move(*notifier);
    if (c.detection_enabled) {
        auto rules = load_rules(c);
        if (!rules) {
            return core::fail(std::move(rules.error()));
        }
        auto intel = load_intel(c, dir_);
        if (!intel) {
            return core::fail(std::move(intel.error()));
        }
        intel_ = std::move(*intel);
        DetectionOptions d;
        d.rules = std::move(*rules);
        d.intel = intel_;
        d.max_queue_events = c.max_detection_queue;
        d.workers = c.detection_workers;
        d.notify_min_severity = c.notify_min_severity;
        detection_ = std::make_unique<DetectionWorker>(*store_, metrics_, notifier_.get(),
                                                       std::move(d));
        metrics_.add_gauge("cyberalarm_detection_queue_events", "Events waiting for detection.",
                           [w = detection_.get()] { return static_cast<double>(w->queued_events()); });
    }
    IngestOptions io;
    io.limits.max_records = c.max_batch_records;
    io.limits.max_uncompressed_bytes = c.max_uncompressed_bytes;
    io.max_batch_body_bytes = c.max_batch_body_bytes;
    io.max_in_flight = c.max_in_flight;
    io.retry_after = c.retry_after;
    io.client_cert_days = c.client_cert_days;
    ingest_ = std::make_unique<IngestService>(*store_, *ca_, detection_.get(), metrics_, io);
    if (auto st = ingest_->restore_marks(); !st) {
        return st;
    }
    metrics_.add_gauge("cyberalarm_ingest_in_flight", "Batches being processed now.",
                       [i = ingest_.get()] { return static_cast<double>(i->in_flight()); });
    api::ApiOptions ao;
    ao.metrics_text = [m = &metrics_] { return m->render(); };
    // Ownership proof for a member's assets: the DNS TXT record or the HTTP file with the
    // server-issued token (src/scan/verify.h), checked when the member asks.
    ao.verify_ownership = [](const store::Asset& asset) {
        return scan::verify_ownership(asset, scan::VerifyOptions{});
    };
    if (c.scanner_enabled) {
        auto so = scan_service_options(c, dir_);
        if (!so) {
            return core::fail(std::move(so.error()));
        }
        auto scans = ScanService::create(*store_, std::move(*so));
        if (!scans) {
            return core::fail(std::move(scans.error()));
        }
        scans_ = std::move(*scans);
        ao.request_scan = [s = scans_.get()](store::TenantId member,
                                             const std::vector<std::string>& targets,
                                             std::string_view requested_by) {
            return s->request(member, targets, requested_by);
        };
        metrics_.add_gauge("cyberalarm_scans_queued", "Scan runs waiting for the scanner.",
                           [s = scans_.get()] { return static_cast<double>(s->queued()); });
        metrics_.add_gauge("cyberalarm_scans_done", "Scan runs finished since start.",
                           [s = scans_.get()] { return static_cast<double>(s->runs_done()); });
        metrics_.add_gauge("cyberalarm_scans_failed", "Scan runs failed or cut short since start.",
                           [s = scans_.get()] { return static_cast<double>(s->runs_failed()); });
    }
    // Keys beside the database, never in it: TOTP seeds are sealed with one, audit
    // checkpoints signed with the other (docs/design/access.md); the data map names the
    // third parties the configuration sends to.
    if (auto st = api::load_data_dir_keys(dir_.root, ao); !st) {
        return core::fail(std::move(st.error()).context("keys in " + dir_.root.string()));
    }
    if (!c.smtp_url.empty()) {
        // Reset links go by email to the account's own address only, through the notifier.
        if (!c.reports_base_url.empty()) {
            ao.reset_link_base = c.reports_base_url + "/reset#token=";
        }
        ao.send_password_reset = [n = notifier_.get(), minutes = ao.reset_link_lifetime_s / 60](
                                     const std::string& email, const std::string& link) {
            return n->send_password_reset(PasswordReset{email, link, minutes});
        };
        ao.data_map.integrations.push_back(
            {"smtp", c.smtp_url, "notices to member admins, report links, password reset links"});
    }
    if (!c.webhook_url.empty()) {
        ao.data_map.integrations.push_back({"webhook", c.webhook_url, "signed notices"});
    }
    api_ = std::make_unique<api::ApiService>(*store_, std::move(ao));
    return open_reports();
}

core::Status Server::open_reports() {
    const auto& c = config_;
    if (!c.reports_enabled) {
        return {};
    }
    if (!c.reports_geoip_country.empty() || !c.reports_geoip_asn.empty()) {
        auto geo = report::GeoLookup::open(c.reports_geoip_country, c.reports_geoip_asn);
        if (!geo) {
            return core::fail(std::move(geo.error()).context("reports.geoip"));
        }
        geo_ = std::move(*geo);
    }
    reports_ = std::make_unique<ReportJob>(
        *store_, notifier_.get(),
        ReportJobOptions{c.reports_weekday, c.reports_hour, c.reports_base_url,
                         c.reports_pseudonym_key, geo_.get()});
    return {};
}

core::Status Server::open_listeners() {
    auto ingest_opts = listener_options(config_, "ingest", config_.ingest);
    ingest_opts.cert_chain_pem = server_cert_pem_;
    ingest_opts.client_ca_pem = ca_->cert_pem;
    ingest_opts.max_body_bytes = config_.max_batch_body_bytes;
    IngestService* ingest = ingest_.get();
    auto il = HttpsListener::create(
        std::move(ingest_opts), *server_key_,
        [ingest](const HttpRequest& r) { return ingest->handle(r); },
        [ingest](const HttpRequest& r) { return ingest->check_head(r); });
    if (!il) {
        return core::fail(std::move(il.error()).context("ingest listener"));
    }
    ingest_listener_ = std::move(*il);
    auto api_opts = listener_options(config_, "api", config_.api);
    api_opts.cert_chain_pem = server_cert_pem_;
    api_opts.max_body_bytes = 1u << 20;  // the API's own limit is lower; this bounds reading
    api::ApiService* api = api_.get();
    auto al = HttpsListener::create(std::move(api_opts), *server_key_,
                                    [api](const HttpRequest& r) { return api->handle(r); });
    if (!al) {
        return core::fail(std::move(al.error()).context("API listener"));
    }
    api_listener_ = std::move(*al);
    return {};
}

Server::~Server() {
    stop();
}

core::Status Server::start() {
    if (started_) {
        return {};
    }
    started_ = true;
    notifier_->start();
    if (detection_) {
        detection_->start();
    }
    if (scans_) {
        scans_->start();
    }
    if (reports_) {
        reports_->start();
    }
    ingest_listener_->start();
    api_listener_->start();
    spdlog::info("event=started ingest={}:{} api={}:{} data_dir={}", config_.ingest.address,
                 ingest_port(), config_.api.address, api_port(), dir_.root.string());
    return write_ports(dir_, ingest_port(), api_port());
}

void Server::stop() {
    if (!started_ || stopped_) {
        return;
    }
    stopped_ = true;
    ingest_listener_->stop();  // batches in flight are stored and answered first
    api_listener_->stop();
    if (reports_) {
        reports_->stop();  // a tenant being written finishes; the rest after a restart
    }
    if (scans_) {
        scans_->stop();  // a run in progress is cut short; what it found is stored
    }
    if (detection_) {
        detection_->stop();  // flushes the queue and stores its findings
    }
    notifier_->stop();
    spdlog::info("event=stopped batches={} events={}", metrics_.batches_accepted(),
                 metrics_.events_stored());
}

std::uint16_t Server::ingest_port() const {
    return ingest_listener_->port();
}
std::uint16_t Server::api_port() const {
    return api_listener_->port();
}
const std::string& Server::ca_pem() const {
    return ca_->cert_pem;
}

}  // namespace cyberalarm::server
