// Juniper SRX / Junos syslog: RT_FLOW session logs (RFC 5424 structured data and the text
// form), screens, IDP, UTM, firewall-filter logs, and the authentication events of the
// management plane. See docs/formats/juniper_srx.md.
#include "parse/formats/formats.h"
#include "parse/formats/juniper_srx_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using junos::Parts;

bool is_upper_id_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// A Junos event id: upper case, digits and '_', with at least one '_' ("UI_LOGIN_EVENT").
bool is_event_id(std::string_view s) {
    if (s.size() < 4 || s.size() > 64 || s[0] < 'A' || s[0] > 'Z') {
        return false;
    }
    bool underscore = false;
    for (char c : s) {
        if (!is_upper_id_char(c)) {
            return false;
        }
        underscore = underscore || c == '_';
    }
    return underscore;
}

// The event id at the start of `s` when followed by ':' or ' [' ; the rest goes to `rest`.
std::string_view leading_event_id(std::string_view s, std::string_view& rest) {
    std::size_t i = 0;
    while (i < s.size() && is_upper_id_char(s[i])) {
        ++i;
    }
    std::string_view id = s.substr(0, i);
    if (!is_event_id(id) || i >= s.size()) {
        return {};
    }
    if (s[i] == ':') {
        rest = trim(s.substr(i + 1));
        return id;
    }
    if (s[i] == ' ' && i + 1 < s.size() && s[i + 1] == '[') {
        rest = s.substr(i + 1);
        return id;
    }
    return {};
}

// Splits "[…]" off the front of `s` (quotes and \] respected).
std::string_view take_sd(std::string_view& s) {
    if (s.empty() || s[0] != '[') {
        return {};
    }
    bool quoted = false;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (s[i] == ']' && !quoted) {
            std::string_view sd = s.substr(0, i + 1);
            s = trim(s.substr(i + 1));
            return sd;
        }
    }
    std::string_view sd = s;  // unterminated: take it all, the reader is total
    s = {};
    return sd;
}

Parts split(const SyslogMessage& msg) {
    Parts p;
    p.line = msg.raw;
    p.tag = msg.app_name;
    p.body = msg.msg;
    if (msg.kind == SyslogKind::kRfc5424) {
        p.event_id = is_event_id(msg.msgid) ? msg.msgid : std::string_view();
        p.sd = msg.structured_data;
    }
    if (p.event_id.empty()) {
        std::string_view rest;
        if (auto id = leading_event_id(p.body, rest); !id.empty()) {
            p.event_id = id;
            p.body = rest;
        } else if (is_event_id(p.tag) && !p.tag.starts_with("RT_")) {
            p.event_id = p.tag;  // "RT_FLOW_SESSION_CREATE: session created …" with no facility
        } else if (p.tag.starts_with("RT_") && p.tag.find('_', 3) != std::string_view::npos) {
            p.event_id = p.tag;
        }
    }
    if (p.sd.empty()) {
        p.sd = take_sd(p.body);
    }
    return p;
}

bool contains(std::string_view s, std::string_view needle) {
    return s.find(needle) != std::string_view::npos;
}

// The firewall filter log "FW: <iface> <A|D|R> …" anywhere after the header.
std::string_view filter_log(const SyslogMessage& msg) {
    std::string_view c = msg.kind == SyslogKind::kNone ? msg.raw : msg.msg;
    if (c.starts_with("FW: ")) {
        return c.substr(4);
    }
    std::size_t p = c.find(" FW: ");
    if (p == std::string_view::npos) {
        p = c.find(": FW: ");
        if (p == std::string_view::npos) {
            return {};
        }
        return c.substr(p + 6);
    }
    return c.substr(p + 5);
}

// Junos daemons whose other messages are recognised (and ignored) in auto mode.
bool junos_daemon(std::string_view tag) {
    static constexpr std::string_view kDaemons[] = {
        "mgd",    "rpd",   "kmd",      "mib2d",  "rmopd",  "l2ald",  "chassisd",       "dcd",
        "eventd", "xntpd", "keyadmin", "jddosd", "alarmd", "craftd", "/usr/sbin/cron", "cosd",
        "pfed",   "snmpd", "flowd",    "srxpfe", "idpd",   "utmd",   "appidd",         "kmd"};
    for (auto d : kDaemons) {
        if (tag == d) {
            return true;
        }
    }
    return false;
}

int probe(const SyslogMessage& msg) {
    if (msg.kind == SyslogKind::kNone && msg.raw.starts_with(" ")) {
        std::string_view t = trim(msg.raw);
        return t.size() < msg.raw.size() ? probe(parse_syslog(t, 0)) : 0;
    }
    if (msg.structured_data.starts_with("[junos@")) {
        return 95;
    }
    std::string_view m = msg.kind == SyslogKind::kNone ? msg.raw : msg.content;
    if (contains(m, "RT_FLOW_SESSION_") || contains(m, "[junos@") || contains(m, "RT_SCREEN_") ||
        contains(m, "IDP_ATTACK_LOG_EVENT") || contains(m, "PFE_FW_SYSLOG")) {
        return 90;
    }
    if (contains(m, "AV_VIRUS_DETECTED") || contains(m, "ANTISPAM_SPAM_DETECTED") ||
        contains(m, "WEBFILTER_URL_") || msg.app_name.starts_with("RT_")) {
        return 80;
    }
    std::string_view tag = msg.app_name;
    std::string_view body = msg.msg;
    if (body.starts_with("UI_") || body.starts_with("SSHD_LOGIN_FAILED") ||
        body.starts_with("LOGIN_FAILED") || body.starts_with("LOGIN_INFORMATION") ||
        body.starts_with("KMD_") || tag.starts_with("UI_")) {
        return 80;
    }
    if (tag == "kernel" && !filter_log(msg).empty()) {
        return 70;
    }
    if (junos_daemon(tag) || (tag == "kernel" && body.starts_with("KERN_"))) {
        return 20;
    }
    if (m.starts_with("node") && contains(m.substr(0, 16), ".fpc")) {
        return 20;  // "node0.fpc1 gencfg …" from a chassis cluster member
    }
    return 0;
}

core::Result<Disposition> dispatch(const Parts& p, const SyslogMessage& msg,
                                   const ParseContext& ctx, core::Event& out) {
    std::string_view id = p.event_id;
    if (id.starts_with("RT_FLOW_SESSION_")) {
        return junos::parse_flow(p, out);
    }
    if (id.starts_with("RT_SCREEN_") || contains(id, "IDP_ATTACK_LOG") || id.starts_with("AV_") ||
        id.starts_with("ANTISPAM_") || id.starts_with("WEBFILTER_")) {
        return junos::parse_security(p, out);
    }
    if (auto fw = filter_log(msg); !fw.empty()) {
        return junos::parse_filter(fw, p, out);
    }
    auto auth = junos::parse_auth(p, ctx, out);
    if (!auth || *auth == Disposition::kEvent) {
        return auth;
    }
    if (p.tag.empty() && p.event_id.empty() && msg.kind == SyslogKind::kNone) {
        return core::fail(core::Error::parse("not a Junos syslog message", "tag", 0));
    }
    return Disposition::kIgnored;  // system, chassis, routing and other UI_* messages
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    if (msg.kind == SyslogKind::kNone && msg.raw.starts_with(" ")) {
        // Some relays prepend a space to the PRI; read the header once more without it.
        SyslogMessage again = parse_syslog(trim(msg.raw), ctx.reference_ns);
        if (again.kind != SyslogKind::kNone) {
            return parse(again, ctx, out);
        }
    }
    apply_header(msg, ctx, "juniper_srx", out);
    out.observer_vendor.assign("Juniper");
    out.observer_product.assign("SRX");
    Parts p = split(msg);
    out.event_code.assign(p.event_id);
    return dispatch(p, msg, ctx, out);
}

}  // namespace

const Format& juniper_srx() {
    static const Format kFormat{"juniper_srx",
                                "Juniper SRX / Junos: RT_FLOW, screens, IDP, UTM, filter and auth",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
