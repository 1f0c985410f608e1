// Snort / Suricata fast.log alerts, and Snort's syslog alert form.
//
//   03/31/2021-12:34:56.123456  [**] [1:2010935:3] ET POLICY … [**] [Classification: …]
//       [Priority: 2] {TCP} 10.0.0.1:1234 -> 10.0.0.2:80
//   snort[123]: [1:1000001:1] msg [Classification: …] [Priority: 1]: <eth0> {TCP} a:p -> b:p
//
// The stamp may lack the year (Snort without -y); it is then inferred from the reference
// time. IPS mode adds "[Drop]" / "[wDrop]" before the first "[**]".
#include <algorithm>
#include <optional>

#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "[1:2010935:3]" at the start of s (gid:sid:rev).
bool starts_with_gsr(std::string_view s) {
    if (s.size() < 7 || s[0] != '[' || !is_digit(s[1])) {
        return false;
    }
    std::size_t close = s.find(']');
    if (close == std::string_view::npos || close > 40) {
        return false;
    }
    int colons = 0;
    for (std::size_t i = 1; i < close; ++i) {
        if (s[i] == ':') {
            ++colons;
        } else if (!is_digit(s[i])) {
            return false;
        }
    }
    return colons == 2;
}

int probe(const SyslogMessage& msg) {
    std::string_view c = msg.content;
    if (c.size() > 20 && is_digit(c[0]) && c[2] == '/' &&
        c.find("[**] [") != std::string_view::npos && c.find(" -> ") != std::string_view::npos) {
        return 90;
    }
    std::string_view m = msg.msg;
    if (starts_with_gsr(m) && m.find(" -> ") != std::string_view::npos &&
        m.find('{') != std::string_view::npos) {
        return msg.app_name == "snort" || msg.app_name == "suricata" ? 90 : 70;
    }
    return 0;
}

// "MM/DD[/YY[YY]]-hh:mm:ss[.ffffff]" → local wall-clock ns (as if UTC).
core::Result<std::int64_t> read_stamp(std::string_view s, std::int64_t reference_ns) {
    auto bad = [] { return core::fail(core::Error::parse("bad time stamp", "timestamp", 0)); };
    core::CivilTime t;
    Cursor c(s);
    auto month = to_uint<unsigned>(c.token('/'));
    std::string_view rest = c.rest();
    std::size_t dash = rest.find('-');
    if (!month || dash == std::string_view::npos) {
        return bad();
    }
    std::string_view date = rest.substr(0, dash);
    std::size_t slash = date.find('/');
    auto day = to_uint<unsigned>(date.substr(0, slash));
    if (!day || *month < 1 || *month > 12) {
        return bad();
    }
    t.month = static_cast<int>(*month);
    t.day = static_cast<int>(*day);
    if (slash == std::string_view::npos) {
        t.year = core::infer_year(t.month, reference_ns);
    } else {
        auto year = to_uint<unsigned>(date.substr(slash + 1));
        if (!year || *year > 9999) {
            return bad();
        }
        t.year = static_cast<int>(*year < 100 ? 2000 + *year : *year);
    }
    Cursor tc(rest.substr(dash + 1));
    auto h = to_uint<unsigned>(tc.token(':'));
    auto mi = to_uint<unsigned>(tc.token(':'));
    auto se = to_uint<unsigned>(tc.token('.'));
    if (!h || !mi || !se) {
        return bad();
    }
    t.hour = static_cast<int>(*h);
    t.minute = static_cast<int>(*mi);
    t.second = static_cast<int>(*se);
    std::string_view frac = tc.rest();
    if (frac.size() > 9 || (!frac.empty() && !to_uint<std::uint64_t>(frac))) {
        return bad();
    }
    std::int64_t nanos = 0;
    for (std::size_t i = 0; i < 9; ++i) {
        nanos = nanos * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    }
    t.nanos = nanos;
    auto ns = core::civil_to_ns(t);
    if (!ns) {
        return bad();
    }
    return *ns;
}

// "a.b.c.d[:port]", "[v6]:port", "v6[:port]" (Snort and Suricata append the port to an
// IPv6 address after a colon; the last group is the port when the protocol has ports).
bool read_endpoint(std::string_view s, bool has_ports, core::IpAddress& ip,
                   std::optional<std::uint16_t>& port) {
    if (!s.empty() && s.front() == '[') {
        std::size_t close = s.find(']');
        if (close == std::string_view::npos) {
            return false;
        }
        auto a = core::IpAddress::parse(s.substr(1, close - 1));
        if (!a) {
            return false;
        }
        ip = *a;
        if (close + 1 < s.size()) {
            if (s[close + 1] != ':' || !(port = to_port(s.substr(close + 2)))) {
                return false;
            }
        }
        return true;
    }
    std::size_t colon = s.rfind(':');
    bool v4_with_port = colon != std::string_view::npos && s.find(':') == colon;
    if (colon != std::string_view::npos && (v4_with_port || has_ports)) {
        auto a = core::IpAddress::parse(s.substr(0, colon));
        auto p = to_port(s.substr(colon + 1));
        if (a && p) {
            ip = *a;
            port = p;
            return true;
        }
    }
    auto a = core::IpAddress::parse(s);
    if (!a) {
        return false;
    }
    ip = *a;
    return true;
}

// "{TCP} src -> dst" at the start of s.
core::Result<Disposition> read_flow(std::string_view s, std::size_t base, core::Event& out) {
    if (s.empty() || s.front() != '{') {
        return core::fail(core::Error::parse("missing {protocol}", "protocol", base));
    }
    std::size_t close = s.find('}');
    if (close == std::string_view::npos) {
        return core::fail(core::Error::parse("unterminated {protocol}", "protocol", base));
    }
    std::string_view proto = s.substr(1, close - 1);
    if (auto n = to_uint<unsigned>(proto); n && *n <= 255) {
        out.set_ip_protocol(*n);
    } else {
        out.set_transport(core::transport_from_name(proto));
    }
    bool has_ports = out.transport == core::Transport::kTcp ||
                     out.transport == core::Transport::kUdp ||
                     out.transport == core::Transport::kSctp;
    std::string_view addrs = trim(s.substr(close + 1));
    std::size_t arrow = addrs.find(" -> ");
    if (arrow == std::string_view::npos) {
        return core::fail(core::Error::parse("missing ' -> '", "destination", base + close));
    }
    std::optional<std::uint16_t> sp;
    std::optional<std::uint16_t> dp;
    if (!read_endpoint(trim(addrs.substr(0, arrow)), has_ports, out.src_ip, sp)) {
        return core::fail(core::Error::parse("bad source address", "source", base + close + 1));
    }
    if (!read_endpoint(trim(addrs.substr(arrow + 4)), has_ports, out.dst_ip, dp)) {
        return core::fail(
            core::Error::parse("bad destination address", "destination", base + close + 1 + arrow));
    }
    if (sp) {
        out.set_src_port(*sp);
    }
    if (dp) {
        out.set_dst_port(*dp);
    }
    return Disposition::kEvent;
}

// From "[gid:sid:rev] msg …" to the end of the line.
core::Result<Disposition> read_alert(std::string_view s, std::size_t base, core::Event& out) {
    if (!starts_with_gsr(s)) {
        return core::fail(core::Error::parse("missing [gid:sid:rev]", "rule.id", base));
    }
    std::size_t close = s.find(']');
    Cursor gsr(s.substr(1, close - 1));
    (void)gsr.token(':');
    out.rule_id.assign(gsr.token(':'));
    std::string_view rest = s.substr(close + 1);
    // The message runs to the first of "[**]" (fast.log), "[Classification:", "[Priority:"
    // or "{" (syslog form).
    std::size_t end = rest.size();
    for (std::string_view mark : {" [**]", " [Classification: ", " [Priority: ", " {"}) {
        end = std::min(end, rest.find(mark));
    }
    out.rule_name.assign(trim(rest.substr(0, end)));
    rest = rest.substr(end);
    std::size_t cls = rest.find("[Classification: ");
    if (cls != std::string_view::npos) {
        std::size_t e = rest.find(']', cls);
        out.rule_ruleset.assign(rest.substr(
            cls + 17, e == std::string_view::npos ? std::string_view::npos : e - cls - 17));
    }
    std::size_t pri = rest.find("[Priority: ");
    if (pri != std::string_view::npos) {
        std::size_t e = rest.find(']', pri);
        if (e != std::string_view::npos) {
            if (auto p = to_uint<unsigned>(rest.substr(pri + 11, e - pri - 11))) {
                out.severity = severity_from_priority(*p);
            }
        }
    }
    std::size_t brace = rest.find('{');
    if (brace == std::string_view::npos) {
        return core::fail(core::Error::parse("missing {protocol}", "protocol", base + s.size()));
    }
    // Snort's syslog output may name the interface: "[Priority: 2]: <eth0> {UDP} …".
    std::size_t lt = rest.rfind('<', brace);
    if (lt != std::string_view::npos && pri != std::string_view::npos && lt > pri) {
        std::size_t gt = rest.find('>', lt);
        if (gt != std::string_view::npos && gt < brace) {
            out.ingress_interface.assign(rest.substr(lt + 1, gt - lt - 1));
        }
    }
    std::size_t off = base + (s.size() - rest.size()) + brace;
    return read_flow(rest.substr(brace), off, out);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "snort_fast", out);
    bool suricata = msg.app_name == "suricata";
    out.observer_vendor.assign(suricata ? "OISF" : "Snort");
    out.observer_product.assign(suricata ? "Suricata" : "Snort");
    out.category = core::Category::kIds;
    out.action = core::Action::kAlert;
    std::string_view c = msg.content;
    std::size_t base = 0;
    if (msg.content.data() >= msg.raw.data() &&
        msg.content.data() <= msg.raw.data() + msg.raw.size()) {
        base = static_cast<std::size_t>(msg.content.data() - msg.raw.data());
    }
    if (!c.empty() && is_digit(c.front())) {
        std::size_t sp = c.find(' ');
        auto local = read_stamp(c.substr(0, sp), ctx.reference_ns);
        if (!local) {
            return core::fail(core::Error::parse("bad time stamp", "timestamp", base));
        }
        out.time_ns = ctx.tz.local_to_utc(*local);
        std::size_t stars = c.find("[**]");
        if (stars == std::string_view::npos) {
            return core::fail(core::Error::parse("missing [**]", "rule", base));
        }
        // IPS verdicts come before the first "[**]": "[Drop]", "[wDrop]".
        std::string_view verdict = c.substr(0, stars);
        if (verdict.find("Drop]") != std::string_view::npos) {
            out.action = core::Action::kDrop;
        }
        std::string_view rest = trim(c.substr(stars + 4));
        return read_alert(rest, base + static_cast<std::size_t>(rest.data() - c.data()), out);
    }
    std::string_view m = msg.msg;
    return read_alert(m, base + static_cast<std::size_t>(m.data() - c.data()), out);
}

}  // namespace

const Format& snort_fast() {
    static const Format kFormat{
        "snort_fast", "Snort/Suricata fast.log alerts and Snort syslog alerts", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
