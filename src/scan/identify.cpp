#include "scan/identify.h"

#include <openssl/ssl.h>

#include "scan/internal/channel.h"

namespace cyberalarm::scan {

using internal::AnswerLimits;
using internal::Channel;
using internal::Millis;

std::string fill_payload(std::string_view payload, std::string_view host,
                         std::string_view user_agent) {
    std::string out;
    for (std::size_t i = 0; i < payload.size(); ++i) {
        if (payload.substr(i, 6) == "{host}") {
            out += host;
            i += 5;
        } else if (payload.substr(i, 12) == "{user_agent}") {
            out += user_agent;
            i += 11;
        } else {
            out.push_back(payload[i]);
        }
    }
    return out;
}

namespace {

std::string host_header(const std::string& host, const core::IpAddress& ip, std::uint16_t port) {
    std::string h = host.empty() ? (ip.is_v6() ? "[" + ip.to_string() + "]" : ip.to_string()) : host;
    return h + ":" + std::to_string(port);
}

// Runs `probe` on a fresh connection (TLS when `tls`); the identity if a rule matched.
std::optional<Identity> try_probe(const ProbeSet& set, const Probe& probe, ServiceInfo& info,
                                  bool tls, const IdentifyOptions& o) {
    internal::TlsOffer offer;
    offer.sni = info.host;
    auto ch = tls ? internal::open_tls(info.address, info.port, offer, o.connect_timeout)
                  : internal::open_plain(info.address, info.port, o.connect_timeout);
    if (!ch) {
        return std::nullopt;
    }
    const ProbeSettings& s = set.settings();
    AnswerLimits limits{Millis(s.probe_wait_ms), Millis(s.idle_ms), s.max_response_bytes};
    std::string payload =
        fill_payload(probe.payload, host_header(info.host, info.address, info.port), o.user_agent);
    std::optional<Identity> found;
    std::string answer = internal::exchange(**ch, payload, limits, [&](const std::string& a) {
        found = ProbeSet::match(probe, a);
        return found.has_value() && found->service != "http";  // HTTP: read all headers
    });
    if (!found) {
        found = ProbeSet::match(probe, answer);
    }
    if (found || info.answer.empty()) {
        info.answer = answer;  // an unknown service's first words are still evidence
    }
    return found;
}

bool try_tls(ServiceInfo& info, const IdentifyOptions& o) {
    internal::TlsOffer offer;
    offer.sni = info.host;
    auto ch = internal::open_tls(info.address, info.port, offer, o.connect_timeout);
    if (!ch) {
        return false;
    }
    info.tls = true;
    info.tls_version = (*ch)->tls()->version();
    return true;
}

}  // namespace

ServiceInfo identify(const ProbeSet& set, const core::IpAddress& address, std::uint16_t port,
                     const std::string& host, const IdentifyOptions& o) {
    ServiceInfo info;
    info.address = address;
    info.port = port;
    info.host = host;
    info.id.service = "unknown";
    const ProbeSettings& s = set.settings();
    auto ch = internal::open_plain(address, port, o.connect_timeout);
    if (!ch) {
        return info;  // it closed since discovery: still reported as seen open
    }
    AnswerLimits greet{Millis(s.banner_wait_ms), Millis(s.idle_ms), s.max_response_bytes};
    const Probe* greeting = set.greeting();
    std::optional<Identity> found;
    std::string banner = internal::read_answer(**ch, greet, [&](const std::string& a) {
        found = greeting != nullptr ? ProbeSet::match(*greeting, a) : std::nullopt;
        return found.has_value();
    });
    ch->reset();
    if (!banner.empty()) {
        info.answer = banner;
        if (found || (greeting != nullptr && (found = ProbeSet::match(*greeting, banner)))) {
            info.id = std::move(*found);
        }
        return info;  // a service that speaks first is not going to answer probes better
    }
    bool tls = try_tls(info, o);
    for (const Probe* p : set.ordered_for(port)) {
        if (tls && !p->tls) {
            continue;
        }
        if (auto id = try_probe(set, *p, info, tls, o)) {
            info.id = std::move(*id);
            return info;
        }
    }
    if (tls) {
        info.id.service = "tls";
    }
    return info;
}

}  // namespace cyberalarm::scan
