// Forcepoint NGFW (formerly Stonesoft) logs exported as LEEF
// ("LEEF:1.0|Forcepoint|Firewall|7.1.5|Connection_Allowed|src=…<TAB>dst=…") or CEF
// ("CEF:0|FORCEPOINT|Firewall|6.8.6|70018|Connection_Allowed|0|src=… dst=…").
// See docs/formats/forcepoint.md.
#include <array>

#include "parse/formats/checkpoint_cef.h"
#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

bool is_vendor(std::string_view v) {
    return iequals(v, "Forcepoint") || iequals(v, "Stonesoft");
}

bool is_firewall(std::string_view product) {
    return product.find("Firewall") != std::string_view::npos ||
           product.find("NGFW") != std::string_view::npos;
}

struct Header {
    bool leef = false;
    std::string_view product, version, event_id, event_name, ext;
    char delim = '\t';
};

// LEEF 2.0 names its attribute delimiter: a character, "x09" or "0x09".
char leef_delimiter(std::string_view d) {
    if (d.size() == 1) {
        return d[0];
    }
    if (d.starts_with("0x") || d.starts_with("0X")) {
        d.remove_prefix(2);
    } else if (d.starts_with("x") || d.starts_with("X")) {
        d.remove_prefix(1);
    }
    unsigned v = 0;
    auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), v, 16);
    return ec == std::errc() && end == d.data() + d.size() && v > 0 && v < 128
               ? static_cast<char>(v)
               : '\t';
}

bool split(std::string_view raw, Header& h) {
    if (std::size_t p = raw.find("LEEF:"); p != std::string_view::npos) {
        std::string_view s = raw.substr(p + 5);
        std::array<std::string_view, 6> f{};
        std::string_view rest;
        bool v2 = s.starts_with("2");
        std::size_t want = v2 ? 6 : 5;
        if (cefx::split_header(s, std::span(f).first(want), rest) < want || !is_vendor(f[1])) {
            return false;
        }
        h = {true, f[2], f[3], f[4], f[4], rest, v2 ? leef_delimiter(f[5]) : '\t'};
        return true;
    }
    std::size_t p = cefx::find_cef(raw);
    if (p == std::string_view::npos) {
        return false;
    }
    std::array<std::string_view, 7> f{};
    std::string_view rest;
    if (cefx::split_header(raw.substr(p), f, rest) < f.size() || !is_vendor(f[1])) {
        return false;
    }
    h = {false, f[2], f[3], f[4], f[5], rest, ' '};
    return true;
}

// Verdict from an event name when the line has no action attribute.
core::Action action_from_event(std::string_view name) {
    if (name.find("Allowed") != std::string_view::npos) {
        return core::Action::kAllow;
    }
    if (name.find("Discard") != std::string_view::npos) {
        return core::Action::kDrop;
    }
    if (name.find("Refuse") != std::string_view::npos ||
        name.find("Terminate") != std::string_view::npos) {
        return core::Action::kReject;
    }
    return core::Action::kUnknown;
}

core::Action action_from_fp(std::string_view a) {
    if (iequals(a, "Refuse") || iequals(a, "Terminate")) {
        return core::Action::kReject;
    }
    return action_from_word(a);  // Allow, Discard, Permit, Block
}

struct Collected {
    std::string_view time, user, action;
};

void take(std::string_view k, std::string_view v, Collected& c, const ParseContext& ctx,
          core::Event& out) {
    if (k == "src") {
        if (auto ip = core::IpAddress::parse(v)) out.src_ip = *ip;
    } else if (k == "dst") {
        if (auto ip = core::IpAddress::parse(v)) out.dst_ip = *ip;
    } else if (k == "spt" || k == "srcPort") {
        if (auto p = to_port(v)) out.set_src_port(*p);
    } else if (k == "dpt" || k == "dstPort") {
        if (auto p = to_port(v)) out.set_dst_port(*p);
    } else if (k == "proto") {
        if (auto n = to_uint<std::uint8_t>(v)) {
            out.set_ip_protocol(*n);
        } else if (auto t = core::transport_from_name(v); t != core::Transport::kUnknown) {
            out.set_transport(t);
        }
    } else if (k == "act" || k == "action") {
        c.action = v;
    } else if (k == "rt" || k == "devTime") {
        c.time = v;
    } else if (k == "deviceInboundInterface" || k == "srcIfName") {
        out.ingress_interface = v;
    } else if (k == "deviceOutboundInterface" || k == "dstIfName") {
        out.egress_interface = v;
    } else if (k == "in" || k == "srcBytes") {
        if (auto n = to_uint<std::uint64_t>(v)) out.set_src_bytes(*n);
    } else if (k == "out" || k == "dstBytes") {
        if (auto n = to_uint<std::uint64_t>(v)) out.set_dst_bytes(*n);
    } else if (k == "app") {
        out.app_protocol = v;
    } else if (k == "ruleId" || k == "RuleID" || k == "cs1") {
        out.rule_id = v;  // cs1 is labelled RuleID in Forcepoint's CEF
    } else if (k == "usrName" || k == "suser") {
        c.user = v;
    } else if ((k == "sender" || k == "deviceExternalId") && ctx.observer.empty()) {
        out.observer_name = v;  // engine node, e.g. "fw-hq node 1"
    }
}

int probe(const SyslogMessage& msg) {
    Header h;
    if (!split(msg.raw, h)) {
        return 0;
    }
    return is_firewall(h.product) ? 95 : 50;  // beats generic CEF/LEEF
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "forcepoint", out);
    Header h;
    if (!split(msg.raw, h)) {
        return core::fail(core::Error::parse("not a Forcepoint CEF/LEEF line", "header", 0));
    }
    out.observer_vendor = "Forcepoint";
    out.observer_product = "NGFW";
    out.event_code = h.event_id;
    Collected c;
    std::string_view k;
    std::string_view v;
    if (h.leef) {
        cefx::LeefReader rd(h.ext, h.delim);
        while (rd.next(k, v)) {
            take(k, v, c, ctx, out);
        }
    } else {
        cefx::ExtReader rd(h.ext);
        while (rd.next(k, v)) {
            take(k, v, c, ctx, out);
        }
    }
    out.action = c.action.empty() ? action_from_event(h.event_name) : action_from_fp(c.action);
    std::int64_t ns = 0;
    bool epoch = false;
    if (cefx::parse_cef_time(c.time, ns, epoch)) {
        out.time_ns = epoch ? ns : ctx.tz.local_to_utc(ns);
    }
    if (!c.user.empty()) {
        out.user_hash = hash_identity(ctx, c.user);
    }
    if (!out.src_ip.is_set() && !out.dst_ip.is_set()) {
        return Disposition::kIgnored;  // engine, DHCP and administration notices
    }
    return Disposition::kEvent;
}

}  // namespace

const Format& forcepoint() {
    static const Format kFormat{"forcepoint", "Forcepoint NGFW LEEF and CEF", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
