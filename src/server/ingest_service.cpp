#include "server/ingest_service.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "server/clock.h"
#include "uplink/messages.h"
#include "uplink/wire.h"

namespace cyberalarm::server {

namespace {

// Counts a batch in flight for as long as it lives.
class InFlight {
public:
    explicit InFlight(std::atomic<std::size_t>& n) : n_(n), now_(n.fetch_add(1) + 1) {}
    ~InFlight() { n_.fetch_sub(1); }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    [[nodiscard]] std::size_t count() const { return now_; }

private:
    std::atomic<std::size_t>& n_;
    std::size_t now_;
};

HttpResponse json(int status, std::string body) {
    HttpResponse res;
    res.status = status;
    res.body = std::move(body);
    return res;
}

std::string_view media_type(std::string_view content_type) {
    auto semi = content_type.find(';');
    auto t = content_type.substr(0, semi);
    while (!t.empty() && t.back() == ' ') {
        t.remove_suffix(1);
    }
    return t;
}

}  // namespace

IngestService::IngestService(store::Store& store, const uplink::CertificateAuthority& ca,
                             DetectionWorker* detection, Metrics& metrics, IngestOptions options)
    : store_(store),
      ca_(ca),
      detection_(detection),
      metrics_(metrics),
      options_(std::move(options)),
      acceptor_(options_.limits) {}

std::int64_t IngestService::now() const {
    if (options_.now_ns) {
        return options_.now_ns();
    }
    return wall_clock_ns();
}

core::Status IngestService::restore_marks() {
    auto collectors = store_.list_collectors(store::Scope::service(), std::nullopt);
    if (!collectors) {
        return core::fail(std::move(collectors.error()).context("restoring high-water marks"));
    }
    for (const auto& c : *collectors) {
        acceptor_.set_high_water(c.id, c.high_water);
    }
    return {};
}

HttpResponse IngestService::refuse(RefusalReason reason, int status, std::string_view why) {
    metrics_.batch_refused(reason);
    return json(status, uplink::error_json(why));
}

HttpResponse IngestService::overloaded() {
    auto res = refuse(RefusalReason::kOverloaded, 429,
                      "server busy (ingest or detection queue full); retry later");
    res.headers.emplace_back("Retry-After", std::to_string(std::max<long long>(
                                                1, options_.retry_after.count())));
    return res;
}

bool IngestService::over_bound() const {
    return in_flight_.load() >= options_.max_in_flight ||
           (detection_ != nullptr && detection_->overloaded());
}

std::optional<HttpResponse> IngestService::refuse_batch_head(const HttpRequest& head) {
    if (head.method != "POST") {
        auto res = refuse(RefusalReason::kMethod, 405, "use POST");
        res.headers.emplace_back("Allow", "POST");
        return res;
    }
    if (!head.client_certificate) {
        return refuse(RefusalReason::kNoCertificate, 401,
                      "a client certificate is required (enroll the collector first)");
    }
    if (media_type(head.header("content-type")) != uplink::kBatchContentType) {
        return refuse(RefusalReason::kContentType, 415,
                      "Content-Type must be application/vnd.cyberalarm.batch");
    }
    return std::nullopt;
}

HeadVerdict IngestService::check_head(const HttpRequest& head) {
    if (head.target == uplink::kBatchPath) {
        if (auto refused = refuse_batch_head(head)) {
            return HeadVerdict{std::move(refused), 0};
        }
        if (over_bound()) {
            return HeadVerdict{overloaded(), 0};
        }
        return HeadVerdict{std::nullopt, options_.max_batch_body_bytes};
    }
    if (head.target == uplink::kEnrollPath) {
        return HeadVerdict{std::nullopt, uplink::kMaxMessageBytes};
    }
    return HeadVerdict{json(404, uplink::error_json("no such endpoint")), 0};
}

HttpResponse IngestService::handle(const HttpRequest& request) {
    if (request.target == uplink::kBatchPath) {
        return handle_batch(request);
    }
    if (request.target == uplink::kEnrollPath) {
        return handle_enroll(request);
    }
    return json(404, uplink::error_json("no such endpoint"));
}

tl::expected<store::Collector, HttpResponse> IngestService::current_collector(
    const ClientCertificate& cert) {
    auto collector = store_.get_collector(cert.common_name);
    if (!collector) {
        if (collector.error().code() == core::ErrorCode::kNotFound) {
            return tl::unexpected(refuse(RefusalReason::kUnknownCollector, 403,
                                         "the certificate names no collector known to this server"));
        }
        return tl::unexpected(
            refuse(RefusalReason::kUnavailable, 503, "storage unavailable; retry later"));
    }
    if (collector->revoked_ns != 0) {
        spdlog::warn("event=batch_refused reason=revoked collector={}", collector->id);
        return tl::unexpected(refuse(RefusalReason::kRevoked, 403,
                                     "collector '" + collector->id +
                                         "' is revoked; enroll it again"));
    }
    if (collector->cert_serial != cert.serial_hex) {
        spdlog::warn("event=batch_refused reason=superseded collector={}", collector->id);
        return tl::unexpected(refuse(RefusalReason::kSuperseded, 403,
                                     "this is not the current certificate of collector '" +
                                         collector->id +
                                         "' (it was replaced by a later enrollment)"));
    }
    return std::move(*collector);
}

HttpResponse IngestService::refuse_unaccepted(const std::string& collector_id,
                                              const core::Error& error,
                                              const std::optional<core::Error>& sink_error) {
    if (!sink_error) {
        const bool too_large = error.code() == core::ErrorCode::kResourceExhausted;
        return refuse(too_large ? RefusalReason::kTooLarge : RefusalReason::kMalformed,
                      too_large ? 413 : 400,
                      (too_large ? "batch too large: " : "malformed batch: ") + error.to_string());
    }
    switch (sink_error->code()) {
        case core::ErrorCode::kPermissionDenied:
            return refuse(RefusalReason::kRevoked, 403,
                          "collector '" + collector_id + "' is revoked; enroll it again");
        case core::ErrorCode::kNotFound:
            return refuse(RefusalReason::kUnknownCollector, 403,
                          "the certificate names no collector known to this server");
        default:
            spdlog::error("event=append_failed collector={} reason=\"{}\"", collector_id,
                          sink_error->message());
            return refuse(RefusalReason::kUnavailable, 503,
                          "storage unavailable; the batch was not stored, retry later");
    }
}

HttpResponse IngestService::handle_batch(const HttpRequest& request) {
    if (auto refused = refuse_batch_head(request)) {
        return std::move(*refused);
    }
    InFlight in_flight(in_flight_);
    if (in_flight.count() > options_.max_in_flight ||
        (detection_ != nullptr && detection_->overloaded())) {
        return overloaded();
    }
    const auto started = std::chrono::steady_clock::now();
    auto collector = current_collector(*request.client_certificate);
    if (!collector) {
        return std::move(collector.error());
    }
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
    if (auto header = request.header("x-cyberalarm-batch"); !header.empty()) {
        auto parsed = uplink::parse_batch_range(header);
        if (!parsed) {
            return refuse(RefusalReason::kMalformed, 400,
                          "X-Cyberalarm-Batch: " + parsed.error().to_string());
        }
        range = *parsed;
    }
    std::vector<core::Event> for_detection;
    std::optional<core::Error> sink_error;
    auto sink = [&](std::string_view id, std::span<const core::Event> events,
                    std::uint64_t through) -> core::Status {
        auto st = store_.append_events(id, events, through, now());
        if (!st) {
            sink_error = st.error();
        }
        return st;
    };
    // The stored events are moved to detection, not copied.
    auto ack = acceptor_.accept(collector->id, request.body, range, sink,
                                detection_ != nullptr ? &for_detection : nullptr);
    if (!ack) {
        return refuse_unaccepted(collector->id, ack.error(), sink_error);
    }
    metrics_.batch_accepted(ack->stored, ack->duplicates, ack->gap, ack->malformed,
                            std::chrono::steady_clock::now() - started);
    if (detection_ != nullptr && !for_detection.empty()) {
        detection_->submit(collector->member, std::move(for_detection));
    }
    return json(200, uplink::to_json(*ack));
}

}  // namespace cyberalarm::server
