// SummaryBuilder: the bounded aggregation behind a report (see report.h).
#include <algorithm>
#include <string>

#include "report/report.h"
#include "report/services.h"

namespace cyberalarm::report {

// Private, loopback, link-local, shared (CGNAT), multicast and reserved ranges are not
// "the internet"; anything else is.
bool is_public_address(const core::IpAddress& ip) {
    if (!ip.is_set()) {
        return false;
    }
    if (ip.is_v4()) {
        auto v = ip.v4_value();
        auto in = [v](std::uint32_t net, int bits) {
            return (v >> (32 - bits)) == (net >> (32 - bits));
        };
        return !(in(0x00000000, 8) || in(0x0A000000, 8) || in(0x7F000000, 8) ||
                 in(0xA9FE0000, 16) || in(0xAC100000, 12) || in(0xC0A80000, 16) ||
                 in(0x64400000, 10) || in(0xE0000000, 4) || in(0xF0000000, 4));
    }
    const auto& b = ip.bytes();
    bool unspecified_or_loopback =
        std::all_of(b.begin(), b.begin() + 15, [](std::uint8_t x) { return x == 0; }) && b[15] <= 1;
    bool unique_local = (b[0] & 0xFE) == 0xFC;
    bool link_local = b[0] == 0xFE && (b[1] & 0xC0) == 0x80;
    bool multicast = b[0] == 0xFF;
    return !(unspecified_or_loopback || unique_local || link_local || multicast);
}

namespace {

constexpr std::size_t kTopN = 10;
// Format names come from the parser registry, so this only guards against a surprise.
constexpr std::size_t kMaxFormats = 32;

bool is_blocked(core::Action a) {
    return a == core::Action::kDeny || a == core::Action::kDrop || a == core::Action::kReject;
}

bool is_alert(const core::Event& e) {
    return e.action == core::Action::kAlert || e.category == core::Category::kIds ||
           e.category == core::Category::kAv || e.category == core::Category::kSpam;
}

bool from_outside(const core::Event& e) {
    switch (e.direction) {
        case core::Direction::kInbound:
            return e.src_ip.is_set();
        case core::Direction::kUnknown:
        case core::Direction::kExternal:
            return is_public_address(e.src_ip);
        case core::Direction::kOutbound:
        case core::Direction::kInternal:
            return false;
    }
    return false;
}

bool has_port_number(core::Transport t) {
    return t == core::Transport::kTcp || t == core::Transport::kUdp || t == core::Transport::kSctp;
}

}  // namespace

SummaryBuilder::SummaryBuilder(std::size_t max_keys) : sources_(max_keys), ports_(max_keys) {}

void SummaryBuilder::add(const core::Event& event) {
    ++base_.events;
    bool blocked = is_blocked(event.action);
    if (blocked) {
        ++base_.blocked;
    } else if (event.action == core::Action::kAllow) {
        ++base_.allowed;
    }
    if (is_alert(event)) {
        ++base_.alerts;
    }
    ++base_.by_category[std::string(core::to_string(event.category))];
    static const std::string kUnknownFormat = "unknown";
    const std::string& format = event.format.empty() ? kUnknownFormat : event.format;
    if (auto it = base_.by_format.find(format); it != base_.by_format.end()) {
        ++it->second;
    } else if (base_.by_format.size() < kMaxFormats) {
        base_.by_format.emplace(format, 1);
    } else {
        ++base_.by_format["other"];
    }

    if (event.time_ns > 0 && event.time_ns < core::kMaxTimeNs) {
        base_.first_ns =
            base_.first_ns == 0 ? event.time_ns : std::min(base_.first_ns, event.time_ns);
        base_.last_ns = std::max(base_.last_ns, event.time_ns);
        timeline_.add(event.time_ns, blocked);
    }

    if (from_outside(event)) {
        sources_.add(event.src_ip);
        if (event.has(core::Event::kDstPort) && has_port_number(event.transport)) {
            ports_.add(std::uint32_t{event.dst_port} << 8 |
                       static_cast<std::uint32_t>(event.transport));
        }
    }
}

EventSummary SummaryBuilder::finish() const {
    EventSummary s = base_;
    if (!timeline_.buckets().empty()) {
        s.timeline_start_ns = timeline_.start_ns();
        s.bucket_ns = timeline_.width_ns();
        for (const auto& b : timeline_.buckets()) {
            s.timeline_total.push_back(b.total);
            s.timeline_blocked.push_back(b.blocked);
        }
    }
    for (const auto& [ip, n] : sources_.top(kTopN)) {
        s.top_sources.push_back({ip.to_string(), n});
    }
    for (const auto& [key, n] : ports_.top(kTopN)) {
        auto transport = static_cast<core::Transport>(key & 0xFF);
        s.top_ports.push_back({port_key(static_cast<std::uint16_t>(key >> 8), transport), n});
    }
    s.top_approximate = sources_.approximate() || ports_.approximate();
    s.top_error = std::max(sources_.max_error(), ports_.max_error());
    return s;
}

}  // namespace cyberalarm::report
