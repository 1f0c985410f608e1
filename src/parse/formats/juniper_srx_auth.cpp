// Junos management-plane authentication, IKE negotiation and firewall-filter messages.
#include <array>

#include "parse/formats/juniper_srx_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::junos {

using core::Category;
using core::Event;
using core::Outcome;

std::size_t offset_in(std::string_view line, std::string_view part) {
    if (part.data() < line.data() || part.data() > line.data() + line.size()) {
        return core::Error::kNoOffset;
    }
    return static_cast<std::size_t>(part.data() - line.data());
}

bool set_ip(std::string_view text, core::IpAddress& dst) {
    auto ip = core::IpAddress::parse(text);
    if (!ip) {
        return false;
    }
    dst = *ip;
    return true;
}

void set_protocol_name(std::string_view name, Event& out) {
    if (auto n = to_uint<std::uint8_t>(name)) {
        out.set_ip_protocol(*n);
        return;
    }
    if (auto t = core::transport_from_name(name); t != core::Transport::kUnknown) {
        out.set_transport(t);
        return;
    }
    struct Named {
        std::string_view name;
        unsigned number;
    };
    static constexpr std::array<Named, 6> kOthers = {
        {{"igmp", 2}, {"ipip", 4}, {"ospf", 89}, {"pim", 103}, {"vrrp", 112}, {"egp", 8}}};
    for (const auto& o : kOthers) {
        if (iequals(name, o.name)) {
            out.set_ip_protocol(o.number);
            return;
        }
    }
}

namespace {

// The text between the first pair of single quotes after `key` ("User 'x'" → x).
std::string_view quoted_after(std::string_view s, std::string_view key) {
    std::size_t k = s.find(key);
    if (k == std::string_view::npos) {
        return {};
    }
    std::size_t open = s.find('\'', k + key.size());
    if (open == std::string_view::npos) {
        return {};
    }
    std::size_t close = s.find('\'', open + 1);
    if (close == std::string_view::npos) {
        return {};
    }
    return s.substr(open + 1, close - open - 1);
}

// The value of `key="…"` inside structured data.
std::string_view sd_value(std::string_view sd, std::string_view key) {
    KvReader r(sd);
    std::string_view k;
    std::string_view v;
    while (r.next(k, v)) {
        if (k == key) {
            return v;
        }
    }
    return {};
}

void set_user(const ParseContext& ctx, std::string_view user, Event& out) {
    if (!user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
}

// "ssh-connection '10.0.0.1 40382 10.0.0.2 22'" → both endpoints.
void read_ssh_connection(std::string_view conn, Event& out) {
    Cursor c(conn);
    std::array<std::string_view, 4> t{};
    for (auto& x : t) {
        x = c.token(' ');
    }
    if (set_ip(t[0], out.src_ip)) {
        if (auto p = to_port(t[1])) {
            out.set_src_port(*p);
        }
    }
    if (set_ip(t[2], out.dst_ip)) {
        if (auto p = to_port(t[3])) {
            out.set_dst_port(*p);
        }
    }
}

// OpenSSH as relayed by Junos: "Failed password for [invalid user] X from IP port N ssh2".
core::Result<Disposition> parse_sshd(const Parts& p, const ParseContext& ctx, Event& out) {
    std::string_view b = p.body;
    bool failed = b.starts_with("Failed ") || b.starts_with("Invalid user ");
    bool accepted = b.starts_with("Accepted ");
    if (!failed && !accepted) {
        return Disposition::kIgnored;
    }
    std::size_t from = b.rfind(" from ");
    std::size_t user_at = b.find(" for ");
    if (from == std::string_view::npos) {
        return core::fail(core::Error::parse("sshd line without 'from'", "from",
                                             offset_in(p.line, b) + b.size()));
    }
    Cursor c(b.substr(from + 6));
    if (!set_ip(c.token(' '), out.src_ip)) {
        return core::fail(
            core::Error::parse("not an IP address", "from", offset_in(p.line, b) + from + 6));
    }
    if (c.skip("port ")) {
        if (auto port = to_port(c.token(' '))) {
            out.set_src_port(*port);
        }
    }
    std::string_view user;
    if (b.starts_with("Invalid user ")) {
        user = b.substr(13, from - 13);
    } else if (user_at != std::string_view::npos && user_at < from) {
        user = b.substr(user_at + 5, from - user_at - 5);
        if (user.starts_with("invalid user ")) {
            user.remove_prefix(13);
        }
    }
    set_user(ctx, user, out);
    out.outcome = failed ? Outcome::kFailure : Outcome::kSuccess;
    out.app_protocol.assign("ssh");
    return Disposition::kEvent;
}

// "IKE negotiation failed with error: … Local: a/500, Remote: b/500, …" (kmd).
core::Result<Disposition> parse_ike(const Parts& p, Event& out) {
    auto endpoint = [&](std::string_view key, core::IpAddress& ip, std::uint16_t& port,
                        Event::Field bit) {
        std::size_t k = p.body.find(key);
        if (k == std::string_view::npos) {
            return false;
        }
        std::string_view v = p.body.substr(k + key.size());
        v = v.substr(0, v.find(','));
        std::size_t slash = v.rfind('/');
        if (!set_ip(v.substr(0, slash), ip)) {
            return false;
        }
        if (slash != std::string_view::npos) {
            if (auto pt = to_port(v.substr(slash + 1))) {
                port = *pt;
                out.present |= bit;
            }
        }
        return true;
    };
    bool remote = endpoint("Remote: ", out.src_ip, out.src_port, Event::kSrcPort);
    bool local = endpoint("Local: ", out.dst_ip, out.dst_port, Event::kDstPort);
    if (!remote && !local) {
        return Disposition::kIgnored;
    }
    out.set_transport(core::Transport::kUdp);
    out.app_protocol.assign("ike");
    out.outcome = Outcome::kFailure;
    return Disposition::kEvent;
}

core::Result<Disposition> parse_kmd_sa(const Parts& p, Event& out) {
    bool remote = set_ip(sd_value(p.sd, "remote-address"), out.src_ip);
    bool local = set_ip(sd_value(p.sd, "local-address"), out.dst_ip);
    if (!remote && !local) {
        return Disposition::kIgnored;
    }
    out.app_protocol.assign("ike");
    out.outcome = Outcome::kSuccess;
    return Disposition::kEvent;
}

}  // namespace

core::Result<Disposition> parse_auth(const Parts& p, const ParseContext& ctx, Event& out) {
    std::string_view id = p.event_id;
    std::string_view b = p.body;
    out.category = Category::kAuth;
    if (id == "UI_LOGIN_EVENT") {
        set_user(ctx, p.sd.empty() ? quoted_after(b, "User ") : sd_value(p.sd, "username"), out);
        read_ssh_connection(
            p.sd.empty() ? quoted_after(b, "ssh-connection ") : sd_value(p.sd, "ssh-connection"),
            out);
        out.outcome = Outcome::kSuccess;
        return Disposition::kEvent;
    }
    if (id == "UI_AUTH_EVENT") {
        set_user(ctx, p.sd.empty() ? quoted_after(b, "user ") : sd_value(p.sd, "username"), out);
        out.outcome = Outcome::kSuccess;
        return Disposition::kEvent;
    }
    if (id == "SSHD_LOGIN_FAILED" || id == "LOGIN_FAILED" || id == "LOGIN_INFORMATION" ||
        id == "UI_LOGIN_FAILED") {
        std::string_view host =
            p.sd.empty() ? quoted_after(b, "host ") : sd_value(p.sd, "source-address");
        std::string_view user =
            p.sd.empty() ? quoted_after(b, "user ") : sd_value(p.sd, "username");
        if (host.empty() && p.sd.empty()) {
            // "User root logged in from host 1.2.3.4 on device ttyp0" (unquoted).
            std::size_t h = b.find("host ");
            host = h == std::string_view::npos ? std::string_view() : b.substr(h + 5);
            host = host.substr(0, host.find(' '));
        }
        set_ip(host, out.src_ip);
        set_user(ctx, user, out);
        out.outcome = id == "LOGIN_INFORMATION" ? Outcome::kSuccess : Outcome::kFailure;
        return Disposition::kEvent;
    }
    if (p.tag == "sshd" && id.empty()) {
        return parse_sshd(p, ctx, out);
    }
    if (p.tag == "kmd" || id.starts_with("KMD_")) {
        if (b.starts_with("IKE negotiation failed")) {
            return parse_ike(p, out);
        }
        if (id == "KMD_PM_SA_ESTABLISHED") {
            return parse_kmd_sa(p, out);
        }
    }
    out.category = Category::kFirewall;
    return Disposition::kIgnored;
}

core::Result<Disposition> parse_filter(std::string_view fw, const Parts& p, Event& out) {
    // <iface> <A|D|R> <proto> <src> <dst> <sport> <dport> [(N packets)]
    Cursor c(fw);
    std::array<std::string_view, 7> t{};
    for (auto& x : t) {
        c.skip_spaces();
        x = c.token(' ');
    }
    if (t[6].empty()) {
        return core::fail(core::Error::parse("truncated firewall filter log", "FW",
                                             offset_in(p.line, fw) + fw.size()));
    }
    if (!set_ip(t[3], out.src_ip) || !set_ip(t[4], out.dst_ip)) {
        return core::fail(core::Error::parse("not an IP address", "FW", offset_in(p.line, t[3])));
    }
    out.category = Category::kFirewall;
    out.ingress_interface.assign(t[0]);
    out.action = t[1] == "A"   ? core::Action::kAllow
                 : t[1] == "R" ? core::Action::kReject
                 : t[1] == "D" ? core::Action::kDrop
                               : core::Action::kUnknown;
    set_protocol_name(t[2], out);
    auto a = to_uint<std::uint16_t>(t[5]);
    auto b = to_uint<std::uint16_t>(t[6]);
    bool icmp =
        out.transport == core::Transport::kIcmp || out.transport == core::Transport::kIcmpv6;
    if (icmp && a && b && *a <= 255 && *b <= 255) {
        out.set_icmp(static_cast<std::uint8_t>(*a), static_cast<std::uint8_t>(*b));
    } else if (out.transport == core::Transport::kTcp || out.transport == core::Transport::kUdp ||
               out.transport == core::Transport::kSctp) {
        if (a) {
            out.set_src_port(*a);
        }
        if (b) {
            out.set_dst_port(*b);
        }
    }
    c.skip_spaces();
    if (c.skip("(")) {
        if (auto n = to_uint<std::uint64_t>(c.token(' '))) {
            out.set_packets(*n);
        }
    }
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::junos
