#include "server/api/internal/limiter.h"

namespace cyberalarm::server::api {

FailureLimiter::FailureLimiter(int max_failures, std::int64_t window_ns, std::size_t max_peers)
    : max_failures_(max_failures), window_ns_(window_ns), max_peers_(max_peers) {}

std::int64_t FailureLimiter::blocked_for_s(std::string_view peer, std::int64_t now_ns) {
    std::lock_guard lock(mu_);
    const auto it = peers_.find(peer);
    if (it == peers_.end() || it->second.failures < max_failures_) {
        return 0;
    }
    const std::int64_t left = it->second.start_ns + window_ns_ - now_ns;
    if (left <= 0) {
        peers_.erase(it);
        return 0;
    }
    return (left + 999'999'999) / 1'000'000'000;  // whole seconds, rounded up
}

void FailureLimiter::record_failure(std::string_view peer, std::int64_t now_ns) {
    std::lock_guard lock(mu_);
    auto it = peers_.find(peer);
    if (it != peers_.end() && now_ns - it->second.start_ns >= window_ns_) {
        it->second = Window{now_ns, 0};
    }
    if (it == peers_.end()) {
        if (peers_.size() >= max_peers_) {
            drop_expired(now_ns);
        }
        if (peers_.size() >= max_peers_) {
            return;
        }
        it = peers_.emplace(std::string(peer), Window{now_ns, 0}).first;
    }
    ++it->second.failures;
}

void FailureLimiter::drop_expired(std::int64_t now_ns) {
    for (auto it = peers_.begin(); it != peers_.end();) {
        it = now_ns - it->second.start_ns >= window_ns_ ? peers_.erase(it) : std::next(it);
    }
}

}  // namespace cyberalarm::server::api
