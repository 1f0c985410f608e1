// scan_udp: every (address, probe) pair on its own connected UDP socket, all polled at once;
// unanswered ones are sent again `retries` times. A refusal (ICMP port unreachable,
// surfacing as ECONNREFUSED) closes the pair early.
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "scan/internal/net.h"
#include "scan/udp.h"

namespace cyberalarm::scan {

namespace {

struct Pending {
    internal::Fd fd;
    core::IpAddress address;
    UdpProbeSpec spec;
    std::uint16_t id = 0;
    std::string request;
    bool done = false;
};

std::uint16_t random_id() {
    std::uint16_t v = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
    return v;
}

bool wanted(const UdpOptions& o, UdpService s) {
    return o.services.empty() || std::find(o.services.begin(), o.services.end(), s) != o.services.end();
}

std::uint16_t port_for(const UdpOptions& o, const UdpProbeSpec& spec) {
    for (const auto& [service, port] : o.ports) {
        if (service == spec.service) {
            return port;
        }
    }
    return spec.port;
}

}  // namespace

std::vector<UdpAnswer> scan_udp(std::span<const core::IpAddress> addresses, const UdpOptions& o,
                                const std::atomic<bool>* cancel) {
    std::vector<Pending> pending;
    for (const core::IpAddress& a : addresses) {
        for (UdpProbeSpec spec : udp_probes()) {
            if (!wanted(o, spec.service)) {
                continue;
            }
            spec.port = port_for(o, spec);
            sockaddr_storage sa;
            socklen_t len = internal::to_sockaddr(a, spec.port, sa);
            internal::Fd fd(::socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0) {
                continue;
            }
            Pending p{std::move(fd), a, spec, random_id(), {}, false};
            p.request = encode_udp_probe(spec.service, p.id);
            pending.push_back(std::move(p));
        }
    }
    std::vector<UdpAnswer> out;
    std::vector<std::uint8_t> buf(65536);
    for (int attempt = 0; attempt <= o.retries; ++attempt) {
        for (Pending& p : pending) {
            if (!p.done) {
                (void)::send(p.fd.get(), p.request.data(), p.request.size(), MSG_NOSIGNAL);
            }
        }
        auto deadline = std::chrono::steady_clock::now() + o.timeout;
        for (;;) {
            std::vector<pollfd> fds;
            std::vector<Pending*> who;
            for (Pending& p : pending) {
                if (!p.done) {
                    fds.push_back({p.fd.get(), POLLIN, 0});
                    who.push_back(&p);
                }
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (fds.empty() || left.count() <= 0 || (cancel != nullptr && cancel->load())) {
                break;
            }
            int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 100)));
            for (std::size_t k = 0; n > 0 && k < fds.size(); ++k) {
                if (fds[k].revents == 0) {
                    continue;
                }
                Pending& p = *who[k];
                ssize_t got = ::recv(p.fd.get(), buf.data(), buf.size(), 0);
                if (got < 0) {
                    p.done = errno == ECONNREFUSED;  // closed port
                    continue;
                }
                auto d = decode_udp_answer(p.spec.service,
                                           std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(got)),
                                           p.id);
                if (d) {
                    p.done = true;
                    out.push_back({p.address, p.spec.port, p.spec.service, p.request.size(), std::move(*d)});
                }
            }
        }
    }
    return out;
}

std::vector<Finding> udp_findings(const UdpAnswer& a, const std::string& target) {
    Finding f;
    f.target = target;
    f.address = a.address;
    f.port = a.port;
    f.transport = core::Transport::kUdp;
    f.product = a.decoded.product;
    f.version = a.decoded.version;
    double factor = a.request_bytes == 0 ? 0 : static_cast<double>(a.decoded.bytes) / static_cast<double>(a.request_bytes);
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.1f", factor);
    f.evidence = a.decoded.summary + "; " + std::to_string(a.request_bytes) + " bytes sent, " +
                 std::to_string(a.decoded.bytes) + " received (x" + ratio + ")";
    switch (a.service) {
        case UdpService::kDns:
            f.service = "dns";
            f.check = "exposure.udp.dns";
            f.severity = core::Severity::kLow;
            f.title = "DNS server answers from the network";
            f.advice = "If this is not a public DNS server, restrict it; refuse recursion and hide version.bind.";
            break;
        case UdpService::kNtp:
            f.service = "ntp";
            f.check = "exposure.udp.ntp";
            f.severity = core::Severity::kLow;
            f.title = "NTP server answers from the network";
            f.advice = "Restrict NTP to your own clients (restrict default noquery) so it cannot be used for reflection.";
            break;
        case UdpService::kSnmp:
            f.service = "snmp";
            f.check = "exposure.udp.snmp_public";
            f.severity = core::Severity::kHigh;
            f.title = "SNMP answers the default community 'public'";
            f.advice = "Disable SNMP v1/v2c or change the community and restrict it to management hosts; prefer SNMPv3.";
            break;
        case UdpService::kSsdp:
            f.service = "ssdp";
            f.check = "exposure.udp.ssdp";
            f.severity = core::Severity::kMedium;
            f.title = "SSDP (UPnP discovery) answers from the network";
            f.advice = "Block UDP 1900 at the edge; SSDP is abused for reflection attacks.";
            break;
        case UdpService::kMemcached:
            f.service = "memcached";
            f.check = "exposure.udp.memcached";
            f.severity = core::Severity::kHigh;
            f.title = "memcached answers over UDP";
            f.advice = "Disable memcached's UDP listener (-U 0); it is a large amplification vector.";
            break;
        case UdpService::kMdns:
            f.service = "mdns";
            f.check = "exposure.udp.mdns";
            f.severity = core::Severity::kMedium;
            f.title = "mDNS answers from the network";
            f.advice = "Block UDP 5353 at the edge; mDNS should stay on the local link.";
            break;
    }
    return {f};
}

}  // namespace cyberalarm::scan
