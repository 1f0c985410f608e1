#include "scan/internal/pacer.h"

#include <algorithm>
#include <thread>

namespace cyberalarm::scan::internal {

namespace {
thread_local Pacer* g_current = nullptr;
}  // namespace

void Pacer::wait(const core::IpAddress& address) {
    if (rate_ <= 0) {
        return;
    }
    for (;;) {
        std::chrono::duration<double> sleep{0};
        {
            std::lock_guard lock(mu_);
            auto now = std::chrono::steady_clock::now();
            double burst = std::max(1.0, rate_ / 10);
            Bucket& b = buckets_.try_emplace(address, Bucket{burst, now}).first->second;
            b.tokens = std::min(burst, b.tokens + std::chrono::duration<double>(now - b.refilled).count() * rate_);
            b.refilled = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return;
            }
            sleep = std::chrono::duration<double>((1 - b.tokens) / rate_);
        }
        // Outside the lock: other addresses' connections go on meanwhile.
        std::this_thread::sleep_for(sleep);
    }
}

PacerScope::PacerScope(Pacer* pacer) : previous_(g_current) { g_current = pacer; }

PacerScope::~PacerScope() { g_current = previous_; }

Pacer* current_pacer() { return g_current; }

}  // namespace cyberalarm::scan::internal
