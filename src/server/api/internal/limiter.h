// FailureLimiter: counts failed authentications per peer address in fixed windows, so a
// peer that keeps presenting bad tokens is answered 429 (without the token being looked up)
// until its window ends. Memory is bounded: at most max_peers addresses are tracked; when
// full, expired windows are dropped first, and if none has expired the new peer is not
// tracked (it is still refused credentials as usual, just not rate-limited).
//
// Thread safety: every method may be called concurrently (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace cyberalarm::server::api {

class FailureLimiter {
public:
    FailureLimiter(int max_failures, std::int64_t window_ns, std::size_t max_peers);

    // Seconds until `peer` may try again; 0 if it may now.
    [[nodiscard]] std::int64_t blocked_for_s(std::string_view peer, std::int64_t now_ns);
    void record_failure(std::string_view peer, std::int64_t now_ns);

private:
    struct Window {
        std::int64_t start_ns = 0;
        int failures = 0;
    };
    void drop_expired(std::int64_t now_ns);

    const int max_failures_;
    const std::int64_t window_ns_;
    const std::size_t max_peers_;
    std::mutex mu_;
    std::map<std::string, Window, std::less<>> peers_;
};

}  // namespace cyberalarm::server::api
