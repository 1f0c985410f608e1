// Metrics: the server's counters in Prometheus text exposition format (given to the API's
// /metrics route through ApiOptions::metrics_text).
//
// Counters only grow; gauges are read when rendered (callbacks); the ingest latency is a
// histogram with fixed buckets. No label carries a collector id, member or address: the
// label values are the fixed reasons and channels below, so the output has bounded size
// and names nobody.
//
// Thread safety: every member may be called from any thread (atomics; gauges are set once
// before rendering starts).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cyberalarm::server {

// Why a batch was refused (the label of cyberalarm_batches_refused_total).
enum class RefusalReason : std::uint8_t {
    kNoCertificate,     // 401
    kUnknownCollector,  // 403: CN not a collector
    kRevoked,           // 403
    kSuperseded,        // 403: not the collector's current certificate
    kMalformed,         // 400
    kTooLarge,          // 413: body or decompressed size
    kContentType,       // 415
    kOverloaded,        // 429
    kUnavailable,       // 503: storage refused
    kMethod,            // 404/405
};
inline constexpr std::size_t kRefusalReasonCount = 10;
std::string_view to_string(RefusalReason reason);

enum class Channel : std::uint8_t { kEmail, kWebhook };

class Metrics {
public:
    Metrics();

    void batch_accepted(std::uint64_t stored, std::uint64_t duplicates, std::uint64_t gap_records,
                        std::uint64_t malformed, std::chrono::nanoseconds latency);
    void batch_refused(RefusalReason reason);
    void enrollment(bool ok);
    void findings_stored(std::uint64_t n);
    void notification(Channel channel, bool ok);
    void detection_events(std::uint64_t n);

    // A gauge read at each render ("cyberalarm_detection_queue_depth").
    void add_gauge(std::string name, std::string help, std::function<double()> read);

    [[nodiscard]] std::uint64_t refused(RefusalReason reason) const;
    [[nodiscard]] std::uint64_t batches_accepted() const { return batches_accepted_.load(); }
    [[nodiscard]] std::uint64_t events_stored() const { return events_stored_.load(); }
    [[nodiscard]] std::uint64_t findings_stored() const { return findings_stored_.load(); }
    [[nodiscard]] std::uint64_t notifications(Channel channel, bool ok) const;

    // The whole exposition, "# HELP", "# TYPE" and samples.
    [[nodiscard]] std::string render() const;

private:
    static constexpr std::array<double, 13> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,  0.1,    0.25,  0.5,  1.0,
                                                        2.5,   5.0,    10.0};
    std::atomic<std::uint64_t> batches_accepted_{0};
    std::array<std::atomic<std::uint64_t>, kRefusalReasonCount> refused_{};
    std::atomic<std::uint64_t> events_stored_{0};
    std::atomic<std::uint64_t> duplicates_{0};
    std::atomic<std::uint64_t> gap_records_{0};
    std::atomic<std::uint64_t> malformed_{0};
    std::atomic<std::uint64_t> enroll_ok_{0};
    std::atomic<std::uint64_t> enroll_refused_{0};
    std::atomic<std::uint64_t> findings_stored_{0};
    std::atomic<std::uint64_t> detection_events_{0};
    std::array<std::atomic<std::uint64_t>, 4> notifications_{};  // channel * 2 + ok
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> latency_buckets_{};
    std::atomic<std::uint64_t> latency_sum_ns_{0};
    std::atomic<std::uint64_t> latency_count_{0};

    struct Gauge {
        std::string name;
        std::string help;
        std::function<double()> read;
    };
    mutable std::mutex gauges_mu_;
    std::vector<Gauge> gauges_;
};

}  // namespace cyberalarm::server
