// Private to the cisco_asa format: message-body parsers shared by cisco_asa*.cpp.
//
// The format file (cisco_asa.cpp) finds the "%ASA-6-302013:" marker, reads the device time
// stamp and severity, and hands the message body to one of these by message id.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/event.h"
#include "core/ip.h"
#include "parse/parser.h"

namespace cyberalarm::parse::formats::asa {

// "[iface:]addr[/port]", "iface/addr(port)", "addr" with an optional "(user)" suffix.
struct Endpoint {
    std::string_view iface;
    core::IpAddress ip;
    std::uint16_t port = 0;
    bool has_port = false;
};

// Reads "[iface:]addr[/port|/service]" (a trailing "(…)", ',' ':' or '.' is dropped).
bool parse_endpoint(std::string_view text, Endpoint& ep);
// The whitespace-delimited token that starts at `pos` in s.
std::string_view token_at(std::string_view s, std::size_t pos);
// The token that follows `marker` in s (empty if the marker is absent).
std::string_view token_after(std::string_view s, std::string_view marker);
// Copies an endpoint into the event's source or destination.
void set_source(const Endpoint& ep, core::Event& out);
void set_destination(const Endpoint& ep, core::Event& out);

// Firewall, connection, NAT and threat-detection messages (cisco_asa_msgs.cpp).
// kIgnored for message ids it does not know.
core::Result<Disposition> parse_traffic(unsigned id, std::string_view body, core::Event& out);
// True if parse_traffic knows the id.
bool is_traffic_id(unsigned id);

// AAA, VPN, admin-session and SSL messages (cisco_asa_auth.cpp). `id` is 0 for a body
// that came without its %ASA- prefix.
core::Result<Disposition> parse_auth(unsigned id, std::string_view body,
                                     const ParseContext& ctx, core::Event& out);
bool is_auth_id(unsigned id);
// True if the body looks like a VPN session line ("Group <g> User <u> IP <a> …").
bool looks_like_vpn_body(std::string_view body);

// Firepower unified events 430001–430005 ("Key: value, Key: value", cisco_asa_unified.cpp).
core::Result<Disposition> parse_unified(unsigned id, std::string_view body, core::Event& out);

}  // namespace cyberalarm::parse::formats::asa
