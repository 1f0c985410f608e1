// Cisco ASA traffic messages: access-list denies (106xxx), connections (302xxx), NAT
// (305xxx), ICMP (313xxx), to-the-box access (710xxx), threat detection (733xxx), IPS
// (400xxx) and the botnet traffic filter (338xxx). Wording per Cisco's "ASA Series Syslog
// Messages" guide.
#include <array>

#include "core/time.h"
#include "parse/formats/cisco_asa_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::asa {

namespace {

using core::Action;
using core::Event;

struct Service {
    std::string_view name;
    std::uint16_t port;
};

// Service names ASA prints instead of port numbers (710xxx, 605xxx).
constexpr std::array<Service, 14> kServices = {{
    {"ssh", 22},   {"telnet", 23},   {"www", 80},       {"http", 80},   {"https", 443},
    {"ftp", 21},   {"domain", 53},   {"smtp", 25},      {"snmp", 161},  {"ntp", 123},
    {"isakmp", 500}, {"ldap", 389},  {"tftp", 69},      {"sqlnet", 1521},
}};

std::optional<std::uint16_t> port_or_service(std::string_view s) {
    if (auto p = to_port(s)) {
        return p;
    }
    for (const auto& svc : kServices) {
        if (iequals(s, svc.name)) {
            return svc.port;
        }
    }
    return std::nullopt;
}

Action deny_action(unsigned id) {
    switch (id) {
        case 110002:
        case 500004:
        case 710005:
        case 710006:
            return Action::kDrop;
        case 710001:
        case 710002:
            return Action::kAllow;
        case 852001:
            return Action::kUnknown;
        default:
            return Action::kDeny;
    }
}

// The first word before `end` that names a transport ("TCP", "udp", "protocol=UDP,").
void transport_from_words(std::string_view s, Event& out) {
    Cursor c(s);
    while (!c.done()) {
        std::string_view w = c.token(' ');
        if (w.starts_with("protocol=")) {
            w.remove_prefix(9);
        }
        while (!w.empty() && (w.back() == ',' || w.back() == ':')) {
            w.remove_suffix(1);
        }
        if (auto t = core::transport_from_name(w); t != core::Transport::kUnknown) {
            out.set_transport(t);
            return;
        }
    }
}

// "… (type 8, code 0)" or "type=3, code=3" or "type 8 code 0".
void read_icmp(std::string_view s, Event& out) {
    std::size_t p = s.find("type");
    if (p == std::string_view::npos || p + 5 > s.size()) {
        return;
    }
    std::string_view t = token_at(s, p + 5);
    while (!t.empty() && (t.back() == ',' || t.back() == ')')) {
        t.remove_suffix(1);
    }
    auto type = to_uint<std::uint8_t>(t);
    if (!type) {
        return;
    }
    out.set_icmp_type(*type);
    std::size_t q = s.find("code", p);
    if (q != std::string_view::npos && q + 5 <= s.size()) {
        std::string_view v = token_at(s, q + 5);
        while (!v.empty() && (v.back() == ',' || v.back() == ')' || v.back() == '.')) {
            v.remove_suffix(1);
        }
        if (auto code = to_uint<std::uint8_t>(v)) {
            out.set_icmp_code(*code);
        }
    }
}

void finish_icmp(Event& out) {
    if (out.transport == core::Transport::kIcmp && out.src_ip.is_v6()) {
        out.transport = core::Transport::kIcmpv6;
    }
}

core::Result<Disposition> fail_at(std::string_view what, std::string_view field) {
    return core::fail(core::Error::parse(std::string(what), field));
}

// "… from A[/p] to [iface:]B[/p] … on interface X" (106001/6/7/12/15–22, 313004, 710xxx …).
core::Result<Disposition> from_to(unsigned id, std::string_view body, Event& out) {
    std::size_t f = body.find("from ");
    if (f == std::string_view::npos) {
        return fail_at("no 'from' address", "source");
    }
    transport_from_words(body.substr(0, f), out);
    std::size_t pos = f + 5;
    if (body.substr(pos).starts_with("laddr ")) {
        pos += 6;
    }
    std::string_view src_tok = token_at(body, pos);
    Endpoint src;
    std::string_view st = src_tok;
    if (!st.empty() && st[0] == '(') {
        st.remove_prefix(1);
    }
    if (!parse_endpoint(st, src)) {
        return fail_at("source is not an address", "source");
    }
    set_source(src, out);
    std::size_t t = body.find(" to ", pos + src_tok.size());
    if (t != std::string_view::npos) {
        Endpoint dst;
        if (parse_endpoint(token_at(body, t + 4), dst)) {
            set_destination(dst, out);
        }
    }
    std::string_view iface = token_after(body, " on interface ");
    if (!iface.empty()) {
        out.ingress_interface.assign(iface);
    }
    if (id == 313004 || out.transport == core::Transport::kIcmp) {
        out.set_transport(core::Transport::kIcmp);
        read_icmp(body, out);
        finish_icmp(out);
    }
    out.action = deny_action(id);
    return Disposition::kEvent;
}

// "Deny tcp src outside:A/p dst inside:B/p by access-group "acl" […]" (106010/14/23, 313005).
core::Result<Disposition> src_dst(unsigned id, std::string_view body, Event& out) {
    std::size_t s = body.find(" src ");
    std::size_t d = body.find(" dst ");
    if (s == std::string_view::npos || d == std::string_view::npos) {
        return fail_at("no 'src'/'dst' addresses", "source");
    }
    Endpoint src;
    Endpoint dst;
    if (!parse_endpoint(token_at(body, s + 5), src)) {
        return fail_at("source is not an address", "source");
    }
    if (!parse_endpoint(token_at(body, d + 5), dst)) {
        return fail_at("destination is not an address", "destination");
    }
    set_source(src, out);
    set_destination(dst, out);
    std::string_view head = body.substr(0, s);
    std::size_t proto = head.find("protocol ");
    if (proto != std::string_view::npos) {
        if (auto n = to_uint<std::uint8_t>(token_at(head, proto + 9))) {
            out.set_ip_protocol(*n);
        }
    } else {
        transport_from_words(head, out);
    }
    if (out.transport == core::Transport::kIcmp || out.transport == core::Transport::kIcmpv6) {
        read_icmp(body.substr(d), out);
        finish_icmp(out);
    }
    std::string_view acl = token_after(body, "by access-group ");
    if (!acl.empty()) {
        out.rule_name.assign(unquote(acl));
    }
    out.action = Action::kDeny;
    (void)id;
    return Disposition::kEvent;
}

// "access-list NAME permitted tcp IF/A(p) -> IF/B(p) hit-cnt 1 …" (106100).
core::Result<Disposition> access_list(std::string_view body, Event& out) {
    Cursor c(body);
    if (c.token(' ') != "access-list") {
        return fail_at("expected 'access-list'", "rule_name");
    }
    out.rule_name.assign(c.token(' '));
    std::string_view verdict = c.token(' ');
    out.action = verdict == "est-allowed" ? Action::kAllow : action_from_word(verdict);
    std::string_view proto = c.token(' ');
    if (auto n = to_uint<std::uint8_t>(proto)) {
        out.set_ip_protocol(*n);
    } else {
        out.set_transport(core::transport_from_name(proto));
    }
    Endpoint src;
    Endpoint dst;
    std::string_view a = c.token(' ');
    if (c.token(' ') != "->") {
        // The identity-firewall form puts "(user, sg)" between; look for the arrow.
        std::size_t arrow = body.find(" -> ");
        if (arrow == std::string_view::npos) {
            return fail_at("expected '->'", "destination");
        }
        c = Cursor(body.substr(arrow + 4));
    }
    std::string_view b = c.token(' ');
    if (!parse_endpoint(a, src) || !parse_endpoint(b, dst)) {
        return fail_at("address is not iface/addr(port)", "source");
    }
    set_source(src, out);
    set_destination(dst, out);
    if (out.transport == core::Transport::kIcmp || out.transport == core::Transport::kIcmpv6) {
        // For ICMP the "ports" are type and code.
        out.present &= ~(Event::kSrcPort | Event::kDstPort);
        out.src_port = 0;
        out.dst_port = 0;
        out.set_icmp(static_cast<std::uint8_t>(src.port), static_cast<std::uint8_t>(dst.port));
    }
    return Disposition::kEvent;
}

// Duration "h:mm:ss" (302014, 305012).
void read_duration(std::string_view body, Event& out) {
    std::string_view d = token_after(body, " duration ");
    Cursor c(d);
    std::uint64_t total = 0;
    int parts = 0;
    while (!c.done() && parts < 4) {
        auto v = to_uint<std::uint32_t>(c.token(':'));
        if (!v) {
            return;
        }
        total = total * 60 + *v;
        ++parts;
    }
    if (parts < 2) {
        return;
    }
    if (auto ns = core::seconds_to_ns(total)) {
        out.set_duration_ns(*ns);
    }
}

// "Built {inbound|outbound} TCP connection N for IF:A/p (M/mp) to IF:B/p (M/mp)" and
// "Teardown TCP connection N for IF:A/p to IF:B/p duration 0:00:05 bytes 123 …".
// For "outbound" the initiator is the "to" side.
core::Result<Disposition> connection(std::string_view body, Event& out) {
    bool outbound = body.starts_with("Built outbound");
    std::size_t conn = body.find(" connection ");
    if (conn == std::string_view::npos) {
        return fail_at("expected 'connection'", "event_code");
    }
    transport_from_words(body.substr(0, conn), out);
    std::size_t f = body.find(" for ", conn);
    std::size_t t = f == std::string_view::npos ? f : body.find(" to ", f + 5);
    if (t == std::string_view::npos) {
        return fail_at("expected 'for … to …'", "source");
    }
    Endpoint a;
    Endpoint b;
    if (!parse_endpoint(token_at(body, f + 5), a)) {
        return fail_at("'for' side is not iface:addr/port", "source");
    }
    if (!parse_endpoint(token_at(body, t + 4), b)) {
        return fail_at("'to' side is not iface:addr/port", "destination");
    }
    set_source(outbound ? b : a, out);
    set_destination(outbound ? a : b, out);
    if (auto bytes = to_uint<std::uint64_t>(token_after(body, " bytes "))) {
        out.set_bytes(*bytes);
    }
    read_duration(body, out);
    out.action = Action::kAllow;
    return Disposition::kEvent;
}

// "Built inbound ICMP connection for faddr A/id gaddr G/0 laddr L/0 [(user)] type 8 code 0".
core::Result<Disposition> icmp_connection(std::string_view body, Event& out) {
    bool outbound = body.starts_with("Built outbound");
    Endpoint f;
    Endpoint l;
    if (!parse_endpoint(token_after(body, "faddr "), f)) {
        return fail_at("faddr is not an address", "source");
    }
    if (!parse_endpoint(token_after(body, "laddr "), l)) {
        return fail_at("laddr is not an address", "destination");
    }
    // The "/n" after an ICMP address is the echo identifier, not a port.
    f.has_port = false;
    l.has_port = false;
    set_source(outbound ? l : f, out);
    set_destination(outbound ? f : l, out);
    out.set_transport(core::Transport::kIcmp);
    read_icmp(body.substr(body.find("laddr ")), out);
    finish_icmp(out);
    out.action = Action::kAllow;
    return Disposition::kEvent;
}

// "Built dynamic TCP translation from IF:A/p to IF:M/mp" (305011/305012): the real address
// is the source; the mapped one is the same host after NAT, so it is not a destination.
core::Result<Disposition> translation(std::string_view body, Event& out) {
    std::size_t f = body.find(" from ");
    if (f == std::string_view::npos) {
        return fail_at("expected 'from'", "source");
    }
    transport_from_words(body.substr(0, f), out);
    Endpoint real;
    if (!parse_endpoint(token_at(body, f + 6), real)) {
        return fail_at("real address is not iface:addr/port", "source");
    }
    set_source(real, out);
    read_duration(body, out);
    return Disposition::kEvent;
}

// "Denied ICMP type=3, code=3 from A on interface X" (313001, 313008).
core::Result<Disposition> icmp_denied(std::string_view body, Event& out) {
    Endpoint src;
    if (!parse_endpoint(token_after(body, " from "), src)) {
        return fail_at("source is not an address", "source");
    }
    set_source(src, out);
    out.set_transport(body.starts_with("Denied IPv6-ICMP") ? core::Transport::kIcmpv6
                                                           : core::Transport::kIcmp);
    read_icmp(body, out);
    finish_icmp(out);
    std::string_view iface = token_after(body, " on interface ");
    if (!iface.empty()) {
        out.ingress_interface.assign(iface);
    }
    out.action = Action::kDeny;
    return Disposition::kEvent;
}

// "[ Scanning] drop rate-1 exceeded. …" (733100); "Host A is attacking." (733101).
core::Result<Disposition> threat(unsigned id, std::string_view body, Event& out) {
    out.category = core::Category::kIds;
    out.action = Action::kAlert;
    if (id == 733100) {
        std::size_t open = body.find('[');
        std::size_t close = body.find(']');
        if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
            return fail_at("expected '[ object ]'", "rule_name");
        }
        out.rule_name.assign(trim(body.substr(open + 1, close - open - 1)));
        return Disposition::kEvent;
    }
    Cursor c(body);
    std::string_view kind = c.token(' ');
    Endpoint ep;
    if (!parse_endpoint(c.token(' '), ep)) {
        return fail_at("object is not an address", "source");
    }
    if (c.rest().starts_with("is targeted")) {
        set_destination(ep, out);
    } else {
        set_source(ep, out);
    }
    (void)kind;  // "Host" or "Subnet"
    return Disposition::kEvent;
}

// "IPS:2003 ICMP redirect from A to B on interface dmz" (400000–400050).
core::Result<Disposition> ips(std::string_view body, Event& out) {
    if (!body.starts_with("IPS:")) {
        return fail_at("expected 'IPS:'", "rule_id");
    }
    std::size_t sp = body.find(' ');
    std::size_t from = body.find(" from ");
    if (sp == std::string_view::npos || from == std::string_view::npos || from < sp) {
        return fail_at("expected 'IPS:id name from'", "rule_id");
    }
    out.rule_id.assign(body.substr(4, sp - 4));
    out.rule_name.assign(body.substr(sp + 1, from - sp - 1));
    auto r = from_to(400000, body, out);
    out.category = core::Category::kIds;
    out.action = Action::kAlert;
    return r;
}

// "Dynamic filter {monitored|dropped} blacklisted TCP traffic from IF:A/p (…) to IF:B/p (…),
// … category: Malware" (338001–338008).
core::Result<Disposition> botnet_filter(std::string_view body, Event& out) {
    auto r = from_to(338001, body, out);
    out.category = core::Category::kIds;
    out.action = body.find(" dropped ") != std::string_view::npos ? Action::kDrop : Action::kAlert;
    std::size_t cat = body.find("category: ");
    if (cat != std::string_view::npos) {
        std::string_view v = body.substr(cat + 10);
        out.rule_name.assign(trim(v.substr(0, v.find(','))));
    }
    return r;
}

}  // namespace

std::string_view token_at(std::string_view s, std::size_t pos) {
    if (pos >= s.size()) {
        return {};
    }
    std::string_view r = s.substr(pos);
    return r.substr(0, r.find(' '));
}

std::string_view token_after(std::string_view s, std::string_view marker) {
    std::size_t p = s.find(marker);
    if (p == std::string_view::npos) {
        return {};
    }
    return token_at(s, p + marker.size());
}

bool parse_endpoint(std::string_view text, Endpoint& ep) {
    ep = Endpoint{};
    // Drop a user/FQDN suffix "(…)" and trailing punctuation.
    if (std::size_t paren = text.find('('); paren != std::string_view::npos && paren > 0) {
        // "iface/addr(port)" (106100) keeps its port.
        std::size_t close = text.find(')', paren);
        std::string_view inner = close == std::string_view::npos
                                     ? std::string_view()
                                     : text.substr(paren + 1, close - paren - 1);
        if (auto p = to_port(inner); p && text.find('/') != std::string_view::npos) {
            ep.port = *p;
            ep.has_port = true;
        }
        text = text.substr(0, paren);
    }
    while (!text.empty() && (text.back() == ',' || text.back() == ':' || text.back() == '.' ||
                             text.back() == ';' || text.back() == ')')) {
        text.remove_suffix(1);
    }
    if (text.empty()) {
        return false;
    }
    if (auto ip = core::IpAddress::parse(text)) {
        ep.ip = *ip;
        return true;
    }
    // "iface/addr" (106100): the interface cannot contain '/'.
    std::size_t colon = text.find(':');
    std::size_t slash = text.find('/');
    if (ep.has_port && slash != std::string_view::npos &&
        (colon == std::string_view::npos || slash < colon)) {
        ep.iface = text.substr(0, slash);
        auto ip = core::IpAddress::parse(text.substr(slash + 1));
        if (!ip) {
            return false;
        }
        ep.ip = *ip;
        return true;
    }
    std::string_view addr = text;
    // "[iface:]addr/port": the port follows the last '/'.
    std::size_t last_slash = text.rfind('/');
    if (last_slash != std::string_view::npos) {
        addr = text.substr(0, last_slash);
        if (auto p = port_or_service(text.substr(last_slash + 1))) {
            ep.port = *p;
            ep.has_port = true;
        }
    }
    if (auto ip = core::IpAddress::parse(addr)) {
        ep.ip = *ip;
        return true;
    }
    if (colon == std::string_view::npos || colon >= addr.size()) {
        return false;
    }
    ep.iface = addr.substr(0, colon);
    auto ip = core::IpAddress::parse(addr.substr(colon + 1));
    if (!ip) {
        return false;
    }
    ep.ip = *ip;
    return true;
}

void set_source(const Endpoint& ep, Event& out) {
    out.src_ip = ep.ip;
    if (ep.has_port) {
        out.set_src_port(ep.port);
    }
    if (!ep.iface.empty()) {
        out.ingress_interface.assign(ep.iface);
    }
}

void set_destination(const Endpoint& ep, Event& out) {
    out.dst_ip = ep.ip;
    if (ep.has_port) {
        out.set_dst_port(ep.port);
    }
    if (!ep.iface.empty()) {
        out.egress_interface.assign(ep.iface);
    }
}

bool is_traffic_id(unsigned id) {
    switch (id) {
        case 106001: case 106002: case 106006: case 106007: case 106010: case 106012:
        case 106013: case 106014: case 106015: case 106016: case 106017: case 106018:
        case 106020: case 106021: case 106022: case 106023: case 106100: case 110002:
        case 302013: case 302014: case 302015: case 302016: case 302020: case 302021:
        case 305011: case 305012: case 313001: case 313004: case 313005: case 313008:
        case 500004: case 710001: case 710002: case 710003: case 710005: case 710006:
        case 733100: case 733101: case 852001:
            return true;
        default:
            return (id >= 400000 && id <= 400050) || (id >= 338001 && id <= 338008);
    }
}

core::Result<Disposition> parse_traffic(unsigned id, std::string_view body, Event& out) {
    out.category = core::Category::kFirewall;
    switch (id) {
        case 106010: case 106014: case 106023: case 313005:
            return src_dst(id, body, out);
        case 106100:
            return access_list(body, out);
        case 302013: case 302014: case 302015: case 302016:
            return connection(body, out);
        case 302020: case 302021:
            return icmp_connection(body, out);
        case 305011: case 305012:
            return translation(body, out);
        case 313001: case 313008:
            return icmp_denied(body, out);
        case 733100: case 733101:
            return threat(id, body, out);
        default:
            break;
    }
    if (id >= 400000 && id <= 400050) {
        return ips(body, out);
    }
    if (id >= 338001 && id <= 338008) {
        return botnet_filter(body, out);
    }
    if (id == 852001) {
        // "Received … event from application Snort for TCP flow A/p to B/p"
        std::size_t f = body.find(" for ");
        if (f == std::string_view::npos) {
            return fail_at("expected 'for … flow'", "source");
        }
        std::string_view flow = body.substr(f + 5);
        std::size_t sp = flow.find(" flow ");
        if (sp == std::string_view::npos) {
            return fail_at("expected 'flow'", "source");
        }
        out.set_transport(core::transport_from_name(flow.substr(0, sp)));
        std::string_view rest = flow.substr(sp + 6);
        Endpoint s;
        Endpoint d;
        if (!parse_endpoint(token_at(rest, 0), s) ||
            !parse_endpoint(token_after(rest, " to "), d)) {
            return fail_at("flow is not 'A/p to B/p'", "source");
        }
        set_source(s, out);
        set_destination(d, out);
        return Disposition::kEvent;
    }
    if (id == 106002 || id == 106018) {
        // "… denied by outbound list ACL src A dest B"
        out.rule_name.assign(token_after(body, " list "));
        Endpoint s;
        Endpoint d;
        if (!parse_endpoint(token_after(body, " src "), s) ||
            !parse_endpoint(token_after(body, " dest "), d)) {
            return fail_at("expected 'src A dest B'", "source");
        }
        set_source(s, out);
        set_destination(d, out);
        transport_from_words(body.substr(0, body.find(' ')), out);
        out.action = Action::kDeny;
        return Disposition::kEvent;
    }
    return from_to(id, body, out);
}

}  // namespace cyberalarm::parse::formats::asa
