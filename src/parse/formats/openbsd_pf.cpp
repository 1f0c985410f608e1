// OpenBSD (and FreeBSD) pf packet logs as tcpdump prints them from pflog0, usually shipped
// to syslog with `tcpdump -l -n -e -ttt -i pflog0 | logger -t pf`:
//
//   [Mmm dd hh:mm:ss.ffffff ]rule 2/(match) [uid 0, pid 1] block in on em0:
//       192.0.2.1.51234 > 198.51.100.2.22: S 1:1(0) win 16384 <mss 1460> (DF)
//   rule 1.anchor.0/(match) pass out on em1: 2001:db8::1.5353 > 2001:db8::2.53: udp 32
//   rule 3/0(match): block in on em0: (tos 0x0, ttl 64, …, proto ICMP (1), length 84)
//       192.0.2.1 > 198.51.100.2: ICMP echo request, id 1, seq 1, length 64     (FreeBSD)
//
// Addresses carry the port after a final dot. Only the numbers of the packet summary are
// kept; whatever tcpdump decoded from the payload (DNS names, HTTP) is dropped.
// pfSense/OPNsense `filterlog` CSV is the pf_filterlog format, not this one.
#include <cstdint>
#include <optional>
#include <string_view>

#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::string_view kName = "openbsd_pf";
constexpr std::size_t npos = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Position of "rule <digit>…/" followed by a "(reason)", or npos.
std::size_t find_rule(std::string_view s) {
    std::size_t p = s.find("rule ");
    while (p != npos) {
        std::size_t d = p + 5;
        if (d < s.size() && is_digit(s[d])) {
            std::size_t slash = s.find('/', d);
            std::size_t open = s.find('(', d);
            if (slash != npos && open != npos && slash < open && open - d < 48 &&
                s.find(')', open) != npos) {
                return p;
            }
        }
        p = s.find("rule ", p + 1);
    }
    return npos;
}

// "Mar 15 12:00:00.123456 " in front of the rule: tcpdump's own stamp.
std::optional<std::int64_t> read_stamp(std::string_view s, const ParseContext& ctx) {
    if (s.size() < 15) {
        return std::nullopt;
    }
    int month = core::month_from_abbrev(s.substr(0, 3));
    Cursor c(s.substr(4));
    c.skip_spaces();
    auto day = to_uint<unsigned>(c.token(' '));
    std::string_view clock = c.token(' ');
    if (month == 0 || !day || clock.size() < 8 || clock[2] != ':' || clock[5] != ':') {
        return std::nullopt;
    }
    auto hh = to_uint<unsigned>(clock.substr(0, 2));
    auto mm = to_uint<unsigned>(clock.substr(3, 2));
    auto ss = to_uint<unsigned>(clock.substr(6, 2));
    if (!hh || !mm || !ss) {
        return std::nullopt;
    }
    core::CivilTime t;
    t.year = core::infer_year(month, ctx.reference_ns);
    t.month = month;
    t.day = static_cast<int>(*day);
    t.hour = static_cast<int>(*hh);
    t.minute = static_cast<int>(*mm);
    t.second = static_cast<int>(*ss);
    auto ns = core::civil_to_ns(t);
    if (!ns) {
        return std::nullopt;
    }
    return ctx.tz.local_to_utc(*ns);
}

// "192.0.2.1.51234", "2001:db8::1.53", "192.0.2.1" → address and optional port.
bool read_endpoint(std::string_view s, core::IpAddress& ip, std::optional<std::uint16_t>& port) {
    while (!s.empty() && (s.back() == ':' || s.back() == ',')) {
        s.remove_suffix(1);
    }
    std::size_t dot = s.rfind('.');
    if (dot != npos) {
        auto p = to_port(s.substr(dot + 1));
        auto addr = core::IpAddress::parse(s.substr(0, dot));
        if (p && addr) {
            ip = *addr;
            port = p;
            return true;
        }
    }
    auto addr = core::IpAddress::parse(s);
    if (!addr) {
        return false;
    }
    ip = *addr;
    return true;
}

bool is_tcp_flags(std::string_view w) {
    if (w.empty() || w.size() > 8) {
        return false;
    }
    for (char c : w) {
        if (c != 'S' && c != 'F' && c != 'R' && c != 'P' && c != 'U' && c != 'E' && c != 'W' &&
            c != '.') {
            return false;
        }
    }
    return true;
}

void read_icmp_text(std::string_view t, core::Event& out) {
    if (t.find("echo request") != npos) {
        out.set_icmp_type(out.transport == core::Transport::kIcmpv6 ? 128 : 8);
    } else if (t.find("echo reply") != npos) {
        out.set_icmp_type(out.transport == core::Transport::kIcmpv6 ? 129 : 0);
    } else if (t.find("unreachable") != npos) {
        out.set_icmp_type(out.transport == core::Transport::kIcmpv6 ? 1 : 3);
    } else if (t.find("time exceeded") != npos) {
        out.set_icmp_type(out.transport == core::Transport::kIcmpv6 ? 3 : 11);
    }
}

// The summary after "src > dst: " decides the transport when no "proto X" header did.
void read_summary(std::string_view t, bool has_ports, core::Event& out) {
    Cursor c(t);
    std::string_view first = c.token(' ');
    if (out.transport == core::Transport::kUnknown) {
        if (first == "icmp:" || first == "ICMP") {
            out.set_transport(core::Transport::kIcmp);
        } else if (first == "icmp6:" || first == "ICMP6," || first == "ICMP6") {
            out.set_transport(core::Transport::kIcmpv6);
        } else if (first == "Flags" || is_tcp_flags(first)) {
            out.set_transport(core::Transport::kTcp);
        } else if (first == "udp" || first == "UDP,") {
            out.set_transport(core::Transport::kUdp);
        } else if (first == "esp" || first == "ESP(spi=") {
            out.set_transport(core::Transport::kEsp);
        } else if (first.starts_with("carp") || first.starts_with("CARP")) {
            out.set_ip_protocol(112);
        } else if (has_ports) {
            out.set_transport(core::Transport::kUdp);  // decoded UDP payload (DNS, NTP …)
        }
    }
    if (out.transport == core::Transport::kIcmp || out.transport == core::Transport::kIcmpv6) {
        read_icmp_text(t, out);
    }
}

// FreeBSD's -v header "(tos 0x0, ttl 64, …, proto TCP (6), length 60) ".
std::string_view read_ip_header(std::string_view s, core::Event& out) {
    if (s.empty() || s.front() != '(') {
        return s;
    }
    std::size_t close = s.find(") ");
    std::size_t proto = s.find("proto ");
    if (proto != npos && proto < close) {
        std::string_view name = s.substr(proto + 6);
        name = name.substr(0, name.find_first_of(" ,)"));
        if (auto t = core::transport_from_name(name); t != core::Transport::kUnknown) {
            out.set_transport(t);
        }
    }
    std::size_t len = s.find("length ");
    if (len != npos && len < close) {
        std::string_view n = s.substr(len + 7);
        if (auto v = to_uint<std::uint32_t>(n.substr(0, n.find_first_of(",)")))) {
            out.set_bytes(*v);
            out.set_src_bytes(*v);
        }
    }
    return close == npos ? std::string_view{} : s.substr(close + 2);
}

core::Result<Disposition> read_packet(std::string_view s, std::size_t base, core::Event& out) {
    std::string_view pkt = read_ip_header(s, out);
    std::size_t gt = pkt.find(" > ");
    if (gt == npos) {
        return core::fail(core::Error::parse("no 'src > dst' in pf log line", "source.ip", base));
    }
    std::string_view src = pkt.substr(0, gt);
    std::string_view rest = pkt.substr(gt + 3);
    std::size_t end = rest.find(' ');
    std::string_view dst = rest.substr(0, end);
    std::optional<std::uint16_t> sport;
    std::optional<std::uint16_t> dport;
    std::size_t at = base + static_cast<std::size_t>(pkt.data() - s.data());
    if (!read_endpoint(src, out.src_ip, sport)) {
        return core::fail(core::Error::parse("malformed source address", "source.ip", at));
    }
    if (!read_endpoint(dst, out.dst_ip, dport)) {
        return core::fail(
            core::Error::parse("malformed destination address", "destination.ip", at + gt + 3));
    }
    if (sport) {
        out.set_src_port(*sport);
    }
    if (dport) {
        out.set_dst_port(*dport);
    }
    read_summary(end == npos ? std::string_view{} : rest.substr(end + 1), sport.has_value(), out);
    out.set_packets(1);
    out.set_src_packets(1);
    return Disposition::kEvent;
}

// "2/(match) [uid 0, pid 1] block in on em0: " → rule, action, interface; returns the rest.
core::Result<std::string_view> read_rule(std::string_view s, std::size_t base, core::Event& out) {
    std::size_t slash = s.find('/');
    std::size_t close = s.find(')');
    if (slash == npos || close == npos || close < slash) {
        return core::fail(core::Error::parse("malformed pf rule", "rule.id", base));
    }
    std::string_view rule = s.substr(0, slash);
    // "1.anchor.0": rule number, anchor (ruleset), sub-rule number.
    std::size_t dot = rule.find('.');
    out.rule_id.assign(rule.substr(0, dot));
    if (dot != npos) {
        std::string_view anchor = rule.substr(dot + 1);
        out.rule_ruleset.assign(anchor.substr(0, anchor.rfind('.')));
    }
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty() && rest.front() == ':') {
        rest.remove_prefix(1);
    }
    rest = trim(rest);
    if (!rest.empty() && rest.front() == '[') {
        std::size_t e = rest.find("] ");
        rest = e == npos ? std::string_view{} : trim(rest.substr(e + 2));
    }
    Cursor c(rest);
    std::string_view action = c.token(' ');
    std::string_view dir = c.token(' ');
    if (!c.skip("on ")) {
        return core::fail(core::Error::parse("pf rule without 'on <interface>'", "interface",
                                             base + close + 1));
    }
    std::string_view iface = c.token(' ');
    if (iface.empty() || iface.back() != ':') {
        return core::fail(core::Error::parse("pf rule without interface", "interface",
                                             base + close + 1));
    }
    iface.remove_suffix(1);
    out.action = action_from_word(action);
    (dir == "out" ? out.egress_interface : out.ingress_interface).assign(iface);
    return c.rest();
}

int probe(const SyslogMessage& msg) {
    std::size_t r = find_rule(msg.raw);
    if (r == npos) {
        return 0;
    }
    std::string_view s = msg.raw.substr(r);
    return s.find(" on ") != npos && s.find(" > ") != npos ? 85 : 30;
}

// tcpdump's stamp is the last "Mmm dd hh:mm:ss" before the rule (after any syslog header).
std::optional<std::int64_t> stamp_before(std::string_view pre, const ParseContext& ctx) {
    std::optional<std::int64_t> found;
    for (std::size_t i = 0; i + 15 <= pre.size(); ++i) {
        if ((i == 0 || pre[i - 1] == ' ') && core::month_from_abbrev(pre.substr(i, 3)) != 0) {
            if (auto t = read_stamp(pre.substr(i), ctx)) {
                found = t;
            }
        }
    }
    return found;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    out.observer_vendor.assign("OpenBSD");
    out.observer_product.assign("pf");
    out.category = core::Category::kFirewall;
    // The raw line: a bare tcpdump line's stamp may have been taken for a syslog header.
    std::string_view s = msg.raw;
    std::size_t r = find_rule(s);
    if (r == npos) {
        return core::fail(core::Error::parse("no 'rule N/(reason)' in pf log line", "rule.id", 0));
    }
    if (auto t = stamp_before(s.substr(0, r), ctx)) {
        out.time_ns = *t;
    }
    auto rest = read_rule(s.substr(r + 5), r + 5, out);
    if (!rest) {
        return core::fail(std::move(rest.error()));
    }
    return read_packet(*rest, static_cast<std::size_t>(rest->data() - s.data()), out);
}

}  // namespace

const Format& openbsd_pf() {
    static const Format kFormat{"openbsd_pf",
                                "OpenBSD/FreeBSD pf packet logs as tcpdump prints them from pflog",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
