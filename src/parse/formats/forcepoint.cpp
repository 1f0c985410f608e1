// Forcepoint NGFW (formerly Stonesoft) logs exported as LEEF
// ("LEEF:1.0|Forcepoint|Firewall|7.1.5|Connection_Allowed|src=…<TAB>dst=…") or CEF
// ("CEF:0|FORCEPOINT|Firewall|6.8.6|70018|Connection_Allowed|0|src=… dst=…").
// See docs/formats/forcepoint.md.
#include <array>

#include "parse/cef_reader.h"
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

bool split(std::string_view raw, Header& h) {
    if (std::size_t p = raw.find(cef::kLeefMarker); p != std::string_view::npos) {
        std::string_view s = raw.substr(p + cef::kLeefMarker.size());
        std::array<std::string_view, 6> f{};
        std::string_view rest;
        bool v2 = s.starts_with("2");
        std::size_t want = v2 ? 6 : 5;
        if (cef::split_header(s, std::span(f).first(want), rest) < want || !is_vendor(f[1])) {
            return false;
        }
        char delim = v2 ? cef::leef_delimiter(f[5]).value_or('\t') : '\t';
        h = {true, f[2], f[3], f[4], f[4], rest, delim};
        return true;
    }
    std::size_t p = cef::find_cef(raw);
    if (p == std::string_view::npos) {
        return false;
    }
    std::array<std::string_view, 7> f{};
    std::string_view rest;
    if (cef::split_header(raw.substr(p), f, rest) < f.size() || !is_vendor(f[1])) {
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
    // An address that does not parse is left unset rather than failing the line: the other
    // attributes of a Forcepoint record are still worth having.
    std::string_view bad;
    if (cef::apply_network(k, v, out, bad)) {
        return;
    }
    if (k == "act" || k == "action") {
        c.action = v;
    } else if (k == "rt" || k == "devTime") {
        c.time = v;
    } else if (k == "srcIfName") {
        out.ingress_interface = v;
    } else if (k == "dstIfName") {
        out.egress_interface = v;
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
        cef::LeefReader rd(h.ext, h.delim);
        while (rd.next(k, v)) {
            take(k, v, c, ctx, out);
        }
    } else {
        cef::ExtReader rd(h.ext);
        while (rd.next(k, v)) {
            take(k, v, c, ctx, out);
        }
    }
    out.action = c.action.empty() ? action_from_event(h.event_name) : action_from_fp(c.action);
    if (auto t = cef::parse_device_time(c.time, ctx.tz, ctx.reference_ns)) {
        out.time_ns = *t;
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
