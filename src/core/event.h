// Event: one normalised record of gateway metadata (see docs/design/event-model.md).
//
// An Event holds metadata only: addresses, ports, protocol, verdict, counters, the rule or
// signature that fired, and who observed it. It never holds payload, URLs, mail subjects or
// addresses, or user names in clear: `user_hash` is a keyed hash made by the parser.
//
// Optional numeric fields carry a presence bit in `present` (see Field) so that "0 bytes"
// and "not given" stay distinct. Strings are empty when not given.
//
// Thread safety: plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/ip.h"

namespace cyberalarm::core {

enum class Action : std::uint8_t { kUnknown, kAllow, kDeny, kDrop, kReject, kAlert };
enum class Transport : std::uint8_t {
    kUnknown,
    kTcp,
    kUdp,
    kIcmp,
    kIcmpv6,
    kGre,
    kEsp,
    kAh,
    kSctp,
    kOther
};
enum class Direction : std::uint8_t { kUnknown, kInbound, kOutbound, kInternal, kExternal };
enum class Category : std::uint8_t { kFirewall, kIds, kAv, kSpam, kAuth, kFlow };
enum class Severity : std::uint8_t { kUnknown, kInfo, kLow, kMedium, kHigh, kCritical };
enum class Outcome : std::uint8_t { kUnknown, kSuccess, kFailure };

std::string_view to_string(Action v);
std::string_view to_string(Transport v);
std::string_view to_string(Direction v);
std::string_view to_string(Category v);
std::string_view to_string(Severity v);
std::string_view to_string(Outcome v);

// Maps an IP protocol number (6, 17, 1, 58 …) to a Transport.
Transport transport_from_number(unsigned protocol);
// Maps a protocol name as vendors write it ("TCP", "udp", "icmp", "ipv6-icmp", "6") to a
// Transport; kUnknown if not recognised.
Transport transport_from_name(std::string_view name);
// IANA protocol number for a transport, 0 if unknown.
unsigned transport_number(Transport t);

struct Event {
    // Presence bits for optional numeric fields.
    enum Field : std::uint32_t {
        kSrcPort = 1u << 0,
        kDstPort = 1u << 1,
        kIcmpType = 1u << 2,
        kIcmpCode = 1u << 3,
        kSrcBytes = 1u << 4,
        kDstBytes = 1u << 5,
        kSrcPackets = 1u << 6,
        kDstPackets = 1u << 7,
        kDuration = 1u << 8,
        kIpProtocol = 1u << 9,
        kBytes = 1u << 10,    // total bytes when the source does not split them by direction
        kPackets = 1u << 11,  // total packets likewise
    };

    std::int64_t time_ns = 0;      // UTC nanoseconds since the Unix epoch; 0 = unknown
    std::string format;            // registry name of the parser that produced it
    std::string observer_name;     // host name of the device that logged it
    std::string observer_vendor;   // "Cisco", "Fortinet" …
    std::string observer_product;  // "ASA", "FortiGate" …
    std::string observer_serial;   // serial number or device id, when given
    std::string ingress_interface;
    std::string egress_interface;

    IpAddress src_ip;
    IpAddress dst_ip;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint8_t ip_protocol = 0;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    Transport transport = Transport::kUnknown;
    Direction direction = Direction::kUnknown;
    Action action = Action::kUnknown;
    Category category = Category::kFirewall;
    Severity severity = Severity::kUnknown;
    Outcome outcome = Outcome::kUnknown;

    std::uint64_t src_bytes = 0;
    std::uint64_t dst_bytes = 0;
    std::uint64_t bytes = 0;
    std::uint64_t src_packets = 0;
    std::uint64_t dst_packets = 0;
    std::uint64_t packets = 0;
    std::int64_t duration_ns = 0;
    std::uint32_t present = 0;

    std::string event_code;    // vendor message id / event type ("106023", "RT_FLOW_SESSION_DENY")
    std::string rule_id;       // rule or signature id
    std::string rule_name;     // rule or signature name
    std::string rule_ruleset;  // rule set / policy / category, when given
    std::string app_protocol;  // application protocol as reported ("ssh", "dns", "http")
    std::string user_hash;     // keyed hash of the user name (auth events), hex

    [[nodiscard]] bool has(Field f) const { return (present & f) != 0; }
    void set_src_port(std::uint16_t p) {
        src_port = p;
        present |= kSrcPort;
    }
    void set_dst_port(std::uint16_t p) {
        dst_port = p;
        present |= kDstPort;
    }
    void set_icmp(std::uint8_t type, std::uint8_t code) {
        icmp_type = type;
        icmp_code = code;
        present |= kIcmpType | kIcmpCode;
    }
    void set_icmp_type(std::uint8_t type) {
        icmp_type = type;
        present |= kIcmpType;
    }
    void set_icmp_code(std::uint8_t code) {
        icmp_code = code;
        present |= kIcmpCode;
    }
    void set_src_bytes(std::uint64_t v) {
        src_bytes = v;
        present |= kSrcBytes;
    }
    void set_dst_bytes(std::uint64_t v) {
        dst_bytes = v;
        present |= kDstBytes;
    }
    void set_bytes(std::uint64_t v) {
        bytes = v;
        present |= kBytes;
    }
    void set_src_packets(std::uint64_t v) {
        src_packets = v;
        present |= kSrcPackets;
    }
    void set_dst_packets(std::uint64_t v) {
        dst_packets = v;
        present |= kDstPackets;
    }
    void set_packets(std::uint64_t v) {
        packets = v;
        present |= kPackets;
    }
    void set_duration_ns(std::int64_t v) {
        duration_ns = v;
        present |= kDuration;
    }
    // Sets ip_protocol and, if transport is unknown, transport.
    void set_ip_protocol(unsigned proto);
    void set_transport(Transport t);

    // Resets every field, keeping string capacity (for reuse in hot loops).
    void clear();

    friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace cyberalarm::core
