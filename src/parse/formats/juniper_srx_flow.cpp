// RT_FLOW sessions, screens, IDP and UTM messages of Junos, structured or text.
#include <array>

#include "parse/formats/juniper_srx_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::junos {

namespace {

using core::Action;
using core::Category;
using core::Event;

struct Sd {
    std::string_view src, sport, dst, dport, service, proto, proto_name, icmp_type;
    std::string_view policy, src_zone, session;
    std::string_view c_pkts, c_bytes, s_pkts, s_bytes, elapsed, application, in_if;
    std::string_view attack, action, severity, rule, rulebase, virus, profile, category;
};

struct SdKey {
    std::string_view name;
    std::string_view Sd::*field;
};

constexpr std::array<SdKey, 30> kSdKeys = {{
    {"source-address", &Sd::src},
    {"source-port", &Sd::sport},
    {"destination-address", &Sd::dst},
    {"destination-port", &Sd::dport},
    {"service-name", &Sd::service},
    {"protocol-id", &Sd::proto},
    {"protocol-name", &Sd::proto_name},
    {"protocol", &Sd::proto_name},
    {"icmp-type", &Sd::icmp_type},
    {"policy-name", &Sd::policy},
    {"source-zone-name", &Sd::src_zone},
    {"session-id-32", &Sd::session},
    {"packets-from-client", &Sd::c_pkts},
    {"bytes-from-client", &Sd::c_bytes},
    {"packets-from-server", &Sd::s_pkts},
    {"bytes-from-server", &Sd::s_bytes},
    {"elapsed-time", &Sd::elapsed},
    {"application", &Sd::application},
    {"application-name", &Sd::application},
    {"packet-incoming-interface", &Sd::in_if},
    {"interface-name", &Sd::in_if},
    {"attack-name", &Sd::attack},
    {"action", &Sd::action},
    {"threat-severity", &Sd::severity},
    {"rule-name", &Sd::rule},
    {"rulebase-name", &Sd::rulebase},
    {"name", &Sd::virus},
    {"profile-name", &Sd::profile},
    {"category", &Sd::category},
    {"profile", &Sd::profile},
}};

void read_sd(std::string_view sd, Sd& f) {
    KvReader r(sd);
    std::string_view k;
    std::string_view v;
    while (r.next(k, v)) {
        for (const auto& key : kSdKeys) {
            if (key.name == k) {
                f.*key.field = v;
                break;
            }
        }
    }
}

void set_count(std::string_view v, Event& out, void (Event::*setter)(std::uint64_t)) {
    if (auto n = to_uint<std::uint64_t>(v)) {
        (out.*setter)(*n);
    }
}

bool real(std::string_view v) {
    return !v.empty() && v != "N/A" && v != "UNKNOWN" && v != "None" && v != "NONE";
}

core::Result<bool> set_endpoints(const Parts& p, const Sd& f, Event& out) {
    bool any = false;
    for (auto [text, ip, name] : {std::tuple{f.src, &out.src_ip, "source-address"},
                                  std::tuple{f.dst, &out.dst_ip, "destination-address"}}) {
        if (text.empty()) {
            continue;
        }
        if (!set_ip(text, *ip)) {
            return core::fail(
                core::Error::parse("not an IP address", name, offset_in(p.line, text)));
        }
        any = true;
    }
    if (auto v = to_port(f.sport)) {
        out.set_src_port(*v);
    }
    if (auto v = to_port(f.dport)) {
        out.set_dst_port(*v);
    }
    if (auto n = to_uint<std::uint8_t>(f.proto)) {
        out.set_ip_protocol(*n);
    } else {
        set_protocol_name(f.proto_name, out);
    }
    return any;
}

// "a/p->b/q" (IPv4 or IPv6); false if malformed.
bool read_pair(std::string_view s, Event& out) {
    std::size_t arrow = s.find("->");
    if (arrow == std::string_view::npos) {
        return false;
    }
    std::string_view a = s.substr(0, arrow);
    std::string_view b = s.substr(arrow + 2);
    std::size_t sa = a.rfind('/');
    std::size_t sb = b.rfind('/');
    if (sa == std::string_view::npos || sb == std::string_view::npos ||
        !set_ip(a.substr(0, sa), out.src_ip) || !set_ip(b.substr(0, sb), out.dst_ip)) {
        return false;
    }
    auto sp = to_port(a.substr(sa + 1));
    auto dp = to_port(b.substr(sb + 1));
    if (!sp || !dp) {
        return false;
    }
    out.set_src_port(*sp);
    out.set_dst_port(*dp);
    return true;
}

// "123(4567)" → 123 and 4567.
bool paren_pair(std::string_view t, std::uint64_t& a, std::uint64_t& b) {
    std::size_t open = t.find('(');
    if (open == std::string_view::npos || t.back() != ')') {
        return false;
    }
    auto x = to_uint<std::uint64_t>(t.substr(0, open));
    auto y = to_uint<std::uint64_t>(t.substr(open + 1, t.size() - open - 2));
    if (!x || !y) {
        return false;
    }
    a = *x;
    b = *y;
    return true;
}

constexpr std::size_t kMaxTokens = 48;

// Text form. Field positions after the address pair are counted back from a landmark
// token, because NAT rule types may contain a space ("static rule").
core::Result<Disposition> parse_flow_text(const Parts& p, Event& out) {
    std::string_view body = p.body;
    std::size_t colon = body.find(": ");  // "session closed TCP FIN: a/p->b/q …"
    std::size_t start = body.find(' ', body.find(' ') + 1);
    if (p.event_id.ends_with("CLOSE") && colon != std::string_view::npos) {
        start = colon + 1;
    }
    if (start == std::string_view::npos) {
        return core::fail(
            core::Error::parse("truncated session message", "address", p.line.size()));
    }
    std::array<std::string_view, kMaxTokens> tok{};
    std::size_t n = 0;
    Cursor c(body.substr(start));
    while (!c.done() && n < kMaxTokens) {
        c.skip_spaces();
        if (auto t = c.token(' '); !t.empty()) {
            tok[n++] = t;
        }
    }
    if (n == 0 || !read_pair(tok[0], out)) {
        return core::fail(core::Error::parse("expected source/port->destination/port", "address",
                                             offset_in(p.line, n ? tok[0] : body)));
    }
    if (n > 2 && tok[1].starts_with("0x")) {
        out.app_protocol.assign(tok[2]);
    } else if (n > 1) {
        out.app_protocol.assign(tok[1]);
    }
    if (p.event_id.ends_with("DENY")) {
        // … service protocol(icmp-type) policy src-zone dst-zone …
        for (std::size_t i = 1; i + 1 < n; ++i) {
            std::uint64_t proto = 0;
            std::uint64_t icmp = 0;
            if (paren_pair(tok[i], proto, icmp) && proto <= 255) {
                out.set_ip_protocol(static_cast<unsigned>(proto));
                out.rule_name.assign(tok[i + 1]);
                break;
            }
        }
        return Disposition::kEvent;
    }
    // CREATE: landmark is "user(roles)"; CLOSE: the first "packets(bytes)" pair.
    std::size_t mark = 0;
    for (std::size_t i = 6; i < n && mark == 0; ++i) {
        std::uint64_t a = 0;
        std::uint64_t b = 0;
        bool counts = paren_pair(tok[i], a, b);
        if (p.event_id.ends_with("CLOSE") ? counts : (tok[i].back() == ')' && !counts)) {
            mark = i;
        }
    }
    if (mark < 5) {
        return Disposition::kEvent;  // addresses only: still useful
    }
    if (auto proto = to_uint<std::uint8_t>(tok[mark - 5])) {
        out.set_ip_protocol(*proto);
    }
    out.rule_name.assign(tok[mark - 4]);
    if (p.event_id.ends_with("CLOSE")) {
        std::uint64_t pk = 0;
        std::uint64_t by = 0;
        if (paren_pair(tok[mark], pk, by)) {
            out.set_src_packets(pk);
            out.set_src_bytes(by);
        }
        if (mark + 1 < n && paren_pair(tok[mark + 1], pk, by)) {
            out.set_dst_packets(pk);
            out.set_dst_bytes(by);
        }
        if (mark + 2 < n) {
            if (auto s = to_uint<std::uint32_t>(tok[mark + 2])) {
                out.set_duration_ns(std::int64_t{*s} * core::kNanosPerSecond);
            }
        }
    } else if (mark + 1 < n) {
        out.ingress_interface.assign(tok[mark + 1]);
    }
    return Disposition::kEvent;
}

}  // namespace

core::Result<Disposition> parse_flow(const Parts& p, Event& out) {
    out.category = Category::kFirewall;
    out.action = p.event_id.ends_with("DENY") ? Action::kDeny : Action::kAllow;
    if (p.sd.empty()) {
        return parse_flow_text(p, out);
    }
    Sd f;
    read_sd(p.sd, f);
    auto any = set_endpoints(p, f, out);
    if (!any) {
        return core::fail(any.error());
    }
    out.rule_name.assign(f.policy);
    out.app_protocol.assign(real(f.application) ? f.application : f.service);
    out.ingress_interface.assign(f.in_if);
    set_count(f.c_pkts, out, &Event::set_src_packets);
    set_count(f.c_bytes, out, &Event::set_src_bytes);
    set_count(f.s_pkts, out, &Event::set_dst_packets);
    set_count(f.s_bytes, out, &Event::set_dst_bytes);
    if (auto s = to_uint<std::uint32_t>(f.elapsed)) {
        out.set_duration_ns(std::int64_t{*s} * core::kNanosPerSecond);
    }
    if (auto t = to_uint<std::uint8_t>(f.icmp_type);
        t && out.transport != core::Transport::kTcp && out.transport != core::Transport::kUdp) {
        out.set_icmp_type(*t);
    }
    if (!*any) {
        return core::fail(core::Error::parse("session message without addresses", "source-address",
                                             offset_in(p.line, p.sd)));
    }
    return Disposition::kEvent;
}

namespace {

// "SYN flood! source: 1.2.3.4:1234, destination: 5.6.7.8:80, zone name: untrust,
//  interface name: ge-0/0/0.0, action: drop" → Sd fields.
void read_screen_text(std::string_view body, Sd& f) {
    auto field = [&](std::string_view key) -> std::string_view {
        std::size_t k = body.find(key);
        if (k == std::string_view::npos) {
            return {};
        }
        std::string_view v = body.substr(k + key.size());
        return trim(v.substr(0, v.find(',')));
    };
    std::size_t src = body.find(" source: ");
    f.attack = trim(body.substr(0, src));
    auto endpoint = [](std::string_view ep, std::string_view& ip, std::string_view& port) {
        std::size_t colon = ep.rfind(':');
        // IPv4 "a.b.c.d:p"; IPv6 with port is written "addr.port" by some releases — keep it whole.
        if (colon != std::string_view::npos && ep.find(':') == colon) {
            ip = ep.substr(0, colon);
            port = ep.substr(colon + 1);
        } else {
            ip = ep;
        }
    };
    endpoint(field(" source: "), f.src, f.sport);
    endpoint(field(" destination: "), f.dst, f.dport);
    f.in_if = field("interface name: ");
    f.action = field("action: ");
}

Action security_action(std::string_view word, Category cat) {
    if (iequals(word, "alarm-without-drop") || iequals(word, "NONE") || iequals(word, "alarm") ||
        iequals(word, "permitted") || iequals(word, "tag")) {
        return cat == Category::kIds ? Action::kAlert : Action::kAllow;
    }
    if (iequals(word, "CLOSE") || iequals(word, "CLOSE_CLIENT") || iequals(word, "CLOSE_SERVER")) {
        return Action::kReject;
    }
    if (iequals(word, "BLOCKED") || iequals(word, "block")) {
        return Action::kDeny;
    }
    Action a = action_from_word(word);
    return a != Action::kUnknown ? a : (cat == Category::kSpam ? Action::kUnknown : Action::kAlert);
}

}  // namespace

core::Result<Disposition> parse_security(const Parts& p, Event& out) {
    std::string_view id = p.event_id;
    Sd f;
    if (!p.sd.empty()) {
        read_sd(p.sd, f);
    } else if (id.starts_with("RT_SCREEN_")) {
        read_screen_text(p.body, f);
    }
    if (id.starts_with("AV_")) {
        out.category = Category::kAv;
        out.rule_name.assign(f.virus);
    } else if (id.starts_with("ANTISPAM_")) {
        out.category = Category::kSpam;
    } else if (id.starts_with("WEBFILTER_")) {
        out.category = Category::kFirewall;
        out.rule_name.assign(f.category);
        out.action =
            id.find("PERMITTED") != std::string_view::npos ? Action::kAllow : Action::kDeny;
    } else {
        out.category = Category::kIds;
        out.rule_name.assign(f.attack);
        out.rule_id.assign(f.rule);
        out.rule_ruleset.assign(!f.rulebase.empty() ? f.rulebase : f.policy);
    }
    if (out.action == Action::kUnknown) {
        out.action = security_action(f.action, out.category);
    }
    out.ingress_interface.assign(f.in_if);
    out.severity = severity_from_word(f.severity);
    auto any = set_endpoints(p, f, out);
    if (!any) {
        return core::fail(any.error());
    }
    out.app_protocol.assign(real(f.application) ? f.application : f.service);
    return *any ? Disposition::kEvent : Disposition::kIgnored;
}

}  // namespace cyberalarm::parse::formats::junos
