// The SYN engine of discovery.h: raw SYNs out, SYN-ACK / RST in, on one thread.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <unordered_map>

#include "scan/discovery.h"
#include "scan/internal/net.h"
#include "scan/internal/probe_state.h"
#include "scan/internal/raw_tcp.h"

namespace cyberalarm::scan {

using core::Error;
using core::ErrorCode;
using core::fail;
using internal::ProbeClock;
using internal::ProbeTarget;

bool have_raw_socket_capability() {
    core::UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP));
    return fd.valid();
}

namespace {

// Reserves a TCP port for the scan's SYNs: a socket bound to it (never listening) keeps the
// kernel from handing the port to another connection while replies to it arrive. Bound to
// [::] dual-stack when IPv6 exists, so the port is ours in both families.
core::Result<std::pair<core::UniqueFd, std::uint16_t>> reserve_port() {
    core::UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_storage sa{};
    socklen_t len = 0;
    if (fd.valid()) {
        int off = 0;
        (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&sa);
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_any;
        len = sizeof(sockaddr_in6);
    } else {
        fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        auto* s4 = reinterpret_cast<sockaddr_in*>(&sa);
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_ANY);
        len = sizeof(sockaddr_in);
    }
    // bind(port 0) alone does not allocate a port; connect-less reservation needs it.
    if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
        return fail(Error(ErrorCode::kIo, std::string("SYN scan: reserving a source port: ") +
                                              std::strerror(errno)));
    }
    std::uint16_t port = ntohs(sa.ss_family == AF_INET6
                                   ? reinterpret_cast<sockaddr_in6*>(&sa)->sin6_port
                                   : reinterpret_cast<sockaddr_in*>(&sa)->sin_port);
    return std::pair{std::move(fd), port};
}

bool is_local(const core::IpAddress& a, const core::IpAddress& ours) {
    if (a == ours) {
        return true;
    }
    return a.is_v4() ? (a.v4_value() >> 24) == 127 : a == *core::IpAddress::parse("::1");
}

class SynEngine {
public:
    SynEngine(std::span<const core::IpAddress> addresses, std::span<const std::uint16_t> ports,
              const DiscoveryOptions& o, internal::RawSender sender, internal::SynCookie cookie,
              std::uint16_t sport, std::vector<core::IpAddress> sources)
        : options_(o), sender_(std::move(sender)), cookie_(std::move(cookie)), sport_(sport),
          sources_(std::move(sources)) {
        for (std::size_t i = 0; i < addresses.size(); ++i) {
            ProbeTarget t;
            t.address = addresses[i];
            for (std::uint16_t p : ports) {
                t.queue.emplace_back(p, 0);
            }
            targets_.push_back(std::move(t));
            done_.emplace_back(65536, false);
            index_.emplace(addresses[i], i);
        }
    }

    void run(const std::atomic<bool>* cancel);
    std::vector<OpenPort>& open() { return open_; }
    DiscoveryStats& stats() { return stats_; }

private:
    struct Pending {
        int attempt = 0;
        ProbeClock::time_point sent;
        ProbeClock::time_point deadline;
    };
    static std::uint64_t key(std::size_t ti, std::uint16_t port) { return ti << 16 | port; }

    bool fill(ProbeClock::time_point now);
    void receive(int fd, bool v6, ProbeClock::time_point now);
    void settle(const internal::TcpReply& r, ProbeClock::time_point now);
    void expire(ProbeClock::time_point now);

    DiscoveryOptions options_;
    DiscoveryStats stats_;
    internal::RawSender sender_;
    internal::SynCookie cookie_;
    std::uint16_t sport_;
    std::vector<core::IpAddress> sources_;  // our address towards targets_[i]
    std::vector<ProbeTarget> targets_;
    std::vector<std::vector<bool>> done_;  // per target, per port: answered or given up
    std::map<core::IpAddress, std::size_t> index_;
    std::unordered_map<std::uint64_t, Pending> pending_;
    std::size_t next_target_ = 0;
    std::vector<OpenPort> open_;
};

// Sends SYNs up to the caps. True if work remains queued.
bool SynEngine::fill(ProbeClock::time_point now) {
    std::size_t idle_rounds = 0;
    while (pending_.size() < options_.max_in_flight && idle_rounds < targets_.size()) {
        std::size_t ti = next_target_;
        next_target_ = (next_target_ + 1) % targets_.size();
        ProbeTarget& t = targets_[ti];
        while (!t.queue.empty() && done_[ti][t.queue.front().first]) {
            t.queue.pop_front();  // answered while its retry waited
        }
        if (t.queue.empty() || !t.may_send(options_, now)) {
            ++idle_rounds;
            continue;
        }
        idle_rounds = 0;
        auto [port, attempt] = t.queue.front();
        auto sent = sender_.send(sources_[ti], sport_, t.address, port,
                                 cookie_.sequence(t.address, port, sport_));
        if (!sent) {
            if (sent.error().code() == ErrorCode::kUnavailable) {
                break;  // the send queue is full: receive, then go on
            }
            t.queue.pop_front();
            done_[ti][port] = true;
            ++stats_.attempts;
            ++stats_.errors;
            continue;
        }
        t.queue.pop_front();
        ++stats_.attempts;
        ++t.in_flight;
        pending_[key(ti, port)] = {attempt, now, now + t.timeout(options_)};
    }
    return std::any_of(targets_.begin(), targets_.end(),
                       [](const ProbeTarget& t) { return !t.queue.empty(); });
}

void SynEngine::settle(const internal::TcpReply& r, ProbeClock::time_point now) {
    auto it = index_.find(r.src);
    if (it == index_.end() || r.dport != sport_ || !cookie_.answers(r)) {
        ++stats_.stray;
        return;
    }
    std::size_t ti = it->second;
    ProbeTarget& t = targets_[ti];
    if (done_[ti][r.sport]) {
        return;  // a duplicate, or late after the last attempt gave up
    }
    done_[ti][r.sport] = true;
    double ms = 0;
    if (auto p = pending_.find(key(ti, r.sport)); p != pending_.end()) {
        ms = std::chrono::duration<double, std::milli>(now - p->second.sent).count();
        t.rtt.sample(ms);
        --t.in_flight;
        pending_.erase(p);
    }
    if (r.kind == internal::ReplyKind::kSynAck) {
        ++stats_.open;
        open_.push_back({t.address, r.sport, ms});
    } else {
        ++stats_.closed;
    }
}

void SynEngine::receive(int fd, bool v6, ProbeClock::time_point now) {
    std::uint8_t buf[2048];
    for (int n = 0; n < 4096; ++n) {  // bounded, so sending resumes under a flood
        sockaddr_storage from{};
        socklen_t flen = sizeof from;
        ssize_t got = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
        if (got < 0) {
            return;  // EAGAIN, or an error the next poll reports again
        }
        std::span<const std::uint8_t> bytes(buf, static_cast<std::size_t>(got));
        core::Result<internal::TcpReply> r;
        if (!v6) {
            // Loopback replies reach us before any checksum is written (see raw_tcp.h).
            auto peek = internal::parse_ipv4_reply(bytes, internal::ChecksumCheck::kSkip);
            bool local = peek && index_.contains(peek->src) &&
                         is_local(peek->src, sources_[index_.at(peek->src)]);
            r = local ? std::move(peek)
                      : internal::parse_ipv4_reply(bytes, internal::ChecksumCheck::kVerify);
        } else {
            std::array<std::uint8_t, 16> b{};
            std::memcpy(b.data(), &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, 16);
            core::IpAddress src = core::IpAddress::v6(b);
            auto it = index_.find(src);
            if (it == index_.end()) {
                ++stats_.stray;
                continue;
            }
            const core::IpAddress& ours = sources_[it->second];
            r = internal::parse_tcp_segment(src, ours, bytes,
                                            is_local(src, ours) ? internal::ChecksumCheck::kSkip
                                                                : internal::ChecksumCheck::kVerify);
        }
        if (!r) {
            ++stats_.stray;  // malformed or corrupt: counted, not fatal
            continue;
        }
        if (r->kind != internal::ReplyKind::kOther) {
            settle(*r, now);
        }
    }
}

void SynEngine::expire(ProbeClock::time_point now) {
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline > now) {
            ++it;
            continue;
        }
        std::size_t ti = it->first >> 16;
        auto port = static_cast<std::uint16_t>(it->first & 0xffff);
        ProbeTarget& t = targets_[ti];
        --t.in_flight;
        if (it->second.attempt < options_.retries) {
            t.queue.emplace_back(port, it->second.attempt + 1);
        } else {
            done_[ti][port] = true;
            ++stats_.filtered;
        }
        it = pending_.erase(it);
    }
}

void SynEngine::run(const std::atomic<bool>* cancel) {
    if (targets_.empty()) {
        return;
    }
    std::vector<pollfd> fds;
    for (int fd : {sender_.fd_v4(), sender_.fd_v6()}) {
        if (fd >= 0) {
            fds.push_back({fd, POLLIN, 0});
        }
    }
    auto last_expiry = ProbeClock::now();
    for (;;) {
        if (cancel != nullptr && cancel->load()) {
            break;
        }
        bool queued = fill(ProbeClock::now());
        if (!queued && pending_.empty()) {
            break;
        }
        int wait = queued && pending_.size() < options_.max_in_flight ? 1 : 10;
        int n = ::poll(fds.data(), fds.size(), wait);
        auto now = ProbeClock::now();
        for (std::size_t i = 0; n > 0 && i < fds.size(); ++i) {
            if (fds[i].revents != 0) {
                receive(fds[i].fd, fds[i].fd == sender_.fd_v6(), now);
            }
        }
        if (now - last_expiry >= std::chrono::milliseconds(2)) {
            expire(now);
            last_expiry = now;
        }
    }
}

}  // namespace

core::Result<std::vector<OpenPort>> scan_syn(std::span<const core::IpAddress> addresses,
                                             std::span<const std::uint16_t> ports,
                                             const DiscoveryOptions& options,
                                             DiscoveryStats* stats,
                                             const std::atomic<bool>* cancel) {
    auto sender = internal::RawSender::open(addresses);
    if (!sender) {
        return fail(sender.error());
    }
    auto cookie = internal::SynCookie::random();
    if (!cookie) {
        return fail(cookie.error());
    }
    auto reserved = reserve_port();
    if (!reserved) {
        return fail(reserved.error());
    }
    std::uint16_t sport = reserved->second;
    for (auto [fd, family] : {std::pair{sender->fd_v4(), AF_INET}, std::pair{sender->fd_v6(), AF_INET6}}) {
        if (fd >= 0) {
            if (auto st = internal::filter_destination_port(fd, family, sport); !st) {
                return fail(st.error());
            }
        }
    }
    std::vector<core::IpAddress> sources;
    for (const core::IpAddress& a : addresses) {
        auto src = internal::source_address_for(a);
        if (!src) {
            return fail(src.error());
        }
        sources.push_back(*src);
    }
    DiscoveryOptions o = options;
    o.max_in_flight = std::max<std::size_t>(1, o.max_in_flight);
    o.per_target_in_flight = std::max<std::size_t>(1, o.per_target_in_flight);
    SynEngine engine(addresses, ports, o, std::move(*sender), std::move(*cookie), sport,
                     std::move(sources));
    engine.run(cancel);
    std::vector<OpenPort> open = std::move(engine.open());
    sort_open_ports(open);
    if (stats != nullptr) {
        *stats = engine.stats();
        stats->mode = DiscoveryMode::kSyn;
    }
    return open;
}

}  // namespace cyberalarm::scan
