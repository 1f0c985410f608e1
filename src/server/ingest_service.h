// IngestService: the collector-facing endpoints of the ingest listener (docs/design/wire.md),
// POST /v1/batches and POST /v1/enroll, as functions of HttpRequest.
//
// Batches: the client certificate (verified by the listener against the server's CA) names
// the collector; the store must know it, it must not be revoked, and the certificate's
// serial must be the collector's current one (a certificate replaced by re-enrollment is
// refused). The batch is decoded within uplink::Limits (a zstd bomb fails on its declared
// size), deduplicated by sequence number (uplink::BatchAcceptor) and handed to
// Store::append_events, which stores the events under the collector's own member and moves
// its high-water mark in one fsynced transaction; only then is the batch acknowledged. The
// stored events are then moved (not copied) to detection (the acknowledgement does not wait).
//
// Backpressure: more than max_in_flight batches at once, or a detection queue over its
// bound, answers 429 with Retry-After — from the headers alone when possible (check_head),
// so the body of a refused batch is never read.
//
// Enrollment: the token's SHA-256 is looked up, the CSR is checked and signed for the
// token's collector id (nothing from the CSR's subject is used), then the token is used up
// atomically (Store::use_enroll_token) and the certificate's serial recorded. A refused CSR
// leaves the token usable; unknown, used and expired tokens get one answer (401).
//
// Every refusal is a JSON {"error": "..."} saying why, and is counted in Metrics by reason.
//
// Thread safety: handle() and check_head() may run concurrently from many threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "server/api/http.h"
#include "server/detection.h"
#include "server/listener.h"
#include "server/metrics.h"
#include "store/store.h"
#include "uplink/ingest.h"
#include "uplink/pki.h"

namespace cyberalarm::server {

struct IngestOptions {
    uplink::Limits limits;                    // decoded batch: records, uncompressed bytes
    std::size_t max_batch_body_bytes = 16u << 20;  // compressed body (413 beyond)
    std::size_t max_in_flight = 64;           // batches being decoded or stored at once
    std::chrono::seconds retry_after{2};      // the 429 answer's Retry-After
    int client_cert_days = 365;               // validity of certificates issued at enrollment
    std::function<std::int64_t()> now_ns;     // injected clock; empty: the system clock
};

class IngestService {
public:
    // `detection` may be null (no detection). Everything borrowed must outlive the service.
    IngestService(store::Store& store, const uplink::CertificateAuthority& ca,
                  DetectionWorker* detection, Metrics& metrics, IngestOptions options);

    // Loads every collector's high-water mark from the store (call before serving).
    [[nodiscard]] core::Status restore_marks();

    [[nodiscard]] HeadVerdict check_head(const HttpRequest& head);
    [[nodiscard]] HttpResponse handle(const HttpRequest& request);

    [[nodiscard]] uplink::IngestTotals totals() const { return acceptor_.totals(); }
    [[nodiscard]] std::size_t in_flight() const { return in_flight_.load(); }

private:
    HttpResponse handle_batch(const HttpRequest& request);
    HttpResponse handle_enroll(const HttpRequest& request);
    // The first refusal that applies to a batch request's headers, if any.
    std::optional<HttpResponse> refuse_batch_head(const HttpRequest& head);
    HttpResponse refuse(RefusalReason reason, int status, std::string_view why);
    // The certificate's collector if it may send now, else the refusal (403, 503).
    tl::expected<store::Collector, HttpResponse> current_collector(const ClientCertificate& cert);
    // The answer to a batch the acceptor refused (decoding, or the store through the sink).
    HttpResponse refuse_unaccepted(const std::string& collector_id, const core::Error& error,
                                   const std::optional<core::Error>& sink_error);
    HttpResponse overloaded();
    [[nodiscard]] bool over_bound() const;
    [[nodiscard]] std::int64_t now() const;

    store::Store& store_;
    const uplink::CertificateAuthority& ca_;
    DetectionWorker* detection_;
    Metrics& metrics_;
    const IngestOptions options_;
    uplink::BatchAcceptor acceptor_;
    std::atomic<std::size_t> in_flight_{0};
};

}  // namespace cyberalarm::server
