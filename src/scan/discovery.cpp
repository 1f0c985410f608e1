#include "scan/discovery.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>

#include "scan/internal/net.h"
#include "scan/internal/probe_state.h"

namespace cyberalarm::scan {

using Clock = std::chrono::steady_clock;
using internal::Fd;

namespace {

using Target = internal::ProbeTarget;

struct Pending {
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

// One shard of the work on one thread. In-flight sockets live in a poll array: on a busy
// sweep one poll() settles thousands of connects, so a port costs socket, connect and close
// and little else (no per-socket epoll_ctl or getsockopt).
class Engine {
public:
    Engine(std::span<const core::IpAddress> addresses, std::vector<std::uint16_t> ports,
           const DiscoveryOptions& o, std::size_t cap)
        : options_(o), cap_(cap) {
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
    ~Engine() {
        for (const pollfd& p : fds_) {
            ::close(p.fd);
        }
    }
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    void run(const std::atomic<bool>* cancel);
    std::vector<OpenPort>& open() { return open_; }
    DiscoveryStats& stats() { return stats_; }

private:
    bool launch(std::size_t ti, std::uint16_t port, int attempt, Clock::time_point now);
    void settle(std::size_t slot, bool open, bool refused, Clock::time_point now);
    void remove(std::size_t slot);
    bool fill(Clock::time_point now);

    DiscoveryOptions options_;
    DiscoveryStats stats_;
    std::size_t cap_;
    std::vector<Target> targets_;
    std::size_t next_target_ = 0;  // round-robin so one address does not starve the rest
    std::vector<pollfd> fds_;      // in flight; pending_[i] describes fds_[i]
    std::vector<Pending> pending_;
    std::vector<OpenPort> open_;
};

bool Engine::launch(std::size_t ti, std::uint16_t port, int attempt, Clock::time_point now) {
    Target& t = targets_[ti];
    sockaddr_storage sa;
    socklen_t len = internal::to_sockaddr(t.address, port, sa);
    Fd fd(::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        t.queue.emplace_front(port, attempt);  // out of descriptors for now: try later
        return false;
    }
    ++stats_.attempts;
    int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len);
    if (rc == 0 || errno != EINPROGRESS) {
        if (rc == 0 && internal::is_self_connect(fd.get())) {
            ++stats_.closed;
        } else if (rc == 0) {
            ++stats_.open;
            open_.push_back({t.address, port, 0});
        } else if (errno == ECONNREFUSED) {
            ++stats_.closed;
        } else {
            ++stats_.errors;
        }
        return true;
    }
    fds_.push_back({fd.release(), POLLOUT, 0});
    pending_.push_back({ti, port, attempt, now, now + t.timeout(options_)});
    ++t.in_flight;
    return true;
}

void Engine::remove(std::size_t slot) {
    ::close(fds_[slot].fd);
    --targets_[pending_[slot].target].in_flight;
    fds_[slot] = fds_.back();
    pending_[slot] = pending_.back();
    fds_.pop_back();
    pending_.pop_back();
}

void Engine::settle(std::size_t slot, bool is_open, bool refused, Clock::time_point now) {
    Pending& p = pending_[slot];
    Target& t = targets_[p.target];
    double ms = std::chrono::duration<double, std::milli>(now - p.sent).count();
    if (is_open && internal::is_self_connect(fds_[slot].fd)) {
        is_open = false;  // our own socket answered: nothing listens on that port
        refused = true;
    }
    if (is_open || refused) {
        t.rtt.sample(ms);  // a refusal measures the path as well as an accept
    }
    if (is_open) {
        ++stats_.open;
        open_.push_back({t.address, p.port, ms});
    } else if (refused) {
        ++stats_.closed;
    } else {
        ++stats_.errors;
    }
    remove(slot);
}

// Starts connections up to the caps. True if work remains queued.
bool Engine::fill(Clock::time_point now) {
    std::size_t idle_rounds = 0;
    while (fds_.size() < cap_ && idle_rounds < targets_.size()) {
        std::size_t ti = next_target_;
        next_target_ = (next_target_ + 1) % targets_.size();
        Target& t = targets_[ti];
        if (t.queue.empty() || !t.may_send(options_, now)) {
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
    return std::any_of(targets_.begin(), targets_.end(),
                       [](const Target& t) { return !t.queue.empty(); });
}

void Engine::run(const std::atomic<bool>* cancel) {
    if (targets_.empty()) {
        return;
    }
    for (;;) {
        if (cancel != nullptr && cancel->load()) {
            break;
        }
        bool queued = fill(Clock::now());
        if (!queued && fds_.empty()) {
            break;
        }
        // Short waits while there is more to send, so pacing and refills stay smooth.
        int n = ::poll(fds_.data(), fds_.size(), queued && fds_.size() < cap_ ? 1 : 10);
        auto now = Clock::now();
        for (std::size_t i = fds_.size(); n > 0 && i-- > 0;) {
            short ev = fds_[i].revents;
            if (ev == 0) {
                continue;
            }
            // A reset (refused) raises POLLERR|POLLHUP, an accepted connect only POLLOUT. The
            // exact error is not fetched: a getsockopt per closed port would cost a syscall
            // on every one of 65,535 ports for a distinction the report does not need.
            bool err = (ev & (POLLERR | POLLHUP)) != 0;
            bool refused = (ev & POLLHUP) != 0;
            settle(i, !err, refused, now);
        }
        for (std::size_t i = fds_.size(); i-- > 0;) {
            if (pending_[i].deadline > now) {
                continue;
            }
            Target& t = targets_[pending_[i].target];
            if (pending_[i].attempt < options_.retries) {
                t.queue.emplace_back(pending_[i].port, pending_[i].attempt + 1);
            } else {
                ++stats_.filtered;
            }
            remove(i);
        }
    }
}

}  // namespace

const char* to_string(DiscoveryMode mode) {
    switch (mode) {
        case DiscoveryMode::kAuto:
            return "auto";
        case DiscoveryMode::kConnect:
            return "connect";
        case DiscoveryMode::kSyn:
            return "syn";
    }
    return "?";
}

void sort_open_ports(std::vector<OpenPort>& open) {
    std::sort(open.begin(), open.end(), [](const OpenPort& a, const OpenPort& b) {
        return a.address != b.address ? a.address < b.address : a.port < b.port;
    });
}

core::Result<std::vector<OpenPort>> scan_tcp(std::span<const core::IpAddress> addresses,
                                             std::span<const std::uint16_t> ports,
                                             const DiscoveryOptions& options,
                                             DiscoveryStats* stats,
                                             const std::atomic<bool>* cancel) {
    bool syn = options.mode == DiscoveryMode::kSyn ||
               (options.mode == DiscoveryMode::kAuto && have_raw_socket_capability());
    return syn ? scan_syn(addresses, ports, options, stats, cancel)
               : scan_connect(addresses, ports, options, stats, cancel);
}

core::Result<std::vector<OpenPort>> scan_connect(std::span<const core::IpAddress> addresses,
                                                 std::span<const std::uint16_t> ports,
                                                 const DiscoveryOptions& options,
                                                 DiscoveryStats* stats,
                                                 const std::atomic<bool>* cancel) {
    // Two shards (ports split alternately) on two threads when there is enough work: the
    // kernel's per-connect cost, not waiting, bounds a sweep of a near host. Caps and rates
    // are halved per shard so the per-address limits hold overall.
    std::size_t shards = ports.size() * addresses.size() >= 4096 &&
                                 std::thread::hardware_concurrency() > 1
                             ? 2
                             : 1;
    DiscoveryOptions per = options;
    per.per_target_in_flight = std::max<std::size_t>(1, options.per_target_in_flight / shards);
    per.per_target_rate = options.per_target_rate / static_cast<double>(shards);
    std::size_t cap = std::max<std::size_t>(1, fd_budget(options.max_in_flight) / shards);
    std::vector<std::unique_ptr<Engine>> engines;
    for (std::size_t s = 0; s < shards; ++s) {
        std::vector<std::uint16_t> mine;
        for (std::size_t k = s; k < ports.size(); k += shards) {
            mine.push_back(ports[k]);
        }
        engines.push_back(std::make_unique<Engine>(addresses, std::move(mine), per, cap));
    }
    std::vector<std::thread> threads;
    for (std::size_t s = 1; s < shards; ++s) {
        threads.emplace_back([&engines, s, cancel] { engines[s]->run(cancel); });
    }
    engines[0]->run(cancel);
    for (std::thread& t : threads) {
        t.join();
    }
    std::vector<OpenPort> open;
    DiscoveryStats total;
    for (auto& e : engines) {
        open.insert(open.end(), e->open().begin(), e->open().end());
        const DiscoveryStats& st = e->stats();
        total.attempts += st.attempts;
        total.open += st.open;
        total.closed += st.closed;
        total.filtered += st.filtered;
        total.errors += st.errors;
    }
    sort_open_ports(open);
    total.mode = DiscoveryMode::kConnect;
    if (stats != nullptr) {
        *stats = total;
    }
    return open;
}

}  // namespace cyberalarm::scan
