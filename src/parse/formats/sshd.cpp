// OpenSSH sshd authentication messages as written to auth.log / the journal
// ("sshd[123]: Failed password for invalid user admin from 203.0.113.5 port 51234 ssh2").
//
// Authentication attempts and pre-authentication connection events with a peer address
// become auth Events (outcome success/failure where the line says so, destination port 22
// unless given, the user name as a keyed hash). Everything else sshd logs — PAM module
// lines, session open/close, daemon start/stop — is kIgnored: PAM's "authentication
// failure" repeats the "Failed password" line sshd writes for the same attempt, and
// counting both would double every failure. See docs/formats/sshd.md.
#include <array>

#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using core::Event;
using core::Outcome;

constexpr std::uint16_t kSshPort = 22;

bool is_sshd_tag(std::string_view app) {
    return app == "sshd" || app == "sshd-session" || app == "sshd-auth";
}

int probe(const SyslogMessage& msg) {
    if (!is_sshd_tag(msg.app_name)) {
        return 0;
    }
    return 80;
}

struct Peer {
    std::string_view user;
    core::IpAddress ip;
    std::optional<std::uint16_t> port;
};

// Leading decimal digits of s ("52694:11:" → 52694).
std::optional<std::uint16_t> leading_port(std::string_view s) {
    std::size_t n = 0;
    while (n < s.size() && n < 6 && s[n] >= '0' && s[n] <= '9') {
        ++n;
    }
    return to_port(s.substr(0, n));
}

// "[invalid user |authenticating user |user ]NAME [from ]ADDR [port P][…]". The address is
// the token before the last " port " (user names are attacker-chosen and may hold spaces
// or the word "port", so the search runs from the right).
bool read_peer(std::string_view s, Peer& p) {
    std::string_view head = s;
    std::size_t port_pos = s.rfind(" port ");
    if (port_pos != std::string_view::npos) {
        p.port = leading_port(s.substr(port_pos + 6));
        head = s.substr(0, port_pos);
    } else {
        // "Did not receive identification string from 1.2.3.4" and similar end at the address.
        std::size_t end = head.find_first_of(":[");
        if (end != std::string_view::npos && !core::IpAddress::parse(head).has_value()) {
            // Stop before "[preauth]" or ": reason" but not inside an IPv6 address.
            std::size_t sp = head.rfind(' ');
            if (sp != std::string_view::npos) {
                std::string_view last = trim(head.substr(sp + 1));
                if (last.starts_with("[")) {
                    head = trim(head.substr(0, sp));
                }
            }
        }
    }
    std::size_t sp = head.rfind(' ');
    std::string_view addr = sp == std::string_view::npos ? head : head.substr(sp + 1);
    auto ip = core::IpAddress::parse(addr);
    if (!ip) {
        return false;
    }
    p.ip = *ip;
    std::string_view user = sp == std::string_view::npos ? std::string_view() : head.substr(0, sp);
    if (user.ends_with(" from")) {
        user.remove_suffix(5);
    } else if (user == "from") {
        user = {};
    }
    for (std::string_view prefix : {"invalid user ", "illegal user ", "authenticating user ",
                                    "user "}) {
        if (user.starts_with(prefix)) {
            user.remove_prefix(prefix.size());
            break;
        }
    }
    p.user = user;
    return true;
}

struct Rule {
    std::string_view prefix;   // the message starts with this
    std::string_view code;     // event_code
    Outcome outcome;
};

// Ordered: the first matching prefix wins.
constexpr std::array<Rule, 22> kRules = {{
    {"Failed ", "auth_failed", Outcome::kFailure},
    {"Accepted ", "auth_accepted", Outcome::kSuccess},
    {"Invalid user ", "invalid_user", Outcome::kFailure},
    {"Illegal user ", "invalid_user", Outcome::kFailure},
    {"error: maximum authentication attempts exceeded for ", "max_auth_attempts",
     Outcome::kFailure},
    {"maximum authentication attempts exceeded for ", "max_auth_attempts", Outcome::kFailure},
    {"Disconnecting authenticating user ", "too_many_failures", Outcome::kFailure},
    {"Disconnecting invalid user ", "too_many_failures", Outcome::kFailure},
    {"Connection closed by authenticating user ", "preauth_closed", Outcome::kFailure},
    {"Connection closed by invalid user ", "preauth_closed", Outcome::kFailure},
    {"Connection reset by authenticating user ", "preauth_closed", Outcome::kFailure},
    {"Connection reset by invalid user ", "preauth_closed", Outcome::kFailure},
    {"Disconnected from authenticating user ", "preauth_disconnected", Outcome::kFailure},
    {"Disconnected from invalid user ", "preauth_disconnected", Outcome::kFailure},
    {"Disconnected from ", "disconnected", Outcome::kUnknown},
    {"Connection closed by ", "connection_closed", Outcome::kUnknown},
    {"Connection reset by ", "connection_closed", Outcome::kUnknown},
    {"Received disconnect from ", "received_disconnect", Outcome::kUnknown},
    {"Did not receive identification string from ", "no_identification", Outcome::kUnknown},
    {"banner exchange: Connection from ", "bad_banner", Outcome::kUnknown},
    {"Unable to negotiate with ", "negotiation_failed", Outcome::kUnknown},
    {"Timeout before authentication for ", "preauth_timeout", Outcome::kUnknown},
}};

// "User root from 1.2.3.4 not allowed because not listed in AllowUsers"
bool not_allowed(std::string_view m, Peer& p) {
    if (!m.starts_with("User ")) {
        return false;
    }
    std::size_t na = m.find(" not allowed because ");
    if (na == std::string_view::npos) {
        return false;
    }
    std::string_view head = m.substr(5, na - 5);
    std::size_t from = head.rfind(" from ");
    if (from == std::string_view::npos) {
        return false;
    }
    auto ip = core::IpAddress::parse(head.substr(from + 6));
    if (!ip) {
        return false;
    }
    p.ip = *ip;
    p.user = head.substr(0, from);
    return true;
}

// "Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22 rdomain """ (LogLevel VERBOSE).
bool connection_from(std::string_view m, Peer& p, Event& out) {
    if (!m.starts_with("Connection from ")) {
        return false;
    }
    Cursor c(m.substr(16));
    auto ip = core::IpAddress::parse(c.token(' '));
    if (!ip || c.token(' ') != "port") {
        return false;
    }
    p.ip = *ip;
    p.port = to_port(c.token(' '));
    if (c.token(' ') == "on") {
        if (auto local = core::IpAddress::parse(c.token(' ')); local && c.token(' ') == "port") {
            out.dst_ip = *local;
            if (auto lp = to_port(c.token(' '))) {
                out.set_dst_port(*lp);
            }
        }
    }
    return true;
}

// "Failed password for [invalid user ]NAME from …" / "Accepted publickey for NAME from …":
// skip the method word to " for ".
std::string_view after_method(std::string_view rest) {
    std::size_t f = rest.find(" for ");
    return f == std::string_view::npos ? std::string_view() : rest.substr(f + 5);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx, Event& out) {
    apply_header(msg, ctx, "sshd", out);
    out.observer_vendor.assign("OpenBSD");
    out.observer_product.assign("OpenSSH");
    std::string_view m = trim(msg.msg);
    Peer peer;
    std::string_view code;
    Outcome outcome = Outcome::kUnknown;
    if (not_allowed(m, peer)) {
        code = "not_allowed";
        outcome = Outcome::kFailure;
    } else if (connection_from(m, peer, out)) {
        code = "connection";
    } else {
        const Rule* rule = nullptr;
        for (const auto& r : kRules) {
            if (m.starts_with(r.prefix)) {
                rule = &r;
                break;
            }
        }
        if (rule == nullptr) {
            return Disposition::kIgnored;
        }
        std::string_view rest = m.substr(rule->prefix.size());
        if (rule->prefix == "Failed " || rule->prefix == "Accepted ") {
            rest = after_method(rest);
        }
        if (!read_peer(rest, peer)) {
            // "Connection closed by remote host" and friends carry no address.
            if (rule->outcome == Outcome::kUnknown) {
                return Disposition::kIgnored;
            }
            return core::fail(core::Error::parse("no peer address in sshd auth message", "source",
                                                 static_cast<std::size_t>(m.data() -
                                                                          msg.raw.data())));
        }
        code = rule->code;
        outcome = rule->outcome;
    }
    out.category = core::Category::kAuth;
    out.outcome = outcome;
    out.event_code.assign(code);
    out.app_protocol.assign("ssh");
    out.set_transport(core::Transport::kTcp);
    out.src_ip = peer.ip;
    if (peer.port) {
        out.set_src_port(*peer.port);
    }
    if (!out.has(Event::kDstPort)) {
        out.set_dst_port(kSshPort);
    }
    if (!peer.user.empty()) {
        out.user_hash = hash_identity(ctx, peer.user);
    }
    return Disposition::kEvent;
}

}  // namespace

const Format& sshd() {
    static const Format kFormat{"sshd", "OpenSSH sshd authentication messages (auth.log, journal)",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
