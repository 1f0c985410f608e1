#include "parse/formats/barracuda_msgs.h"

#include <array>

#include "parse/text.h"

namespace cyberalarm::parse::formats::cuda {

namespace {

using core::Category;
using core::Event;
using core::Outcome;

std::size_t offset_in(std::string_view line, std::string_view v) {
    if (v.data() < line.data() || v.data() > line.data() + line.size()) {
        return core::Error::kNoOffset;
    }
    return static_cast<std::size_t>(v.data() - line.data());
}

void set_count(std::string_view v, Event& out, void (Event::*setter)(std::uint64_t)) {
    if (auto n = to_uint<std::uint64_t>(v)) {
        (out.*setter)(*n);
    }
}

// The verdict word of an activity record, without its scope ("LocalBlock" → "Block").
core::Action activity_action(std::string_view w) {
    for (std::string_view scope : {"Local", "Forward", "Loopback"}) {
        if (w.starts_with(scope) && w.size() > scope.size()) {
            w.remove_prefix(scope.size());
            break;
        }
    }
    if (w == "Remove") {
        return core::Action::kAllow;  // an allowed session ending
    }
    if (w == "Fail") {
        return core::Action::kDrop;
    }
    return action_from_word(w);
}

// type|proto|srcIF|srcIP|srcPort|srcMAC|dstIP|dstPort|service|dstIF|rule|info|srcNAT|dstNAT|
// duration|count|rcvBytes|sentBytes|rcvPackets|sentPackets|user|…
core::Result<Disposition> parse_activity(std::string_view verdict, std::string_view rec,
                                         std::string_view line, const ParseContext& ctx,
                                         Event& out) {
    std::array<std::string_view, 21> f{};
    std::size_t n = split_csv(rec, f, '|');
    if (n < 8) {
        return core::fail(core::Error::parse("activity record has too few fields", "record",
                                             offset_in(line, rec) + rec.size()));
    }
    if (!set_ip(f[3], out.src_ip) || !set_ip(f[6], out.dst_ip)) {
        return core::fail(core::Error::parse("not an IP address", "srcIP", offset_in(line, f[3])));
    }
    auto sp = to_port(f[4]);
    auto dp = to_port(f[7]);
    if ((!f[4].empty() && !sp) || (!f[7].empty() && !dp)) {
        return core::fail(core::Error::parse("not a port", "srcPort", offset_in(line, f[4])));
    }
    out.category = Category::kFirewall;
    out.action = activity_action(verdict);
    out.event_code.assign(verdict);
    if (auto t = core::transport_from_name(f[1]); t != core::Transport::kUnknown) {
        out.set_transport(t);
    }
    bool icmp = out.transport == core::Transport::kIcmp;
    if (sp && !icmp) {
        out.set_src_port(*sp);
    }
    if (dp && !icmp) {
        out.set_dst_port(*dp);
    }
    out.ingress_interface.assign(f[2]);
    out.egress_interface.assign(f[9]);
    out.rule_name.assign(f[10]);
    out.app_protocol.assign(f[8]);
    if (n > 19) {
        if (auto ms = to_uint<std::uint32_t>(f[14])) {
            out.set_duration_ns(std::int64_t{*ms} * 1'000'000);
        }
        set_count(f[16], out, &Event::set_src_bytes);
        set_count(f[17], out, &Event::set_dst_bytes);
        set_count(f[18], out, &Event::set_src_packets);
        set_count(f[19], out, &Event::set_dst_packets);
    }
    if (n > 20 && !f[20].empty()) {
        out.user_hash = hash_identity(ctx, f[20]);
    }
    return Disposition::kEvent;
}

// "LOGIN ATTEMPT: boxconfig[1]: Login <user> from <ip> : Allowed." or
// "LOGIN ATTEMPT: Login from <ip>: Denied: Firewall Rule X".
core::Result<Disposition> parse_login(std::string_view m, std::string_view line,
                                      const ParseContext& ctx, Event& out) {
    std::size_t login = m.find("Login ");
    std::size_t from = m.find("from ");
    if (login == std::string_view::npos || from == std::string_view::npos) {
        return core::fail(core::Error::parse("login attempt without source", "from",
                                             offset_in(line, m) + m.size()));
    }
    std::string_view user = trim(m.substr(login + 6, from - login - 6));
    std::string_view rest = m.substr(from + 5);
    std::size_t end = rest.find_first_of(" :");
    if (!set_ip(rest.substr(0, end), out.src_ip)) {
        return core::fail(core::Error::parse("not an IP address", "from", offset_in(line, rest)));
    }
    out.category = Category::kAuth;
    out.outcome =
        rest.find("Allowed") != std::string_view::npos ? Outcome::kSuccess : Outcome::kFailure;
    if (!user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    return Disposition::kEvent;
}

// "phibs: Authentication Login for peer=1.2.3.4 origin=… service=… user=jdoe".
core::Result<Disposition> parse_phibs(std::string_view m, const ParseContext& ctx, Event& out) {
    KvReader r(m);
    std::string_view k;
    std::string_view v;
    while (r.next(k, v)) {
        if (k == "peer") {
            set_ip(v, out.src_ip);
        } else if (k == "user" && !v.empty()) {
            out.user_hash = hash_identity(ctx, v);
        } else if (k == "service") {
            out.app_protocol.assign(v);
        }
    }
    if (m.find("Login") != std::string_view::npos) {
        out.outcome = Outcome::kSuccess;
    }
    if (m.find("Fail") != std::string_view::npos || m.find("Denied") != std::string_view::npos) {
        out.outcome = Outcome::kFailure;
    }
    out.category = Category::kAuth;
    return out.src_ip.is_set() || out.outcome != Outcome::kUnknown ? Disposition::kEvent
                                                                   : Disposition::kIgnored;
}

// "a.b.c.d:port" → address and port; false if malformed.
bool endpoint(std::string_view s, core::IpAddress& ip, std::uint16_t& port) {
    std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    auto p = to_port(s.substr(colon + 1));
    if (!p || !set_ip(s.substr(0, colon), ip)) {
        return false;
    }
    port = *p;
    return true;
}

// "event: [id] Insert Event from …:p - (D|3|boxfw|3|firewall|4015|…|TCP a:p (if) -> b:p)"
// "event: [id] Send Event (D|2|NGAdmin|2|Login|2420|…) to Control Center 1.2.3.4"
Disposition parse_event(std::string_view m, Event& out) {
    std::size_t open = m.find('(');
    std::size_t close = m.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close <= open) {
        return Disposition::kIgnored;
    }
    std::array<std::string_view, 12> f{};
    std::size_t n = split_csv(m.substr(open + 1, close - open - 1), f, '|');
    if (n > 5) {
        out.event_code.assign(f[5]);
        out.rule_ruleset.assign(f[4]);
    }
    std::size_t tuple_at = n > 9 && n <= f.size() ? n - 1 : f.size();
    if (tuple_at < f.size()) {
        // "TCP a:p (if) -> b:p"
        Cursor c(f[tuple_at]);
        auto proto = c.token(' ');
        auto src = c.token(' ');
        std::string_view iface;
        if (c.rest().starts_with("(")) {
            iface = c.token(' ');
            iface = iface.substr(1, iface.size() >= 2 ? iface.size() - 2 : 0);
        }
        c.skip("-> ");
        auto dst = c.token(' ');
        std::uint16_t port = 0;
        if (endpoint(src, out.src_ip, port)) {
            out.set_src_port(port);
        }
        if (endpoint(dst, out.dst_ip, port)) {
            out.set_dst_port(port);
        }
        if (auto t = core::transport_from_name(proto); t != core::Transport::kUnknown) {
            out.set_transport(t);
        }
        out.ingress_interface.assign(iface);
    }
    std::size_t cc = m.find("Control Center ", close);
    if (!out.dst_ip.is_set() && cc != std::string_view::npos) {
        set_ip(trim(m.substr(cc + 15)), out.dst_ip);
    }
    return out.src_ip.is_set() || out.dst_ip.is_set() ? Disposition::kEvent : Disposition::kIgnored;
}

// "firewall: [Timer] SecurityEvent: (Address-Port Scan) 149 unallowed requests for source IP
// 5.6.7.8 within 60 seconds"
Disposition parse_security_event(std::string_view m, Event& out) {
    std::size_t open = m.find('(');
    std::size_t close = m.find(')', open);
    std::size_t ip = m.find("source IP ");
    if (ip == std::string_view::npos) {
        return Disposition::kIgnored;
    }
    Cursor c(m.substr(ip + 10));
    if (!set_ip(c.token(' '), out.src_ip)) {
        return Disposition::kIgnored;
    }
    if (open != std::string_view::npos && close != std::string_view::npos) {
        out.rule_name.assign(m.substr(open + 1, close - open - 1));
    }
    out.category = Category::kIds;
    out.action = core::Action::kAlert;
    return Disposition::kEvent;
}

}  // namespace

bool is_activity(std::string_view m) {
    std::size_t colon = m.find(": ");
    if (colon == std::string_view::npos || colon == 0 || colon > 16 || m[0] < 'A' || m[0] > 'Z') {
        return false;  // verdicts are capitalised ("Allow", "LocalBlock"); "event:" is not one
    }
    for (std::size_t i = 0; i < colon; ++i) {
        char ch = m[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) {
            return false;
        }
    }
    std::string_view rec = m.substr(colon + 2, 64);
    return rec.find('|') != std::string_view::npos;
}

core::Result<Disposition> parse_message(std::string_view m, std::string_view line,
                                        const ParseContext& ctx, Event& out) {
    if (is_activity(m)) {
        std::size_t colon = m.find(": ");
        return parse_activity(m.substr(0, colon), m.substr(colon + 2), line, ctx, out);
    }
    if (m.starts_with("LOGIN ATTEMPT: ")) {
        return parse_login(m.substr(15), line, ctx, out);
    }
    if (m.starts_with("phibs: ")) {
        return parse_phibs(m.substr(7), ctx, out);
    }
    if (m.starts_with("event: [")) {
        return parse_event(m, out);
    }
    if (m.starts_with("firewall: ") && m.find("SecurityEvent") != std::string_view::npos) {
        return parse_security_event(m, out);
    }
    return parse_other(m, line, ctx, out);
}

bool set_ip(std::string_view v, core::IpAddress& dst) {
    auto ip = core::IpAddress::parse(v);
    if (!ip) {
        return false;
    }
    dst = *ip;
    return true;
}

}  // namespace cyberalarm::parse::formats::cuda
