#include "server/metrics.h"

#include <fmt/format.h>

namespace cyberalarm::server {

std::string_view to_string(RefusalReason reason) {
    static constexpr std::array<std::string_view, kRefusalReasonCount> kNames = {
        "no_certificate", "unknown_collector", "revoked",     "superseded", "malformed",
        "too_large",      "content_type",      "overloaded",  "unavailable", "method"};
    return kNames[static_cast<std::size_t>(reason)];
}

Metrics::Metrics() = default;

void Metrics::batch_accepted(std::uint64_t stored, std::uint64_t duplicates,
                             std::uint64_t gap_records, std::uint64_t malformed,
                             std::chrono::nanoseconds latency) {
    batches_accepted_.fetch_add(1, std::memory_order_relaxed);
    events_stored_.fetch_add(stored, std::memory_order_relaxed);
    duplicates_.fetch_add(duplicates, std::memory_order_relaxed);
    gap_records_.fetch_add(gap_records, std::memory_order_relaxed);
    malformed_.fetch_add(malformed, std::memory_order_relaxed);
    const double seconds = std::chrono::duration<double>(latency).count();
    std::size_t bucket = 0;
    while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) {
        ++bucket;
    }
    latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(latency.count()),
                              std::memory_order_relaxed);
    latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::batch_refused(RefusalReason reason) {
    refused_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::enrollment(bool ok) {
    (ok ? enroll_ok_ : enroll_refused_).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::findings_stored(std::uint64_t n) {
    findings_stored_.fetch_add(n, std::memory_order_relaxed);
}

void Metrics::notification(Channel channel, bool ok) {
    notifications_[static_cast<std::size_t>(channel) * 2 + (ok ? 1 : 0)].fetch_add(
        1, std::memory_order_relaxed);
}

void Metrics::detection_events(std::uint64_t n) {
    detection_events_.fetch_add(n, std::memory_order_relaxed);
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock(gauges_mu_);
    gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(read)});
}

std::uint64_t Metrics::refused(RefusalReason reason) const {
    return refused_[static_cast<std::size_t>(reason)].load();
}

std::uint64_t Metrics::notifications(Channel channel, bool ok) const {
    return notifications_[static_cast<std::size_t>(channel) * 2 + (ok ? 1 : 0)].load();
}

namespace {

// `name_help`: the metric's name without the prefix, a space, then its help text.
void counter(std::string& out, std::string_view name_help, std::uint64_t v) {
    const auto space = name_help.find(' ');
    const auto name = name_help.substr(0, space);
    fmt::format_to(std::back_inserter(out),
                   "# HELP cyberalarm_{0} {1}\n# TYPE cyberalarm_{0} counter\ncyberalarm_{0} {2}\n",
                   name, name_help.substr(space + 1), v);
}

}  // namespace

std::string Metrics::render() const {
    std::string out;
    auto it = std::back_inserter(out);
    fmt::format_to(it,
                   "# HELP cyberalarm_batches_refused_total Batches refused, by reason.\n"
                   "# TYPE cyberalarm_batches_refused_total counter\n");
    for (std::size_t i = 0; i < kRefusalReasonCount; ++i) {
        fmt::format_to(it, "cyberalarm_batches_refused_total{{reason=\"{}\"}} {}\n",
                       to_string(static_cast<RefusalReason>(i)), refused_[i].load());
    }
    const std::pair<const char*, const std::atomic<std::uint64_t>*> kCounters[] = {
        {"batches_accepted_total Batches stored and acknowledged.", &batches_accepted_},
        {"throttled_total Requests answered 429 (overload).",
         &refused_[static_cast<std::size_t>(RefusalReason::kOverloaded)]},
        {"events_stored_total Events stored from collectors.", &events_stored_},
        {"duplicate_records_total Records skipped as already stored.", &duplicates_},
        {"gap_records_total Sequence numbers collectors never delivered.", &gap_records_},
        {"malformed_records_total Records that were not valid events.", &malformed_},
        {"enrollments_total Collectors enrolled.", &enroll_ok_},
        {"enrollments_refused_total Enrollment requests refused.", &enroll_refused_},
        {"detection_events_total Events run through detection.", &detection_events_},
        {"findings_stored_total Finding inserts and updates stored.", &findings_stored_},
    };
    for (const auto& [name_help, value] : kCounters) {
        counter(out, name_help, value->load());
    }
    fmt::format_to(it,
                   "# HELP cyberalarm_notifications_total Notifications, by channel and result.\n"
                   "# TYPE cyberalarm_notifications_total counter\n");
    for (std::size_t ch = 0; ch < 2; ++ch) {
        for (std::size_t ok = 0; ok < 2; ++ok) {
            fmt::format_to(it, "cyberalarm_notifications_total{{channel=\"{}\",result=\"{}\"}} {}\n",
                           ch == 0 ? "email" : "webhook", ok == 1 ? "sent" : "failed",
                           notifications_[ch * 2 + ok].load());
        }
    }
    fmt::format_to(it,
                   "# HELP cyberalarm_ingest_latency_seconds Time from a batch's body read to "
                   "its acknowledgement.\n# TYPE cyberalarm_ingest_latency_seconds histogram\n");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += latency_buckets_[i].load();
        fmt::format_to(it, "cyberalarm_ingest_latency_seconds_bucket{{le=\"{}\"}} {}\n",
                       kBuckets[i], cumulative);
    }
    cumulative += latency_buckets_[kBuckets.size()].load();
    fmt::format_to(it, "cyberalarm_ingest_latency_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
    fmt::format_to(it, "cyberalarm_ingest_latency_seconds_sum {}\n",
                   static_cast<double>(latency_sum_ns_.load()) / 1e9);
    fmt::format_to(it, "cyberalarm_ingest_latency_seconds_count {}\n", latency_count_.load());
    std::lock_guard lock(gauges_mu_);
    for (const auto& g : gauges_) {
        fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", g.name, g.help,
                       g.read());
    }
    return out;
}

}  // namespace cyberalarm::server
