// Windows Defender Firewall pfirewall.log (W3C extended log), and Windows Filtering
// Platform audit events 5150-5159 shipped as JSON (NXLog im_msvistalog, Winlogbeat).
//
//   #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn
//            tcpack tcpwin icmptype icmpcode info path [pid]
//   2019-05-01 12:00:00 DROP TCP 10.0.0.1 10.0.0.2 5000 445 52 S 12345 0 8192 - - - RECEIVE
//
// The JSON events are in windows_firewall_wfp.cpp.
#include <array>

#include "parse/formats/formats.h"
#include "parse/formats/windows_firewall_wfp.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "YYYY-MM-DD hh:mm:ss " at the start.
bool starts_with_stamp(std::string_view s) {
    return s.size() > 20 && is_digit(s[0]) && is_digit(s[3]) && s[4] == '-' && s[7] == '-' &&
           s[10] == ' ' && s[13] == ':' && s[16] == ':' && s[19] == ' ';
}

// The W3C line: the content after a syslog header, or the whole raw line (whose leading
// "date time" a syslog header reader may have taken for its own stamp).
std::string_view w3c_text(const SyslogMessage& msg) {
    if (starts_with_stamp(msg.content) || msg.content.starts_with('#')) {
        return msg.content;
    }
    return msg.raw;
}

int probe(const SyslogMessage& msg) {
    std::string_view c = w3c_text(msg);
    if (c.starts_with("#Software: Microsoft Windows Firewall") ||
        c.starts_with("#Fields: date time action protocol src-ip")) {
        return 90;
    }
    if (starts_with_stamp(c)) {
        std::string_view action = c.substr(20, 6);
        if (action.starts_with("ALLOW ") || action.starts_with("DROP ") ||
            c.substr(20).starts_with("INFO-EVENTS-LOST")) {
            return 85;
        }
    }
    return wfp::probe(msg.msg);
}

// "-" is the W3C "no value".
std::string_view field_or_empty(std::string_view f) {
    return f == "-" ? std::string_view{} : f;
}

core::Result<Disposition> parse_w3c(std::string_view c, std::size_t base, const ParseContext& ctx,
                                    core::Event& out) {
    std::array<std::string_view, 18> f{};
    std::size_t n = 0;
    Cursor cur(c);
    while (!cur.done() && n < f.size()) {
        cur.skip_spaces();
        f[n++] = cur.token(' ');
    }
    if (n < 8) {
        return core::fail(core::Error::parse("too few fields", "", base + c.size()));
    }
    auto t = core::parse_iso8601(c.substr(0, 19));  // "date time", checked by the caller
    if (!t) {
        return core::fail(core::Error::parse("bad date/time", "date", base));
    }
    out.time_ns = t->has_zone ? t->ns : ctx.tz.local_to_utc(t->ns);
    if (f[2] == "INFO-EVENTS-LOST") {
        return Disposition::kIgnored;
    }
    out.action = action_from_word(f[2]);
    std::string_view proto = f[3];
    if (auto num = to_uint<unsigned>(proto); num && *num <= 255) {
        out.set_ip_protocol(*num);
    } else {
        out.set_transport(core::transport_from_name(proto));
    }
    auto src = core::IpAddress::parse(f[4]);
    auto dst = core::IpAddress::parse(f[5]);
    if (!src) {
        return core::fail(core::Error::parse("bad source address", "src-ip", base));
    }
    if (!dst) {
        return core::fail(core::Error::parse("bad destination address", "dst-ip", base));
    }
    out.src_ip = *src;
    out.dst_ip = *dst;
    if (auto p = to_port(field_or_empty(f[6]))) {
        out.set_src_port(*p);
    }
    if (auto p = to_port(field_or_empty(f[7]))) {
        out.set_dst_port(*p);
    }
    if (auto b = to_uint<std::uint64_t>(field_or_empty(f[8]))) {
        out.set_bytes(*b);
    }
    if (auto it = to_uint<std::uint8_t>(field_or_empty(f[13]))) {
        out.set_icmp_type(*it);
    }
    if (auto ic = to_uint<std::uint8_t>(field_or_empty(f[14]))) {
        out.set_icmp_code(*ic);
    }
    return Disposition::kEvent;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "windows_firewall", out);
    out.observer_vendor.assign("Microsoft");
    out.observer_product.assign("Windows Firewall");
    out.category = core::Category::kFirewall;
    std::string_view c = w3c_text(msg);
    std::size_t base = 0;
    if (c.data() >= msg.raw.data() && c.data() <= msg.raw.data() + msg.raw.size()) {
        base = static_cast<std::size_t>(c.data() - msg.raw.data());
    }
    if (c.starts_with('#')) {
        return Disposition::kIgnored;  // W3C directives: #Version, #Software, #Fields …
    }
    if (starts_with_stamp(c) && !trim(msg.msg).starts_with('{')) {
        return parse_w3c(c, base, ctx, out);
    }
    return wfp::parse(msg.msg, ctx, out);
}

}  // namespace

const Format& windows_firewall() {
    static const Format kFormat{"windows_firewall",
                                "Windows Firewall pfirewall.log (W3C) and WFP audit events "
                                "5150-5159 as JSON",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
