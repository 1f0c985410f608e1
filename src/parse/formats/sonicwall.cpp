// SonicWall SonicOS logs, in the two shapes a firewall sends:
//   syslog   id=firewall sn=0017C5… time="2024-05-01 10:00:00" fw=203.0.113.1 pri=6 c=1024
//            m=537 msg="Connection Closed" src=10.0.0.5:51000:X0 dst=198.51.100.7:443:X1
//            proto=tcp/https sent=1200 rcvd=5400 spkt=10 rpkt=12 fw_action="NA"
//   CEF      CEF:0|SonicWall|NSa 4700|7.0.1|537|Connection Closed|4|src=… spt=… …
// id= is the firewall's configured syslog name, sn= its serial, m= the message id; src/dst
// carry ip:port:interface[:host] (the host name is dropped). See docs/formats/sonicwall.md.
#include <string_view>

#include "parse/cef_reader.h"
#include "parse/formats/formats.h"
#include "parse/formats/fortigate_util.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::string_view kName = "sonicwall";

int probe(const SyslogMessage& msg) {
    std::string_view s = msg.raw;
    if (cef::has_envelope_vendor(s, "SonicWall") || cef::has_envelope_vendor(s, "SonicWALL")) {
        return 90;
    }
    if (has_key(s, "id=") && has_key(s, "sn=") && has_key(s, "m=")) {
        return has_key(s, "fw=") || has_key(s, "c=") ? 85 : 60;
    }
    return 0;
}

struct Fields {
    std::string_view id, sn, time, m, msg, src, dst, spt, dpt, srcif, dstif, proto, sent, rcvd,
        spkt, rpkt, fw_action, rule, usr, pri, cef_severity, category;
};

// Native keys, and the CEF names SonicOS uses for the same things.
void set_field(Fields& f, std::string_view k, std::string_view v) {
    struct Entry {
        std::string_view key;
        std::string_view Fields::*member;
    };
    static constexpr Entry kTable[] = {
        {"id", &Fields::id},
        {"sn", &Fields::sn},
        {"time", &Fields::time},
        {"m", &Fields::m},
        {"msg", &Fields::msg},
        {"src", &Fields::src},
        {"dst", &Fields::dst},
        {"srcV6", &Fields::src},
        {"dstV6", &Fields::dst},
        {"spt", &Fields::spt},
        {"dpt", &Fields::dpt},
        {"deviceInboundInterface", &Fields::srcif},
        {"deviceOutboundInterface", &Fields::dstif},
        {"proto", &Fields::proto},
        {"sent", &Fields::sent},
        {"out", &Fields::sent},
        {"rcvd", &Fields::rcvd},
        {"in", &Fields::rcvd},
        {"spkt", &Fields::spkt},
        {"rpkt", &Fields::rpkt},
        {"fw_action", &Fields::fw_action},
        {"rule", &Fields::rule},
        {"cs1", &Fields::rule},
        {"usr", &Fields::usr},
        {"susr", &Fields::usr},
        {"duser", &Fields::usr},
        {"pri", &Fields::pri},
        {"c", &Fields::category},
    };
    for (const auto& e : kTable) {
        if (e.key == k) {
            if ((f.*e.member).empty()) {
                f.*e.member = v;
            }
            return;
        }
    }
}

// "10.0.0.5:51000:X0[:host]", "[2001:db8::1]:443:X1", "2001:db8::1" or a bare address.
void read_endpoint(std::string_view v, core::IpAddress& ip, std::string_view& port,
                   std::string_view& iface) {
    std::string_view addr = v;
    std::string_view rest;
    if (v.starts_with('[')) {
        std::size_t close = v.find(']');
        if (close == std::string_view::npos) {
            return;
        }
        addr = v.substr(1, close - 1);
        rest = v.substr(close + 1);
        if (rest.starts_with(':')) rest.remove_prefix(1);
    } else if (std::size_t colon = v.find(':'); colon != std::string_view::npos) {
        if (v.find('.') != std::string_view::npos && v.find('.') < colon) {
            addr = v.substr(0, colon);  // IPv4 with port and interface
            rest = v.substr(colon + 1);
        }
    }
    if (auto a = core::IpAddress::parse(addr)) {
        ip = *a;
    }
    if (!rest.empty()) {
        Cursor c(rest);
        std::string_view p = c.token(':');
        if (port.empty()) port = p;
        std::string_view i = c.token(':');
        if (iface.empty()) iface = i;
    }
}

core::Action action_of(const Fields& f) {
    if (iequals(f.fw_action, "drop")) return core::Action::kDrop;
    if (iequals(f.fw_action, "forward")) return core::Action::kAllow;
    if (iequals(f.fw_action, "mgmt")) return core::Action::kAllow;
    // fw_action="NA": the message says what happened.
    if (icontains(f.msg, "drop")) return core::Action::kDrop;
    if (icontains(f.msg, "denied") || icontains(f.msg, "blocked")) {
        return core::Action::kDeny;
    }
    if (icontains(f.msg, "Detection Alert") || icontains(f.msg, "Prevention Alert") ||
        icontains(f.msg, "port scan")) {
        return icontains(f.msg, "Prevention") ? core::Action::kDrop : core::Action::kAlert;
    }
    if (icontains(f.msg, "Connection Opened") || icontains(f.msg, "Connection Closed")) {
        return core::Action::kAllow;
    }
    return core::Action::kUnknown;
}

void classify(const Fields& f, const ParseContext& ctx, core::Event& out) {
    if (icontains(f.msg, "IPS") || icontains(f.msg, "port scan") ||
        icontains(f.msg, "IDP")) {
        out.category = core::Category::kIds;
    } else if (icontains(f.msg, "Anti-Virus") || icontains(f.msg, "Capture ATP")) {
        out.category = core::Category::kAv;
    } else if (icontains(f.msg, "Anti-Spam")) {
        out.category = core::Category::kSpam;
    }
    bool login = icontains(f.msg, "login") || icontains(f.msg, "logged") ||
                 icontains(f.msg, "authentication");
    if (login) {
        out.category = core::Category::kAuth;
        if (icontains(f.msg, "denied") || icontains(f.msg, "fail") ||
            icontains(f.msg, "bad") || icontains(f.msg, "invalid")) {
            out.outcome = core::Outcome::kFailure;
        } else if (icontains(f.msg, "allowed") || icontains(f.msg, "success") ||
                   icontains(f.msg, "logged in")) {
            out.outcome = core::Outcome::kSuccess;
        }
    }
    if (!f.usr.empty()) out.user_hash = hash_identity(ctx, f.usr);
}

void fill(const Fields& f, const ParseContext& ctx, core::Event& out) {
    out.observer_vendor = "SonicWall";
    out.observer_product = "SonicOS";
    if (!f.id.empty()) out.observer_name.assign(f.id);
    if (!f.sn.empty()) out.observer_serial.assign(f.sn);
    if (f.time.size() >= 19) {
        if (auto wall = fgutil::civil_date_time_ns(f.time.substr(0, 10), f.time.substr(11, 8))) {
            out.time_ns = f.time.ends_with("UTC") ? *wall : ctx.tz.local_to_utc(*wall);
        }
    }
    std::string_view sport = f.spt;
    std::string_view dport = f.dpt;
    std::string_view sif = f.srcif;
    std::string_view dif = f.dstif;
    read_endpoint(f.src, out.src_ip, sport, sif);
    read_endpoint(f.dst, out.dst_ip, dport, dif);
    if (auto p = to_port(trim(sport))) out.set_src_port(*p);
    if (auto p = to_port(trim(dport))) out.set_dst_port(*p);
    if (!sif.empty()) out.ingress_interface.assign(sif);
    if (!dif.empty()) out.egress_interface.assign(dif);
    // proto=tcp/https, udp/53, icmp
    Cursor pc(f.proto);
    std::string_view transport = pc.token('/');
    out.set_transport(core::transport_from_name(transport));
    std::string_view service = pc.rest();
    if (!service.empty() && !to_uint<unsigned>(service)) out.app_protocol.assign(service);
    if (auto v = to_uint<std::uint64_t>(f.sent)) out.set_src_bytes(*v);
    if (auto v = to_uint<std::uint64_t>(f.rcvd)) out.set_dst_bytes(*v);
    if (auto v = to_uint<std::uint64_t>(f.spkt)) out.set_src_packets(*v);
    if (auto v = to_uint<std::uint64_t>(f.rpkt)) out.set_dst_packets(*v);
    out.event_code.assign(f.m);
    out.rule_name.assign(f.rule);
    out.action = action_of(f);
    static constexpr std::string_view kBySyslog[] = {"emergency", "alert", "critical", "error",
                                                     "warning", "notice", "info", "debug"};
    if (auto p = to_uint<unsigned>(f.pri); p && *p < 8) {
        out.severity = severity_from_word(kBySyslog[*p]);
    } else if (auto n = to_uint<unsigned>(f.cef_severity)) {
        out.severity = *n >= 9   ? core::Severity::kCritical
                       : *n >= 7 ? core::Severity::kHigh
                       : *n >= 4 ? core::Severity::kMedium
                                 : core::Severity::kLow;
    }
    classify(f, ctx, out);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    Fields f;
    std::string_view key;
    std::string_view value;
    auto cef = cef::split_envelope(msg.raw, "CEF:", 7);
    if (cef && iequals(cef->vendor, "SonicWall")) {
        f.m = cef->event_id;
        f.msg = cef->name;
        f.cef_severity = cef->severity;
        cef::ExtReader r(cef->extension);
        while (r.next(key, value)) {
            set_field(f, key, unquote(value));
        }
    } else {
        KvReader r(msg.raw);
        while (r.next(key, value)) {
            set_field(f, key, value);
        }
        if (f.m.empty() && f.sn.empty()) {
            return core::fail(core::Error::parse("no m= or sn= field", "m", 0));
        }
    }
    fill(f, ctx, out);
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.outcome == core::Outcome::kUnknown) {
        return Disposition::kIgnored;  // system status, licence, configuration notices
    }
    return Disposition::kEvent;
}

}  // namespace

const Format& sonicwall() {
    static const Format kFormat{kName, "SonicWall SonicOS syslog key=value and CEF", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
