// Clavister cOS Core (NetWall) syslog: "[2019-05-17 10:31:42] EFW: CONN: prio=1 id=00600001
// rev=1 event=conn_open action=allow rule=… connipproto=TCP connsrcip=… …", and the bracketed
// form some collectors produce ("id=600001 event=conn_open [message=…][rules rule=…][conn …]").
// See docs/formats/clavister.md.
#include <algorithm>
#include <array>
#include <optional>

#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using core::Category;
using core::Event;
using core::Outcome;

struct Fields {
    std::string_view id, event, action, rule, prio;
    std::string_view conn_proto, conn_src, conn_sport, conn_dst, conn_dport, conn_in, conn_out;
    std::string_view ipproto, src, sport, dst, dport, recvif;
    std::string_view ipaddr, client_ip, local_ip, remote_ip, server;
    std::string_view origsent, termsent, user;
};

struct Key {
    std::string_view name;
    std::string_view Fields::*field;
};

constexpr std::array<Key, 31> kKeys = {{
    {"id", &Fields::id},
    {"event", &Fields::event},
    {"action", &Fields::action},
    {"rule", &Fields::rule},
    {"prio", &Fields::prio},
    {"connipproto", &Fields::conn_proto},
    {"connsrcip", &Fields::conn_src},
    {"connsrcport", &Fields::conn_sport},
    {"conndestip", &Fields::conn_dst},
    {"conndestport", &Fields::conn_dport},
    {"connrecvif", &Fields::conn_in},
    {"conndestif", &Fields::conn_out},
    {"ipproto", &Fields::ipproto},
    {"protocol", &Fields::ipproto},
    {"srcip", &Fields::src},
    {"srcport", &Fields::sport},
    {"destip", &Fields::dst},
    {"destport", &Fields::dport},
    {"recvif", &Fields::recvif},
    {"ipaddr", &Fields::ipaddr},
    {"client_ip", &Fields::client_ip},
    {"local_ip", &Fields::local_ip},
    {"remote_ip", &Fields::remote_ip},
    {"server", &Fields::server},
    {"origsent", &Fields::origsent},
    {"termsent", &Fields::termsent},
    {"username", &Fields::user},
    {"user", &Fields::user},
    {"srcusername", &Fields::user},
    {"destusername", &Fields::user},
    {"origsent_bytes", &Fields::origsent},
}};

// Strips the '[' and ']' of the bracketed form that stick to keys ("]algmod", "[message").
std::string_view clean_key(std::string_view k) {
    while (!k.empty() && (k.front() == '[' || k.front() == ']')) {
        k.remove_prefix(1);
    }
    return k;
}

void read_fields(std::string_view kv, Fields& f) {
    KvReader r(kv);
    std::string_view k;
    std::string_view v;
    while (r.next(k, v)) {
        k = clean_key(k);
        for (const auto& key : kKeys) {
            if (key.name == k) {
                // First occurrence wins: nested sections repeat names ("event=" in dynrouting).
                if ((f.*key.field).empty()) {
                    f.*key.field = v;
                }
                break;
            }
        }
    }
}

std::string_view first(std::string_view a, std::string_view b) {
    return a.empty() ? b : a;
}

// The start of the key=value part: after "EFW: <CATEGORY>: ", or the "id=" of the bracketed form.
std::string_view kv_part(const SyslogMessage& msg, std::string_view& category) {
    std::string_view s = msg.app_name == "EFW" ? msg.msg : msg.content;
    if (msg.app_name != "EFW") {
        std::size_t efw = s.find("EFW: ");
        if (efw != std::string_view::npos) {
            s = s.substr(efw + 5);
        } else if (s.starts_with("id=")) {
            return s;
        } else {
            return {};
        }
    }
    std::size_t colon = s.find(": ");
    if (colon != std::string_view::npos && colon < 24 &&
        s.substr(0, colon).find('=') == std::string_view::npos) {
        category = s.substr(0, colon);
        s = s.substr(colon + 2);
    }
    return s;
}

int probe(const SyslogMessage& msg) {
    std::string_view c = msg.content;
    bool efw = msg.app_name == "EFW" || c.find("EFW: ") != std::string_view::npos;
    bool ids = c.find(" id=") != std::string_view::npos || c.starts_with("id=");
    bool event = c.find(" event=") != std::string_view::npos;
    if (efw && ids && event) {
        return 95;
    }
    if (c.starts_with("id=") && event && c.find(" [message=") != std::string_view::npos) {
        return 85;  // the bracketed form
    }
    if (c.starts_with("id=") && event && c.size() > 3 && c[3] >= '0' && c[3] <= '9' &&
        c.find(" message=") != std::string_view::npos) {
        return 75;
    }
    if (efw) {
        return 40;
    }
    return 0;
}

// "1234", "59.0", "4.52 K", "1.2 M" as cOS Core prints connection byte counts.
std::optional<std::uint64_t> read_amount(std::string_view line, std::string_view v) {
    std::size_t dot = v.find('.');
    auto whole = to_uint<std::uint64_t>(v.substr(0, dot));
    if (!whole) {
        return std::nullopt;
    }
    std::uint64_t frac = 0;
    std::uint64_t scale = 1;
    if (dot != std::string_view::npos) {
        std::string_view f = v.substr(dot + 1, 3);
        auto n = to_uint<std::uint64_t>(f);
        if (!n) {
            return std::nullopt;
        }
        frac = *n;
        for (std::size_t i = 0; i < f.size(); ++i) {
            scale *= 10;
        }
    }
    std::uint64_t unit = 1;
    std::size_t end = static_cast<std::size_t>(v.data() - line.data()) + v.size();
    std::string_view after = line.substr(std::min(end, line.size()));
    if (after.starts_with(" K") && (after.size() == 2 || after[2] == ' ')) {
        unit = 1000;
    } else if (after.starts_with(" M") && (after.size() == 2 || after[2] == ' ')) {
        unit = 1000 * 1000;
    } else if (after.starts_with(" G") && (after.size() == 2 || after[2] == ' ')) {
        unit = 1000 * 1000 * 1000;
    }
    return *whole * unit + frac * unit / scale;
}

std::size_t offset_in(std::string_view line, std::string_view v) {
    auto off = static_cast<std::size_t>(v.data() - line.data());
    return off <= line.size() ? off : core::Error::kNoOffset;
}

core::Result<bool> set_ip(std::string_view line, std::string_view v, std::string_view name,
                          core::IpAddress& dst) {
    if (v.empty()) {
        return false;
    }
    auto ip = core::IpAddress::parse(v);
    if (!ip) {
        return core::fail(core::Error::parse("not an IP address", name, offset_in(line, v)));
    }
    dst = *ip;
    return true;
}

bool has(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
}

Category category_of(std::string_view cat, std::string_view event) {
    if (iequals(cat, "IDP") || iequals(cat, "IPS") || iequals(cat, "THRESHOLD") ||
        iequals(cat, "ZONEDEFENSE")) {
        return Category::kIds;
    }
    if (iequals(cat, "ANTIVIRUS") || has(event, "virus")) {
        return Category::kAv;
    }
    if (iequals(cat, "ANTISPAM") || has(event, "spam")) {
        return Category::kSpam;
    }
    if (iequals(cat, "USERAUTH") || iequals(cat, "SSLVPN") || event.starts_with("user_") ||
        event.starts_with("oneconnect_") || event.starts_with("bad_user") ||
        event.starts_with("admin_")) {
        return Category::kAuth;
    }
    return Category::kFirewall;
}

Outcome outcome_of(std::string_view event) {
    if (has(event, "fail") || has(event, "bad_") || has(event, "reject") || has(event, "denied") ||
        has(event, "disallowed")) {
        return Outcome::kFailure;
    }
    if (has(event, "login") || has(event, "logged_in") || has(event, "session_created") ||
        has(event, "reconnected")) {
        return Outcome::kSuccess;
    }
    return Outcome::kUnknown;
}

core::Result<bool> set_endpoints(std::string_view line, const Fields& f, Event& out) {
    std::string_view src =
        first(first(f.conn_src, f.src), first(f.ipaddr, first(f.client_ip, f.local_ip)));
    std::string_view dst = first(first(f.conn_dst, f.dst), first(f.remote_ip, f.server));
    auto s = set_ip(line, src, "connsrcip", out.src_ip);
    if (!s) {
        return s;
    }
    auto d = set_ip(line, dst, "conndestip", out.dst_ip);
    if (!d) {
        return d;
    }
    std::string_view sport = first(f.conn_sport, f.sport);
    std::string_view dport = first(f.conn_dport, f.dport);
    if (!sport.empty()) {
        auto p = to_port(sport);
        if (!p) {
            return core::fail(
                core::Error::parse("not a port", "connsrcport", offset_in(line, sport)));
        }
        out.set_src_port(*p);
    }
    if (!dport.empty()) {
        auto p = to_port(dport);
        if (!p) {
            return core::fail(
                core::Error::parse("not a port", "conndestport", offset_in(line, dport)));
        }
        out.set_dst_port(*p);
    }
    return *s || *d;
}

void set_protocol(std::string_view proto, Event& out) {
    if (auto n = to_uint<std::uint8_t>(proto)) {
        out.set_ip_protocol(*n);
    } else if (auto t = core::transport_from_name(proto); t != core::Transport::kUnknown) {
        out.set_transport(t);
    }
}

core::Action action_of(std::string_view action) {
    if (action.starts_with("allow")) {
        return core::Action::kAllow;  // "allow", "allow_processing"
    }
    return action_from_word(action);
}

void set_time(std::string_view s, const ParseContext& ctx, Event& out) {
    // "[2019-05-17 10:31:42] EFW: …" — the device's local time.
    std::size_t open = s.find('[');
    if (open == std::string_view::npos || open > 8) {
        return;
    }
    if (auto t = core::parse_iso8601(s.substr(open + 1)); t && t->consumed >= 19) {
        out.time_ns = t->has_zone ? t->ns : ctx.tz.local_to_utc(t->ns);
    }
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "clavister", out);
    out.observer_vendor.assign("Clavister");
    out.observer_product.assign("NGFW");  // Clavister NGFW, running cOS Core
    std::string_view category;
    std::string_view kv = kv_part(msg, category);
    if (kv.empty()) {
        return core::fail(core::Error::parse("no EFW: marker or id= field", "EFW", 0));
    }
    if (!msg.has_time) {
        set_time(msg.content, ctx, out);
    }
    Fields f;
    read_fields(kv, f);
    if (f.id.empty() || f.event.empty()) {
        return core::fail(core::Error::parse("missing id= or event=", f.id.empty() ? "id" : "event",
                                             offset_in(msg.raw, kv)));
    }
    out.event_code.assign(f.id);
    out.category = category_of(category, f.event);
    auto any = set_endpoints(msg.raw, f, out);
    if (!any) {
        return core::fail(any.error());
    }
    if (out.category == Category::kAuth) {
        out.outcome = outcome_of(f.event);
    }
    if (!*any && out.outcome == Outcome::kUnknown) {
        return Disposition::kIgnored;  // routing, HA, DNS cache, policy updates …
    }
    set_protocol(first(f.conn_proto, f.ipproto), out);
    out.action = action_of(f.action);
    if (out.action == core::Action::kUnknown && out.category == Category::kIds) {
        out.action = core::Action::kAlert;
    }
    out.rule_name.assign(f.rule);
    out.ingress_interface.assign(first(f.conn_in, f.recvif));
    out.egress_interface.assign(f.conn_out);
    out.severity = f.prio.empty() ? core::Severity::kUnknown : severity_from_word(f.prio);
    if (auto n = f.origsent.empty() ? std::nullopt : read_amount(msg.raw, f.origsent)) {
        out.set_src_bytes(*n);
    }
    if (auto n = f.termsent.empty() ? std::nullopt : read_amount(msg.raw, f.termsent)) {
        out.set_dst_bytes(*n);
    }
    if (!f.user.empty()) {
        out.user_hash = hash_identity(ctx, f.user);
    }
    return Disposition::kEvent;
}

}  // namespace

const Format& clavister() {
    static const Format kFormat{"clavister", "Clavister cOS Core (EFW) key=value syslog", probe,
                                parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
