// Cisco ASA/FTD authentication, VPN and management-session messages: AAA (113xxx),
// cut-through proxy (109xxx), management logins (605xxx, 611xxx), command accounting
// (111xxx), WebVPN/AnyConnect (716xxx, 722xxx, 113039, 113019, 734001), IKE (713xxx,
// 750xxx) and SSL handshakes to the device (725xxx).
//
// A line with a peer address or an authentication outcome becomes an auth Event; user names
// are hashed with the member's key. Lines with neither (logouts, status) are kIgnored.
#include "parse/formats/cisco_asa_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::asa {

namespace {

using core::Event;
using core::Outcome;

struct AuthFields {
    std::string_view user;
    Outcome outcome = Outcome::kUnknown;
};

// The value after `key` up to `end` (or the end of s).
std::string_view value_after(std::string_view s, std::string_view key, std::string_view end) {
    std::size_t p = s.find(key);
    if (p == std::string_view::npos) {
        return {};
    }
    std::string_view v = s.substr(p + key.size());
    std::size_t e = end.empty() ? std::string_view::npos : v.find(end);
    return trim(v.substr(0, e));
}

// 'name' or "name" or name.
std::string_view strip_quotes(std::string_view s) {
    if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) {
        return s.substr(1, s.size() - 2);
    }
    return s;
}

bool set_src_text(std::string_view text, Event& out) {
    Endpoint ep;
    if (!parse_endpoint(text, ep)) {
        return false;
    }
    set_source(ep, out);
    return true;
}

bool set_dst_text(std::string_view text, Event& out) {
    Endpoint ep;
    if (!parse_endpoint(text, ep)) {
        return false;
    }
    set_destination(ep, out);
    return true;
}

// "AAA user authentication Rejected : reason = … : server = A : user = u : user IP = B".
void aaa(unsigned id, std::string_view body, AuthFields& f, Event& out) {
    f.user = value_after(body, " user = ", " : ");
    set_dst_text(value_after(body, "server = ", " : "), out);
    set_src_text(value_after(body, "user IP = ", " : "), out);
    if (id == 113005 || id == 113015 || body.find(" Rejected") != std::string_view::npos) {
        f.outcome = Outcome::kFailure;
    } else if (body.find(" Successful") != std::string_view::npos ||
               body.find("status ACCEPT") != std::string_view::npos) {
        f.outcome = Outcome::kSuccess;
    }
}

// "Group <g> User <u> IP <a> …", "TunnelGroup <t> GroupPolicy <g> User <u> IP <a> …",
// "Group = g, Username = u, IP = a, …", "… client user u, IP a has been created."
void vpn(unsigned id, std::string_view body, AuthFields& f, Event& out) {
    if (body.find('<') != std::string_view::npos) {
        // A <value> never holds '<': if it does, its '>' belongs to a later field (a user
        // name, say) and the value is refused rather than let that field leak into it.
        auto angle = [&](std::string_view key) {
            std::string_view v = value_after(body, key, ">");
            return v.find('<') == std::string_view::npos ? v : std::string_view();
        };
        std::string_view policy = angle("GroupPolicy <");
        if (policy.empty()) {
            policy = angle("Group <");
        } else {
            out.rule_ruleset.assign(angle("TunnelGroup <"));
        }
        out.rule_name.assign(policy);
        f.user = angle("User <");
        set_src_text(angle(" IP <"), out);
    } else if (body.find(" = ") != std::string_view::npos) {
        out.rule_name.assign(value_after(body, "Group = ", ","));
        f.user = value_after(body, "Username = ", ",");
        set_src_text(value_after(body, "IP = ", ","), out);
    } else {
        f.user = value_after(body, " user ", ",");
        set_src_text(token_after(body, ", IP "), out);
    }
    if (body.find("Authentication: rejected") != std::string_view::npos || id == 716039) {
        f.outcome = Outcome::kFailure;
    } else if (body.find("Authentication: successful") != std::string_view::npos ||
               id == 716038 || id == 113039) {
        f.outcome = Outcome::kSuccess;
    }
    // 113019 "… Bytes xmt: 220870890, Bytes rcv: 57125392": sent to and received from the
    // peer, who is the source.
    if (auto xmt = to_uint<std::uint64_t>(value_after(body, "Bytes xmt: ", ","))) {
        out.set_dst_bytes(*xmt);
    }
    if (auto rcv = to_uint<std::uint64_t>(value_after(body, "Bytes rcv: ", ","))) {
        out.set_src_bytes(*rcv);
    }
}

// "Local:A:p Remote:B:p Username:u IKEv2 …": the remote peer is the party of interest.
void ikev2(unsigned id, std::string_view body, AuthFields& f, Event& out) {
    auto endpoint = [](std::string_view tok, Endpoint& ep) {
        std::size_t colon = tok.rfind(':');
        if (colon == std::string_view::npos) {
            return false;
        }
        auto ip = core::IpAddress::parse(tok.substr(0, colon));
        auto port = to_port(tok.substr(colon + 1));
        if (!ip || !port) {
            return false;
        }
        ep.ip = *ip;
        ep.port = *port;
        ep.has_port = true;
        return true;
    };
    Endpoint local;
    Endpoint remote;
    if (endpoint(token_after(body, "Remote:"), remote)) {
        set_source(remote, out);
    }
    if (endpoint(token_after(body, "Local:"), local)) {
        set_destination(local, out);
    }
    f.user = token_after(body, "Username:");
    if (id == 750003) {
        f.outcome = Outcome::kFailure;
    }
}

void by_id(unsigned id, std::string_view body, AuthFields& f, Event& out) {
    switch (id) {
        case 113004: case 113005: case 113008: case 113012: case 113014: case 113015:
            aaa(id, body, f, out);
            return;
        case 113006:  // "User 'u' locked out on exceeding '5' successive failed …"
            f.user = strip_quotes(token_after(body, "User "));
            f.outcome = Outcome::kFailure;
            return;
        case 109005: case 109006: case 109007: case 109008: {
            // "Authentication succeeded for user 'u' from A/p to B/p on interface X"
            f.user = strip_quotes(token_after(body, " user "));
            set_src_text(token_after(body, " from "), out);
            set_dst_text(token_after(body, " to "), out);
            std::string_view iface = token_after(body, " on interface ");
            if (!iface.empty()) {
                out.ingress_interface.assign(iface);
            }
            f.outcome = (id == 109005 || id == 109007) ? Outcome::kSuccess : Outcome::kFailure;
            return;
        }
        case 605004: case 605005:
            // "Login denied from A/p to IF:B/ssh for user "u""
            set_src_text(token_after(body, " from "), out);
            set_dst_text(token_after(body, " to "), out);
            f.user = strip_quotes(value_after(body, " for user ", ""));
            f.outcome = id == 605005 ? Outcome::kSuccess : Outcome::kFailure;
            return;
        case 611101: case 611102:
            // "User authentication succeeded: IP address: A, Uname: u"
            set_src_text(value_after(body, "IP address: ", ","), out);
            f.user = value_after(body, "Uname: ", "");
            f.outcome = id == 611101 ? Outcome::kSuccess : Outcome::kFailure;
            return;
        case 111007:  // "Begin configuration: A reading from http [POST]"
            set_src_text(token_after(body, "configuration: "), out);
            return;
        case 111010:  // "User 'u', running 'CLI' from IP A, executed '…'"
            f.user = strip_quotes(value_after(body, "User ", ","));
            set_src_text(token_after(body, " from IP "), out);
            return;
        case 109201:  // "UAUTH: Session=0x…, User=u, Assigned IP=A, Succeeded adding entry."
            f.user = value_after(body, "User=", ",");
            set_src_text(value_after(body, "Assigned IP=", ","), out);
            return;
        case 734001:  // "DAP: User u, Addr A, Connection AnyConnect: …"
            f.user = value_after(body, "User ", ",");
            set_src_text(value_after(body, "Addr ", ","), out);
            return;
        default:
            break;
    }
    if (id >= 750001 && id <= 750015) {
        ikev2(id, body, f, out);
    } else if (id >= 725001 && id <= 725017) {
        // "Starting SSL handshake with client WAN:A/p for TLS session."
        if (!set_src_text(token_after(body, " client "), out)) {
            set_dst_text(token_after(body, " server "), out);
        }
    } else {
        vpn(id, body, f, out);
    }
}

}  // namespace

bool looks_like_vpn_body(std::string_view body) {
    return body.starts_with("Group <") || body.starts_with("TunnelGroup <") ||
           body.starts_with("Group = ") || body.starts_with("IP = ");
}

bool is_auth_id(unsigned id) {
    switch (id) {
        case 109005: case 109006: case 109007: case 109008: case 109201: case 111007:
        case 111010: case 113004: case 113005: case 113006: case 113008: case 113012:
        case 113014: case 113015: case 113019: case 113039: case 605004: case 605005:
        case 611101: case 611102: case 734001:
            return true;
        default:
            return (id >= 716001 && id <= 716061) || (id >= 722001 && id <= 722055) ||
                   (id >= 725001 && id <= 725017) || (id >= 750001 && id <= 750015) ||
                   (id >= 713000 && id <= 713999);
    }
}

core::Result<Disposition> parse_auth(unsigned id, std::string_view body, const ParseContext& ctx,
                                     core::Event& out) {
    out.category = core::Category::kAuth;
    AuthFields f;
    by_id(id, body, f, out);
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && f.outcome == Outcome::kUnknown) {
        return Disposition::kIgnored;
    }
    out.outcome = f.outcome;
    if (!f.user.empty()) {
        out.user_hash = hash_identity(ctx, f.user);
    }
    if (id >= 725001 && id <= 725017) {
        out.app_protocol.assign("tls");
    } else if (id >= 605004 && id <= 605005 && out.has(Event::kDstPort) && out.dst_port == 22) {
        out.app_protocol.assign("ssh");
    }
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::asa
