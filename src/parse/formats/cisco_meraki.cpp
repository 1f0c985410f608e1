// Cisco Meraki MX syslog: "<134>1 1380664994.337961580 MX84 flows src=… dst=… protocol=tcp
// sport=… dport=… pattern: allow all". After the epoch stamp and the device name comes the
// log type (flows, firewall, vpn_firewall, cellular_firewall, ip_flow_start/end, urls,
// ids-alerts, security_event, events …) and its key=value fields. URLs, user agents, MAC
// addresses and file names are not read; user names become keyed hashes.
// See docs/formats/cisco_meraki.md.
#include <array>

#include "core/time.h"
#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using core::Action;
using core::Event;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Frame {
    std::int64_t time_ns = 0;
    std::string_view device;
    std::string_view type;
    std::string_view body;  // after the type
    std::size_t offset = 0; // of the body in the raw line
};

// "1380664994.337961580 MX84 flows …" at the start of s.
bool read_frame(std::string_view s, Frame& f) {
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) {
        ++i;
    }
    if (i < 9 || i > 11 || i >= s.size()) {
        return false;
    }
    auto secs = to_uint<std::uint64_t>(s.substr(0, i));
    std::int64_t frac = 0;
    if (s[i] == '.') {
        std::size_t j = i + 1;
        int digits = 0;
        while (j < s.size() && is_digit(s[j])) {
            if (digits < 9) {
                frac = frac * 10 + (s[j] - '0');
                ++digits;
            }
            ++j;
        }
        while (digits++ < 9) {
            frac *= 10;
        }
        i = j;
    }
    if (!secs || i >= s.size() || s[i] != ' ') {
        return false;
    }
    Cursor c(s.substr(i + 1));
    f.device = c.token(' ');
    f.type = c.token(' ');
    if (f.device.empty() || f.type.empty()) {
        return false;
    }
    auto whole = core::seconds_to_ns(*secs);
    if (!whole) {
        return false;
    }
    f.time_ns = *whole + frac;
    f.body = c.rest();
    return true;
}

// The Meraki part of the line: right after "<PRI>[1 ]", or after a relay's syslog header.
bool find_frame(const SyslogMessage& msg, Frame& f) {
    std::string_view s = msg.raw;
    if (s.starts_with("<")) {
        std::size_t gt = s.find('>');
        if (gt != std::string_view::npos && gt <= 4) {
            s.remove_prefix(gt + 1);
        }
    }
    if (s.starts_with("1 ")) {
        s.remove_prefix(2);
    }
    if (!read_frame(s, f) && !read_frame(msg.content, f)) {
        return false;
    }
    f.offset = static_cast<std::size_t>(f.body.data() - msg.raw.data());
    return true;
}

constexpr std::array<std::string_view, 14> kTypes = {
    "flows",       "firewall",       "vpn_firewall",   "cellular_firewall",
    "ip_flow_start", "ip_flow_end",  "urls",           "ids-alerts",
    "security_event", "events",      "airmarshal_events", "bridge_anyconnect_client_vpn_firewall",
    "l7_firewall", "port_forwarding",
};

bool known_type(std::string_view t) {
    for (auto k : kTypes) {
        if (t == k) {
            return true;
        }
    }
    return false;
}

int probe(const SyslogMessage& msg) {
    Frame f;
    if (!find_frame(msg, f)) {
        return 0;
    }
    return known_type(f.type) ? 90 : 0;
}

// The value of `key=` in s (word-aligned); single- or double-quoted values are unquoted.
std::string_view kv(std::string_view s, std::string_view key) {
    std::size_t p = 0;
    while ((p = s.find(key, p)) != std::string_view::npos) {
        std::size_t e = p + key.size();
        if ((p == 0 || s[p - 1] == ' ') && e < s.size() && s[e] == '=') {
            std::string_view v = s.substr(e + 1);
            if (!v.empty() && (v[0] == '\'' || v[0] == '"')) {
                std::size_t close = v.find(v[0], 1);
                return close == std::string_view::npos ? v.substr(1) : v.substr(1, close - 1);
            }
            return v.substr(0, v.find(' '));
        }
        p = e;
    }
    return {};
}

// "1.2.3.4", "1.2.3.4:80", "2001:db8::5:80". Meraki appends ":port" to IPv6 without
// brackets, so where the log type always carries a port (urls, ids) the last ':' is split
// off first; elsewhere a text that is a whole address is taken as one.
bool endpoint(std::string_view s, bool with_port, core::IpAddress& ip,
              std::optional<std::uint16_t>& port) {
    if (!with_port) {
        if (auto a = core::IpAddress::parse(s)) {
            ip = *a;
            return true;
        }
    }
    std::size_t colon = s.rfind(':');
    if (colon != std::string_view::npos) {
        auto a = core::IpAddress::parse(s.substr(0, colon));
        auto p = to_port(s.substr(colon + 1));
        if (a && p) {
            ip = *a;
            port = p;
            return true;
        }
    }
    if (auto a = core::IpAddress::parse(s)) {
        ip = *a;
        return true;
    }
    return false;
}

bool read_addresses(std::string_view kvs, Event& out, bool with_port = false) {
    std::optional<std::uint16_t> sp;
    std::optional<std::uint16_t> dp;
    bool ok = endpoint(kv(kvs, "src"), with_port, out.src_ip, sp);
    ok = endpoint(kv(kvs, "dst"), with_port, out.dst_ip, dp) || ok;
    if (!sp) {
        sp = to_port(kv(kvs, "sport"));
    }
    if (!dp) {
        dp = to_port(kv(kvs, "dport"));
    }
    if (sp) out.set_src_port(*sp);
    if (dp) out.set_dst_port(*dp);
    std::string_view proto = kv(kvs, "protocol");
    proto = proto.substr(0, proto.find('/'));  // "tcp/ip" in ids-alerts
    out.set_transport(core::transport_from_name(proto));
    if (out.transport == core::Transport::kIcmp || out.transport == core::Transport::kIcmpv6) {
        if (auto t = to_uint<std::uint8_t>(kv(kvs, "type"))) {
            out.set_icmp_type(*t);
        }
    }
    return ok;
}

// flows / firewall / vpn_firewall …: "[allow|deny] src=… dst=… … [pattern: allow all]".
core::Result<Disposition> firewall(std::string_view body, Event& out) {
    std::string_view kvs = body;
    std::string_view pattern;
    if (std::size_t p = body.find(" pattern: "); p != std::string_view::npos) {
        kvs = body.substr(0, p);
        pattern = trim(body.substr(p + 10));
    } else if (body.starts_with("pattern: ")) {
        kvs = {};
        pattern = trim(body.substr(9));
    }
    std::string_view first = kvs.substr(0, kvs.find(' '));
    if (first.find('=') == std::string_view::npos) {
        out.action = action_from_word(first);
    }
    if (!pattern.empty()) {
        // "allow all", "deny all", or newer firmware "0 <rule>" (allow) / "1 <rule>" (deny).
        std::string_view verdict = pattern.substr(0, pattern.find(' '));
        Action a = verdict == "0" ? Action::kAllow
                   : verdict == "1" ? Action::kDeny
                                    : action_from_word(verdict);
        if (a != Action::kUnknown) {
            out.action = a;
            pattern = trim(pattern.substr(verdict.size()));
        }
        out.rule_name.assign(pattern);
    }
    if (!read_addresses(kvs, out)) {
        return core::fail(core::Error::parse("no src/dst address", "src"));
    }
    return Disposition::kEvent;
}

// "ids-alerts signature=1:28423:1 priority=1 … src=A:p dst=B:p [decision=blocked] message: …"
core::Result<Disposition> ids(std::string_view body, Event& out) {
    out.category = core::Category::kIds;
    std::string_view kvs = body;
    if (std::size_t p = body.find(" message: "); p != std::string_view::npos) {
        kvs = body.substr(0, p);
        out.rule_name.assign(trim(body.substr(p + 10)));
    }
    out.rule_id.assign(kv(kvs, "signature"));
    std::string_view prio = kv(kvs, "priority");
    out.severity = prio == "1"   ? core::Severity::kHigh
                   : prio == "2" ? core::Severity::kMedium
                   : prio == "3" ? core::Severity::kLow
                   : prio.empty() ? core::Severity::kUnknown
                                  : core::Severity::kInfo;
    out.action = kv(kvs, "decision") == "blocked" ? Action::kDrop : Action::kAlert;
    if (!read_addresses(kvs, out, true)) {
        return core::fail(core::Error::parse("no src/dst address", "src"));
    }
    return Disposition::kEvent;
}

// The value after `key` up to one of the `stops` characters.
std::string_view text_after(std::string_view s, std::string_view key, std::string_view stops) {
    std::size_t p = s.find(key);
    if (p == std::string_view::npos) {
        return {};
    }
    std::string_view v = s.substr(p + key.size());
    return v.substr(0, v.find_first_of(stops));
}

// events: AnyConnect/client VPN authentication and connections; content filtering blocks.
core::Result<Disposition> events(std::string_view body, const ParseContext& ctx, Event& out) {
    std::string_view type = kv(body, "type");
    std::string_view user;
    if (type.starts_with("anyconnect_vpn_")) {
        out.category = core::Category::kAuth;
        std::string_view m = body.substr(std::min(body.size(), body.find("msg=")));
        if (auto ip = core::IpAddress::parse(text_after(m, "Peer IP=", " :"))) {
            out.src_ip = *ip;
        }
        if (auto p = to_port(text_after(m, "Peer port=", " :"))) out.set_src_port(*p);
        if (auto ip = core::IpAddress::parse(text_after(m, "Server IP=", " :"))) {
            out.dst_ip = *ip;
        }
        if (auto p = to_port(text_after(m, "Server port=", " :"))) out.set_dst_port(*p);
        user = text_after(m, "User=", ":");
        if (user.empty()) {
            user = text_after(m, "User[", "]");
        }
        if (type == "anyconnect_vpn_auth_failure") {
            out.outcome = core::Outcome::kFailure;
        } else if (type == "anyconnect_vpn_auth_success") {
            out.outcome = core::Outcome::kSuccess;
        }
    } else if (body.starts_with("anyconnect_vpn_") || body.starts_with("client_vpn_")) {
        // "anyconnect_vpn_connect user id 'u' local ip 10.0.0.2 connected from 203.0.113.9"
        out.category = core::Category::kAuth;
        user = text_after(body, "user id '", "'");
        std::string_view from = text_after(body, " from ", " ");
        if (auto ip = core::IpAddress::parse(from)) {
            out.src_ip = *ip;
        }
        if (body.find(" connected from ") != std::string_view::npos) {
            out.outcome = core::Outcome::kSuccess;
        }
    } else if (body.starts_with("content_filtering_block")) {
        std::optional<std::uint16_t> port;
        if (endpoint(kv(body, "server"), true, out.dst_ip, port) && port) {
            out.set_dst_port(*port);
        }
        out.rule_name.assign(kv(body, "category0"));
        out.action = Action::kDeny;
    }
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.outcome == core::Outcome::kUnknown) {
        return Disposition::kIgnored;
    }
    if (!user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    return Disposition::kEvent;
}

// security_event security_filtering_file_scanned|…: AMP file verdicts; ids_alerted: IDS.
core::Result<Disposition> security_event(std::string_view body, Event& out) {
    Cursor c(body);
    std::string_view sub = c.token(' ');
    if (sub == "ids_alerted" || sub == "ids-alerted") {
        return ids(c.rest(), out);
    }
    if (!sub.starts_with("security_filtering")) {
        return Disposition::kIgnored;
    }
    out.category = core::Category::kAv;
    std::string_view kvs = c.rest();
    out.rule_name.assign(kv(kvs, "name"));
    out.action = kv(kvs, "action") == "block" ? Action::kDeny : Action::kAlert;
    read_addresses(kvs, out, true);
    return Disposition::kEvent;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx, Event& out) {
    apply_header(msg, ctx, "cisco_meraki", out);
    Frame f;
    if (!find_frame(msg, f)) {
        return core::fail(core::Error::parse("no '<epoch> <device> <type>' frame", "timestamp", 0));
    }
    out.time_ns = f.time_ns;
    out.observer_vendor.assign("Cisco");
    out.observer_product.assign("Meraki MX");
    if (ctx.observer.empty()) {
        out.observer_name.assign(f.device);
    }
    out.event_code.assign(f.type);
    std::string_view t = f.type;
    if (t == "flows" || t.ends_with("firewall") || t == "port_forwarding") {
        return firewall(f.body, out);
    }
    if (t == "ip_flow_start" || t == "ip_flow_end") {
        out.category = core::Category::kFlow;
        if (!read_addresses(f.body, out)) {
            return core::fail(core::Error::parse("no src/dst address", "src", f.offset));
        }
        return Disposition::kEvent;
    }
    if (t == "urls") {
        // Only the connection: the URL, method, agent and MAC are dropped.
        std::string_view kvs = f.body.substr(0, f.body.find(" request: "));
        if (!read_addresses(kvs, out, true)) {
            return core::fail(core::Error::parse("no src/dst address", "src", f.offset));
        }
        out.app_protocol.assign("http");
        return Disposition::kEvent;
    }
    if (t == "ids-alerts") {
        return ids(f.body, out);
    }
    if (t == "security_event") {
        return security_event(f.body, out);
    }
    if (t == "events") {
        return events(f.body, ctx, out);
    }
    return Disposition::kIgnored;
}

}  // namespace

const Format& cisco_meraki() {
    static const Format kFormat{"cisco_meraki", "Cisco Meraki MX syslog (flows, urls, events …)",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
