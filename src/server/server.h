// Server: the whole `cyberalarm-server` process put together — data directory, store, CA,
// the two HTTPS listeners (ingest for collectors, API for people and tools), detection on
// ingest and notifications — with an orderly start and stop.
//
// create() does everything that can fail (directories, database, CA, first operator, rules,
// intel, binding both ports) so a misconfiguration is reported before anything is served.
// start() serves and writes ports.json. stop() is the SIGTERM path: the ingest listener
// stops accepting and finishes the batches in flight (each is stored and acknowledged or
// not at all), then the API listener, then detection processes what is queued and stores
// its findings, then queued notifications get one last attempt.
//
// Thread safety: create/start/stop from one thread; the accessors from any.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "intel/intel_set.h"
#include "server/config.h"
#include "server/data_dir.h"
#include "server/report_job.h"
#include "server/metrics.h"
#include "store/store.h"
#include "uplink/pki.h"

namespace cyberalarm::server {

class DetectionWorker;
class HttpsListener;
class IngestService;
class Notifier;
class ScanService;

namespace api {
class ApiService;
}

class Server {
public:
    // `first_token` receives the first operator's API token when this start created it
    // (print it once; it is not stored).
    [[nodiscard]] static core::Result<std::unique_ptr<Server>> create(
        ServerConfig config, const std::function<void(const std::string&)>& first_token);
    ~Server();  // stop()
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] core::Status start();
    void stop();

    [[nodiscard]] std::uint16_t ingest_port() const;
    [[nodiscard]] std::uint16_t api_port() const;
    [[nodiscard]] const DataDir& data_dir() const { return dir_; }
    [[nodiscard]] const std::string& ca_pem() const;
    [[nodiscard]] store::Store& store() { return *store_; }
    [[nodiscard]] Metrics& metrics() { return metrics_; }
    [[nodiscard]] DetectionWorker* detection() { return detection_.get(); }
    [[nodiscard]] Notifier* notifier() { return notifier_.get(); }

private:
    Server() = default;
    core::Status open_services();
    core::Status open_reports();  // the scheduled reports, when reports.enabled
    core::Status open_listeners();

    ServerConfig config_;
    DataDir dir_;
    Metrics metrics_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<uplink::CertificateAuthority> ca_;
    std::unique_ptr<uplink::PrivateKey> server_key_;
    std::string server_cert_pem_;
    std::shared_ptr<const intel::IntelSet> intel_;
    std::unique_ptr<Notifier> notifier_;
    std::unique_ptr<DetectionWorker> detection_;
    std::unique_ptr<IngestService> ingest_;
    std::unique_ptr<ScanService> scans_;  // null when scanner.enabled is false
    std::unique_ptr<report::GeoLookup> geo_;  // null unless reports.geoip_* are set
    std::unique_ptr<ReportJob> reports_;      // null when reports.enabled is false
    std::unique_ptr<api::ApiService> api_;
    std::unique_ptr<HttpsListener> ingest_listener_;
    std::unique_ptr<HttpsListener> api_listener_;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace cyberalarm::server
