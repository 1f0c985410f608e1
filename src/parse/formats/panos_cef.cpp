// PAN-OS CEF ("CEF:0|Palo Alto Networks|PAN-OS|…" from the firewall's CEF profile, or
// "…|LF|2.0|…" from Strata Logging Service). Header: signature id = log type, name = subtype.
#include <array>

#include "core/time.h"
#include "parse/cef_reader.h"
#include "parse/formats/panos_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::panos_detail {

namespace {

// cs1..cs6 and cn1..cn3 take their meaning from their labels.
struct Labeled {
    std::array<std::string_view, 7> cs{};
    std::array<std::string_view, 7> cs_label{};
    std::array<std::string_view, 4> cn{};
    std::array<std::string_view, 4> cn_label{};

    // "cs3" → 3; "cs3Label" → 3 with label = true; 0 if neither.
    static unsigned index(std::string_view key, std::string_view prefix, std::size_t max,
                          bool& label) {
        if (!key.starts_with(prefix) || key.size() < prefix.size() + 1) {
            return 0;
        }
        char d = key[prefix.size()];
        if (d < '1' || static_cast<std::size_t>(d - '0') >= max) {
            return 0;
        }
        std::string_view tail = key.substr(prefix.size() + 1);
        label = tail == "Label";
        return tail.empty() || label ? static_cast<unsigned>(d - '0') : 0;
    }
    bool take(std::string_view key, std::string_view value) {
        bool label = false;
        if (unsigned i = index(key, "cs", cs.size(), label)) {
            (label ? cs_label[i] : cs[i]) = value;
            return true;
        }
        if (unsigned i = index(key, "cn", cn.size(), label)) {
            (label ? cn_label[i] : cn[i]) = value;
            return true;
        }
        return false;
    }
    [[nodiscard]] std::string_view cs_named(std::string_view label) const {
        for (std::size_t i = 1; i < cs.size(); ++i) {
            if (cs_label[i] == label) {
                return cs[i];
            }
        }
        return {};
    }
    [[nodiscard]] std::string_view cn_named(std::string_view label) const {
        for (std::size_t i = 1; i < cn.size(); ++i) {
            if (cn_label[i] == label) {
                return cn[i];
            }
        }
        return {};
    }
};

struct Collected {
    Labeled labeled;
    std::string_view rt, dtz, threat, status, severity, user, hip;
};

template <typename F>
void if_num(std::string_view s, F&& set) {
    if (auto v = to_uint<std::uint64_t>(s)) {
        set(*v);
    }
}

void take(std::string_view k, std::string_view v, Collected& c, const ParseContext& ctx,
          core::Event& out) {
    if (c.labeled.take(k, v)) {
        return;
    }
    if (k == "src" || k == "PanOSPublicIPv4" || k == "PanOSSourceIP") {
        if (!out.src_ip.is_set()) {
            set_ip(v, out.src_ip);
        }
    } else if (k == "dst") {
        set_ip(v, out.dst_ip);
    } else if (k == "spt") {
        if (auto p = to_port(v)) out.set_src_port(*p);
    } else if (k == "dpt") {
        if (auto p = to_port(v)) out.set_dst_port(*p);
    } else if (k == "proto") {
        if (auto t = core::transport_from_name(v); t != core::Transport::kUnknown) {
            out.set_transport(t);
        }
    } else if (k == "act") {
        out.action = action_from_pan(v);
    } else if (k == "rt") {
        c.rt = v;
    } else if (k == "dtz") {
        c.dtz = v;
    } else if (k == "deviceExternalId" || k == "PanOSDeviceSN") {
        out.observer_serial = v;
    } else if (k == "dvchost" || k == "PanOSDeviceName") {
        set_observer_name(v, ctx, out);
    } else if (k == "deviceInboundInterface" || k == "PanOSInboundInterface") {
        out.ingress_interface = v;
    } else if (k == "deviceOutboundInterface" || k == "PanOSOutboundInterface") {
        out.egress_interface = v;
    } else if (k == "in") {
        if_num(v, [&](std::uint64_t n) { out.set_src_bytes(n); });
    } else if (k == "out") {
        if_num(v, [&](std::uint64_t n) { out.set_dst_bytes(n); });
    } else if (k == "PanOSBytes") {
        if_num(v, [&](std::uint64_t n) { out.set_bytes(n); });
    } else if (k == "PanOSPacketsSent") {
        if_num(v, [&](std::uint64_t n) { out.set_src_packets(n); });
    } else if (k == "PanOSPacketsReceived") {
        if_num(v, [&](std::uint64_t n) { out.set_dst_packets(n); });
    } else if (k == "app" || k == "PanOSApplication") {
        out.app_protocol = v;
    } else if (k == "PanOSThreatID") {
        c.threat = v;
    } else if (k == "PanOSSeverity") {
        c.severity = v;
    } else if (k == "PanOSEventStatus") {
        c.status = v;
    } else if (k == "PanOSSourceUserName" || k == "suser" || k == "duser0") {
        if (c.user.empty()) c.user = v;
    } else if (k == "cat") {
        c.hip = v;
    }
}

void finish(std::string_view type, std::string_view subtype, const Collected& c,
            const ParseContext& ctx, core::Event& out) {
    if (auto t = cef::parse_time(c.rt, ctx.reference_ns)) {
        out.time_ns = t->utc || c.dtz == "UTC" ? t->ns : ctx.tz.local_to_utc(t->ns);
    }
    const Labeled& l = c.labeled;
    out.rule_name = l.cs_named("Rule");
    if (auto v = to_uint<std::uint64_t>(l.cn_named("PacketsTotal"))) {
        out.set_packets(*v);
    }
    if (auto v = to_uint<std::uint32_t>(l.cn_named("SessionDuration"))) {
        out.set_duration_ns(static_cast<std::int64_t>(*v) * core::kNanosPerSecond);
    }
    if (type == "THREAT") {
        std::string_view name;
        std::string_view id;
        split_threat(c.threat, name, id);
        if (!name.empty()) {
            out.rule_ruleset = out.rule_name;
            out.rule_name = name;
            out.rule_id = id;
        }
        out.severity = severity_from_word(c.severity);
    }
    if (type == "HIPMATCH") {
        out.rule_name = c.hip;
    }
    if (c.status == "success") {
        out.outcome = core::Outcome::kSuccess;
    } else if (c.status == "failure") {
        out.outcome = core::Outcome::kFailure;
    } else if (type == "USERID" && subtype == "login") {
        out.outcome = core::Outcome::kSuccess;
    }
    if (out.category == core::Category::kAuth && !c.user.empty()) {
        out.user_hash = hash_identity(ctx, trim(c.user));
    }
}

}  // namespace

core::Result<Disposition> parse_cef(std::string_view cef, const ParseContext& ctx,
                                    core::Event& out) {
    std::array<std::string_view, 7> h{};
    std::string_view ext;
    if (cef::split_header(cef, h, ext) < h.size()) {
        return core::fail(core::Error::parse("PAN-OS CEF header truncated", "header", cef.size()));
    }
    std::string_view type = h[4];
    std::string_view subtype = h[5];
    set_type_category(type, subtype, out);
    out.event_code = subtype.empty() ? type : subtype;
    Collected c;
    cef::ExtReader rd(ext);
    std::string_view k;
    std::string_view v;
    while (rd.next(k, v)) {
        take(k, v, c, ctx, out);
    }
    finish(type, subtype, c, ctx, out);
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.outcome == core::Outcome::kUnknown) {
        return Disposition::kIgnored;
    }
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::panos_detail
