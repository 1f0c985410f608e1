// Private to the juniper_srx format: a Junos line split into its parts, and the handlers
// for each message family. Views point into the line being parsed.
#pragma once

#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"

namespace cyberalarm::parse::formats::junos {

struct Parts {
    std::string_view line;      // the whole raw line, for error offsets
    std::string_view tag;       // process or facility: "RT_FLOW", "mgd", "kernel", "sshd"
    std::string_view event_id;  // "RT_FLOW_SESSION_CREATE", "UI_LOGIN_EVENT" … or empty
    std::string_view sd;        // "[junos@… k="v" …]" (RFC 5424 or inline), or empty
    std::string_view body;      // the text after the event id
};

std::size_t offset_in(std::string_view line, std::string_view part);

// Address "a.b.c.d" or IPv6; false when empty or invalid.
bool set_ip(std::string_view text, core::IpAddress& dst);
void set_protocol_name(std::string_view name, core::Event& out);

// RT_FLOW_SESSION_CREATE / CLOSE / DENY (structured and text).
core::Result<Disposition> parse_flow(const Parts& p, core::Event& out);
// RT_SCREEN_*, RT_IDP / IDP_ATTACK_LOG_EVENT, and the UTM families (AV, anti-spam, web filter).
core::Result<Disposition> parse_security(const Parts& p, core::Event& out);
// UI_LOGIN_EVENT, UI_AUTH_EVENT, SSHD_LOGIN_FAILED, LOGIN_*, sshd password lines, IKE.
core::Result<Disposition> parse_auth(const Parts& p, const ParseContext& ctx, core::Event& out);
// Firewall filter log: "FW: ge-0/0/0.0 D tcp 1.2.3.4 5.6.7.8 1234 80 (1 packets)".
core::Result<Disposition> parse_filter(std::string_view fw, const Parts& p, core::Event& out);

}  // namespace cyberalarm::parse::formats::junos
