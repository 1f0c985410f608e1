#include "core/event.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace cyberalarm::core {

std::string_view to_string(Action v) {
    switch (v) {
        case Action::kUnknown:
            return "unknown";
        case Action::kAllow:
            return "allow";
        case Action::kDeny:
            return "deny";
        case Action::kDrop:
            return "drop";
        case Action::kReject:
            return "reject";
        case Action::kAlert:
            return "alert";
    }
    return "unknown";
}

std::string_view to_string(Transport v) {
    switch (v) {
        case Transport::kUnknown:
            return "unknown";
        case Transport::kTcp:
            return "tcp";
        case Transport::kUdp:
            return "udp";
        case Transport::kIcmp:
            return "icmp";
        case Transport::kIcmpv6:
            return "ipv6-icmp";
        case Transport::kGre:
            return "gre";
        case Transport::kEsp:
            return "esp";
        case Transport::kAh:
            return "ah";
        case Transport::kSctp:
            return "sctp";
        case Transport::kOther:
            return "other";
    }
    return "unknown";
}

std::string_view to_string(Direction v) {
    switch (v) {
        case Direction::kUnknown:
            return "unknown";
        case Direction::kInbound:
            return "inbound";
        case Direction::kOutbound:
            return "outbound";
        case Direction::kInternal:
            return "internal";
        case Direction::kExternal:
            return "external";
    }
    return "unknown";
}

std::string_view to_string(Category v) {
    switch (v) {
        case Category::kFirewall:
            return "firewall";
        case Category::kIds:
            return "ids";
        case Category::kAv:
            return "av";
        case Category::kSpam:
            return "spam";
        case Category::kAuth:
            return "auth";
        case Category::kFlow:
            return "flow";
    }
    return "firewall";
}

std::string_view to_string(Severity v) {
    switch (v) {
        case Severity::kUnknown:
            return "unknown";
        case Severity::kInfo:
            return "info";
        case Severity::kLow:
            return "low";
        case Severity::kMedium:
            return "medium";
        case Severity::kHigh:
            return "high";
        case Severity::kCritical:
            return "critical";
    }
    return "unknown";
}

std::string_view to_string(Outcome v) {
    switch (v) {
        case Outcome::kUnknown:
            return "unknown";
        case Outcome::kSuccess:
            return "success";
        case Outcome::kFailure:
            return "failure";
    }
    return "unknown";
}

Transport transport_from_number(unsigned protocol) {
    switch (protocol) {
        case 1:
            return Transport::kIcmp;
        case 6:
            return Transport::kTcp;
        case 17:
            return Transport::kUdp;
        case 47:
            return Transport::kGre;
        case 50:
            return Transport::kEsp;
        case 51:
            return Transport::kAh;
        case 58:
            return Transport::kIcmpv6;
        case 132:
            return Transport::kSctp;
        default:
            return protocol == 0 ? Transport::kUnknown : Transport::kOther;
    }
}

unsigned transport_number(Transport t) {
    switch (t) {
        case Transport::kIcmp:
            return 1;
        case Transport::kTcp:
            return 6;
        case Transport::kUdp:
            return 17;
        case Transport::kGre:
            return 47;
        case Transport::kEsp:
            return 50;
        case Transport::kAh:
            return 51;
        case Transport::kIcmpv6:
            return 58;
        case Transport::kSctp:
            return 132;
        default:
            return 0;
    }
}

Transport transport_from_name(std::string_view name) {
    if (name.empty() || name.size() > 12) {
        return Transport::kUnknown;
    }
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        unsigned n = 0;
        for (char c : name) {
            n = n * 10 + static_cast<unsigned>(c - '0');
        }
        return n > 255 ? Transport::kUnknown : transport_from_number(n);
    }
    std::array<char, 12> lower{};
    for (std::size_t i = 0; i < name.size(); ++i) {
        lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    }
    std::string_view n(lower.data(), name.size());
    if (n == "tcp")
        return Transport::kTcp;
    if (n == "udp")
        return Transport::kUdp;
    if (n == "icmp" || n == "icmpv4")
        return Transport::kIcmp;
    if (n == "icmpv6" || n == "ipv6-icmp" || n == "icmp6")
        return Transport::kIcmpv6;
    if (n == "gre")
        return Transport::kGre;
    if (n == "esp")
        return Transport::kEsp;
    if (n == "ah")
        return Transport::kAh;
    if (n == "sctp")
        return Transport::kSctp;
    return Transport::kUnknown;
}

void Event::set_ip_protocol(unsigned proto) {
    ip_protocol = static_cast<std::uint8_t>(proto);
    present |= kIpProtocol;
    if (transport == Transport::kUnknown) {
        transport = transport_from_number(proto);
    }
}

void Event::set_transport(Transport t) {
    transport = t;
    if (!(present & kIpProtocol)) {
        if (unsigned n = transport_number(t); n != 0) {
            ip_protocol = static_cast<std::uint8_t>(n);
            present |= kIpProtocol;
        }
    }
}

void Event::clear() {
    auto keep = [](std::string& s) { s.clear(); };
    std::string* strings[] = {&format,           &observer_name,   &observer_vendor,
                              &observer_product, &observer_serial, &ingress_interface,
                              &egress_interface, &event_code,      &rule_id,
                              &rule_name,        &rule_ruleset,    &app_protocol,
                              &user_hash};
    for (auto* s : strings) {
        keep(*s);
    }
    time_ns = 0;
    src_ip = {};
    dst_ip = {};
    src_port = dst_port = 0;
    ip_protocol = icmp_type = icmp_code = 0;
    transport = Transport::kUnknown;
    direction = Direction::kUnknown;
    action = Action::kUnknown;
    category = Category::kFirewall;
    severity = Severity::kUnknown;
    outcome = Outcome::kUnknown;
    src_bytes = dst_bytes = bytes = src_packets = dst_packets = packets = 0;
    duration_ns = 0;
    present = 0;
}

}  // namespace cyberalarm::core
