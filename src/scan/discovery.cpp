#include "scan/discovery.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <unordered_map>

#include "scan/internal/net.h"

namespace cyberalarm::scan {

using Clock = std::chrono::steady_clock;
using internal::Fd;

namespace {

// Round-trip estimate for one address (RFC 6298).
struct RttState {
    double srtt_ms = -1;
    double rttvar_ms = 0;
    void sample(double ms) {
        if (srtt_ms < 0) {
            srtt_ms = ms;
            rttvar_ms = ms / 2;
            return;
        }
        rttvar_ms = 0.75 * rttvar_ms + 0.25 * std::fabs(srtt_ms - ms);
        srtt_ms = 0.875 * srtt_ms + 0.125 * ms;
    }
};

struct Target {
    core::IpAddress address;
    RttState rtt;
    std::size_t in_flight = 0;
    double tokens = 0;  // rate bucket
    Clock::time_point refilled = Clock::now();
    std::deque<std::pair<std::uint16_t, int>> queue;  // port, attempt
};

struct Pending {
    Fd fd;
    std::size_t target = 0;
    std::uint16_t port = 0;
    int attempt = 0;
    Clock::time_point sent;
    Clock::time_point deadline;
};

std::size_t fd_budget(std::size_t wanted) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rlimit raised = rl;
            raised.rlim_cur = rl.rlim_max;
            if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
                rl = raised;
            }
        }
        std::size_t room = rl.rlim_cur > 128 ? static_cast<std::size_t>(rl.rlim_cur) - 96 : 32;
        return std::max<std::size_t>(1, std::min(wanted, room));
    }
    return std::min<std::size_t>(wanted, 512);
}

class Engine {
public:
    Engine(std::span<const core::IpAddress> addresses, std::span<const std::uint16_t> ports,
           const DiscoveryOptions& o, DiscoveryStats& stats)
        : options_(o), stats_(stats), cap_(fd_budget(o.max_in_flight)) {
        for (const core::IpAddress& a : addresses) {
            Target t;
            t.address = a;
            t.tokens = 1;
            for (std::uint16_t p : ports) {
                t.queue.emplace_back(p, 0);
            }
            targets_.push_back(std::move(t));
        }
    }

    core::Result<std::vector<OpenPort>> run(const std::atomic<bool>* cancel);

private:
    std::chrono::milliseconds timeout_for(const Target& t) const;
    bool may_send(Target& t, Clock::time_point now);
    bool launch(std::size_t ti, std::uint16_t port, int attempt, Clock::time_point now);
    void settle(int fd, int err, Clock::time_point now);
    void expire(Clock::time_point now);
    bool fill(Clock::time_point now);

    DiscoveryOptions options_;
    DiscoveryStats& stats_;
    std::size_t cap_;
    Fd epoll_;
    std::vector<Target> targets_;
    std::size_t next_target_ = 0;  // round-robin so one address does not starve the rest
    std::unordered_map<int, Pending> pending_;
    std::multimap<Clock::time_point, int> deadlines_;
    std::vector<OpenPort> open_;
};

std::chrono::milliseconds Engine::timeout_for(const Target& t) const {
    if (t.rtt.srtt_ms < 0) {
        return options_.initial_timeout;
    }
    double ms = t.rtt.srtt_ms + 4 * t.rtt.rttvar_ms;
    auto v = std::chrono::milliseconds(static_cast<long>(std::ceil(ms)));
    return std::clamp(v, options_.min_timeout, options_.max_timeout);
}

bool Engine::may_send(Target& t, Clock::time_point now) {
    if (t.in_flight >= options_.per_target_in_flight) {
        return false;
    }
    if (options_.per_target_rate <= 0) {
        return true;
    }
    double secs = std::chrono::duration<double>(now - t.refilled).count();
    t.tokens = std::min(std::max(1.0, options_.per_target_rate / 10), t.tokens + secs * options_.per_target_rate);
    t.refilled = now;
    if (t.tokens < 1) {
        return false;
    }
    t.tokens -= 1;
    return true;
}

bool Engine::launch(std::size_t ti, std::uint16_t port, int attempt, Clock::time_point now) {
    Target& t = targets_[ti];
    ++stats_.attempts;
    sockaddr_storage sa;
    socklen_t len = internal::to_sockaddr(t.address, port, sa);
    Fd fd(::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        t.queue.emplace_front(port, attempt);  // out of descriptors for now: try later
        return false;
    }
    int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len);
    if (rc == 0 || errno != EINPROGRESS) {
        int err = rc == 0 ? 0 : errno;
        if (err == 0) {
            ++stats_.open;
            open_.push_back({t.address, port, 0});
        } else if (err == ECONNREFUSED) {
            ++stats_.closed;
        } else {
            ++stats_.errors;
        }
        return true;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.fd = fd.get();
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) {
        ++stats_.errors;
        return true;
    }
    auto deadline = now + timeout_for(t);
    int key = fd.get();
    deadlines_.emplace(deadline, key);
    pending_.emplace(key, Pending{std::move(fd), ti, port, attempt, now, deadline});
    ++t.in_flight;
    return true;
}

void Engine::settle(int fd, int err, Clock::time_point now) {
    auto it = pending_.find(fd);
    if (it == pending_.end()) {
        return;
    }
    Pending& p = it->second;
    Target& t = targets_[p.target];
    double ms = std::chrono::duration<double, std::milli>(now - p.sent).count();
    if (err == 0 || err == ECONNREFUSED) {
        t.rtt.sample(ms);  // a refusal measures the path as well as an accept
    }
    if (err == 0) {
        ++stats_.open;
        open_.push_back({t.address, p.port, ms});
    } else if (err == ECONNREFUSED) {
        ++stats_.closed;
    } else {
        ++stats_.errors;
    }
    auto range = deadlines_.equal_range(p.deadline);
    for (auto d = range.first; d != range.second; ++d) {
        if (d->second == fd) {
            deadlines_.erase(d);
            break;
        }
    }
    --t.in_flight;
    pending_.erase(it);  // closes the socket
}

void Engine::expire(Clock::time_point now) {
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
        int fd = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto it = pending_.find(fd);
        if (it == pending_.end()) {
            continue;
        }
        Target& t = targets_[it->second.target];
        if (it->second.attempt < options_.retries) {
            t.queue.emplace_back(it->second.port, it->second.attempt + 1);
        } else {
            ++stats_.filtered;
        }
        --t.in_flight;
        pending_.erase(it);
    }
}

// Starts connections up to the caps. True if work remains queued.
bool Engine::fill(Clock::time_point now) {
    bool queued = false;
    std::size_t idle_rounds = 0;
    while (pending_.size() < cap_ && idle_rounds < targets_.size()) {
        std::size_t ti = next_target_;
        next_target_ = (next_target_ + 1) % targets_.size();
        Target& t = targets_[ti];
        if (t.queue.empty() || !may_send(t, now)) {
            queued = queued || !t.queue.empty();
            ++idle_rounds;
            continue;
        }
        idle_rounds = 0;
        auto [port, attempt] = t.queue.front();
        t.queue.pop_front();
        if (!launch(ti, port, attempt, now)) {
            break;
        }
    }
    for (const Target& t : targets_) {
        queued = queued || !t.queue.empty();
    }
    return queued;
}

core::Result<std::vector<OpenPort>> Engine::run(const std::atomic<bool>* cancel) {
    epoll_ = Fd(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_.valid()) {
        return core::fail(core::Error::io(std::string("epoll_create1: ") + std::strerror(errno)));
    }
    if (targets_.empty()) {
        return open_;
    }
    std::vector<epoll_event> events(1024);
    for (;;) {
        if (cancel != nullptr && cancel->load()) {
            break;
        }
        auto now = Clock::now();
        bool queued = fill(now);
        if (!queued && pending_.empty()) {
            break;
        }
        int wait_ms = 10;
        if (!deadlines_.empty()) {
            auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadlines_.begin()->first - now);
            wait_ms = static_cast<int>(std::clamp<long>(until.count() + 1, 0, 10));
        }
        int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), wait_ms);
        now = Clock::now();
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            int err = 0;
            socklen_t elen = sizeof err;
            if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
                err = errno;
            }
            settle(fd, err, now);
        }
        expire(now);
    }
    std::sort(open_.begin(), open_.end(), [](const OpenPort& a, const OpenPort& b) {
        return a.address != b.address ? a.address < b.address : a.port < b.port;
    });
    return open_;
}

}  // namespace

core::Result<std::vector<OpenPort>> scan_tcp(std::span<const core::IpAddress> addresses,
                                             std::span<const std::uint16_t> ports,
                                             const DiscoveryOptions& options,
                                             DiscoveryStats* stats,
                                             const std::atomic<bool>* cancel) {
    DiscoveryStats local;
    Engine engine(addresses, ports, options, stats != nullptr ? *stats : local);
    return engine.run(cancel);
}

}  // namespace cyberalarm::scan
