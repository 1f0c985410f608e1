#include "parse/formats/fortigate_fields.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "parse/formats/fortigate_util.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::fortigate_detail {

namespace {

using namespace fgutil;  // NOLINT(google-build-using-namespace): private helpers

using Member = std::string_view Fields::*;
using Entry = std::pair<std::string_view, Member>;

// Native FortiOS keys (and the FortiADC/FortiAuthenticator spellings), sorted for search.
constexpr std::array<Entry, 56> kNative = {{
    {"action", &Fields::action},       {"attack", &Fields::attack},
    {"cat", &Fields::cat},             {"date", &Fields::date},
    {"device_id", &Fields::devid},     {"devid", &Fields::devid},
    {"devname", &Fields::devname},     {"dst", &Fields::dstip},
    {"dst_port", &Fields::dstport},    {"dstintf", &Fields::dstintf},
    {"dstip", &Fields::dstip},         {"dstport", &Fields::dstport},
    {"duration", &Fields::duration},   {"eventtime", &Fields::eventtime},
    {"eventtype", &Fields::eventtype}, {"ibytes", &Fields::rcvdbyte},
    {"icmpcode", &Fields::icmpcode},   {"icmptype", &Fields::icmptype},
    {"level", &Fields::level},         {"locip", &Fields::locip},
    {"locport", &Fields::locport},     {"log_id", &Fields::logid},
    {"logdesc", &Fields::logdesc},     {"logid", &Fields::logid},
    {"obytes", &Fields::sentbyte},     {"outcome", &Fields::status},
    {"policy", &Fields::policyname},   {"policyid", &Fields::policyid},
    {"policyname", &Fields::policyname}, {"pri", &Fields::level},
    {"proto", &Fields::proto},         {"rcvdbyte", &Fields::rcvdbyte},
    {"rcvdpkt", &Fields::rcvdpkt},     {"remip", &Fields::remip},
    {"remport", &Fields::remport},     {"sentbyte", &Fields::sentbyte},
    {"sentpkt", &Fields::sentpkt},     {"service", &Fields::service},
    {"severity", &Fields::severity},   {"sproc", &Fields::sproc},
    {"src", &Fields::srcip},           {"src_port", &Fields::srcport},
    {"srcintf", &Fields::srcintf},     {"srcip", &Fields::srcip},
    {"srcport", &Fields::srcport},     {"start", &Fields::start},
    {"status", &Fields::status},       {"subtype", &Fields::subtype},
    {"time", &Fields::time},           {"timestamp", &Fields::timestamp},
    {"type", &Fields::type},
    {"tz", &Fields::tz},               {"ui", &Fields::ui},
    {"user", &Fields::user},           {"userip", &Fields::userip},
    {"virus", &Fields::virus},
}};

// CEF dictionary names FortiOS uses for its own fields.
constexpr std::array<Entry, 18> kCef = {{
    {"act", &Fields::action},
    {"app", &Fields::service},
    {"cat", &Fields::cat},
    {"deviceExternalId", &Fields::devid},
    {"deviceInboundInterface", &Fields::srcintf},
    {"deviceOutboundInterface", &Fields::dstintf},
    {"deviceSeverity", &Fields::level},
    {"dpt", &Fields::dstport},
    {"dst", &Fields::dstip},
    {"duser", &Fields::user},
    {"dvchost", &Fields::devname},
    {"in", &Fields::rcvdbyte},
    {"out", &Fields::sentbyte},
    {"outcome", &Fields::status},
    {"sproc", &Fields::sproc},
    {"spt", &Fields::srcport},
    {"src", &Fields::srcip},
    {"suser", &Fields::user},
}};

constexpr bool by_key(const Entry& a, const Entry& b) { return a.first < b.first; }
static_assert(std::is_sorted(kNative.begin(), kNative.end(), by_key));
static_assert(std::is_sorted(kCef.begin(), kCef.end(), by_key));
static_assert(kNative.back().first == "virus" && kCef.back().first == "suser");

template <std::size_t N>
const Entry* lookup(const std::array<Entry, N>& table, std::string_view key) {
    auto it = std::lower_bound(table.begin(), table.end(), key,
                               [](const Entry& e, std::string_view k) { return e.first < k; });
    return it != table.end() && it->first == key ? &*it : nullptr;
}

bool usable(std::string_view v) { return !v.empty() && v != "N/A" && v != "n/a"; }

// One class per FortiOS log (sub)type, for verdict and category.
enum class Kind { kTraffic, kIds, kAv, kSpam, kUtm, kEvent };

bool either_is(const Fields& f, std::string_view w) {
    return iequals(f.type, w) || iequals(f.subtype, w);
}

Kind kind_of(const Fields& f) {
    if (either_is(f, "traffic")) return Kind::kTraffic;
    if (either_is(f, "virus")) return Kind::kAv;
    if (either_is(f, "ips") || either_is(f, "anomaly") || either_is(f, "waf") ||
        either_is(f, "dlp")) {
        return Kind::kIds;
    }
    if (either_is(f, "emailfilter") || either_is(f, "spam")) return Kind::kSpam;
    if (iequals(f.type, "event")) return Kind::kEvent;
    return Kind::kUtm;
}

core::Action map_action(Kind kind, std::string_view a) {
    using core::Action;
    if (a.empty()) {
        return Action::kUnknown;
    }
    bool dropped = iequals(a, "dropped") || iequals(a, "drop") || iequals(a, "clear_session");
    if (dropped) {
        return Action::kDrop;
    }
    if (kind == Kind::kTraffic) {
        // Session-end verdicts (close, timeout, client-rst …) describe an allowed session.
        if (iequals(a, "deny") || iequals(a, "blocked")) return Action::kDeny;
        return Action::kAllow;
    }
    if (kind == Kind::kIds || kind == Kind::kAv || kind == Kind::kSpam) {
        // A detection that let the traffic through is an alert, not an allow.
        if (iequals(a, "pass") || iequals(a, "passthrough") || iequals(a, "detected") ||
            iequals(a, "monitored") || iequals(a, "log-only") || iequals(a, "allow")) {
            return Action::kAlert;
        }
        if (iequals(a, "reset")) return Action::kReject;
    }
    return action_from_word(a);
}

core::Severity severity_of(const Fields& f) {
    auto s = severity_from_word(f.severity);
    if (s == core::Severity::kUnknown) s = severity_from_word(f.level);
    if (s == core::Severity::kUnknown && !f.cef_severity.empty()) {
        auto n = to_uint<unsigned>(f.cef_severity);
        if (n) {
            if (*n >= 9) return core::Severity::kCritical;
            if (*n >= 7) return core::Severity::kHigh;
            if (*n >= 4) return core::Severity::kMedium;
            return core::Severity::kLow;
        }
    }
    return s;
}

// "Mar 06 2025 13:38:52" (CEF start) → wall-clock ns.
std::optional<std::int64_t> cef_start_ns(std::string_view s) {
    if (s.size() < 20 || s[3] != ' ' || s[6] != ' ' || s[11] != ' ') {
        return std::nullopt;
    }
    int month = core::month_from_abbrev(s.substr(0, 3));
    auto day = to_uint<unsigned>(s.substr(4, 2));
    if (month == 0 || !day) {
        return std::nullopt;
    }
    char date[10] = {s[7], s[8], s[9], s[10], '-', static_cast<char>('0' + month / 10),
                     static_cast<char>('0' + month % 10), '-', s[4], s[5]};
    return civil_date_time_ns(std::string_view(date, 10), s.substr(12, 8));
}

// eventtime is an absolute instant and the most precise stamp; date/time with tz is the
// device's wall clock with its offset. Prefer the wall clock when tz is given and it
// disagrees with eventtime (some firmware writes eventtime in local time), else eventtime.
void set_time(const Fields& f, const ParseContext& ctx, core::Event& out) {
    // timestamp= is when FortiAnalyzer/FortiAuthenticator received it: a last resort.
    auto ev = epoch_to_ns(f.eventtime.empty() ? f.timestamp : f.eventtime);
    std::optional<std::int64_t> wall;
    if (!f.date.empty() && !f.time.empty()) {
        wall = civil_date_time_ns(unquote(f.date), unquote(f.time));
    } else if (!f.start.empty()) {
        wall = cef_start_ns(f.start);
    }
    auto off = f.tz.empty() ? std::nullopt : parse_utc_offset(f.tz);
    if (wall && off) {
        std::int64_t t = *wall - static_cast<std::int64_t>(*off) * core::kNanosPerSecond;
        std::int64_t diff = ev ? (*ev > t ? *ev - t : t - *ev) : 0;
        out.time_ns = ev && diff < 60 * core::kNanosPerSecond ? *ev : t;
    } else if (ev) {
        out.time_ns = *ev;
    } else if (wall) {
        out.time_ns = ctx.tz.local_to_utc(*wall);
    }
}

void set_address(std::string_view v, core::IpAddress& ip) {
    if (ip.is_set() || !usable(v)) {
        return;
    }
    if (auto a = core::IpAddress::parse(unquote(v))) {
        ip = *a;
    }
}

std::optional<std::uint8_t> small_number(std::string_view s) {
    if (s.starts_with("0x") || s.starts_with("0X")) {
        unsigned v = 0;
        auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
        if (ec != std::errc() || end != s.data() + s.size() || v > 255) {
            return std::nullopt;
        }
        return static_cast<std::uint8_t>(v);
    }
    return to_uint<std::uint8_t>(s);
}

void set_transport(const Fields& f, core::Event& out) {
    if (auto p = to_uint<unsigned>(f.proto); p && *p <= 255) {
        out.set_ip_protocol(*p);
    } else if (!f.proto.empty()) {
        out.set_transport(core::transport_from_name(f.proto));
    }
    bool icmp = out.transport == core::Transport::kIcmp || out.transport == core::Transport::kIcmpv6;
    if (!icmp) {
        return;
    }
    auto type = small_number(f.icmptype);
    auto code = small_number(f.icmpcode);
    if (!type) {
        // service "icmp/8/0" or "icmp6/143/0": type then code.
        Cursor c(f.service);
        std::string_view name = c.token('/');
        if (name.starts_with("icmp")) {
            type = to_uint<std::uint8_t>(c.token('/'));
            code = to_uint<std::uint8_t>(c.token('/'));
        }
    }
    if (type) out.set_icmp_type(*type);
    if (code) out.set_icmp_code(*code);
}

void set_app_protocol(std::string_view service, core::Event& out) {
    if (!usable(service) || service.find('/') != std::string_view::npos ||
        service.starts_with("tcp") || service.starts_with("udp") || service.size() > 32) {
        return;
    }
    out.app_protocol.assign(service);
    for (auto& ch : out.app_protocol) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
}

template <typename Setter>
void set_count(std::string_view v, Setter set) {
    if (auto n = to_uint<std::uint64_t>(v)) {
        set(*n);
    }
}

bool is_auth(const Fields& f) {
    return icontains(f.action, "login") || icontains(f.action, "logon") ||
           icontains(f.action, "logout") || icontains(f.action, "auth") ||
           icontains(f.logdesc, "login") || icontains(f.logdesc, "logout") ||
           icontains(f.logdesc, "authentication");
}

core::Outcome outcome_of(const Fields& f) {
    if (iequals(f.status, "success") || iequals(f.status, "succeeded")) {
        return core::Outcome::kSuccess;
    }
    if (iequals(f.status, "failure") || iequals(f.status, "failed") || icontains(f.action, "fail")) {
        return core::Outcome::kFailure;
    }
    if (icontains(f.logdesc, "fail")) return core::Outcome::kFailure;
    if (icontains(f.logdesc, "success")) return core::Outcome::kSuccess;
    return core::Outcome::kUnknown;
}

void set_source(const Fields& f, core::Event& out) {
    set_address(f.srcip, out.src_ip);
    set_address(f.remip, out.src_ip);
    set_address(f.userip, out.src_ip);
    for (std::string_view v : {f.ui, f.sproc}) {
        if (!out.src_ip.is_set() && usable(v)) {
            if (auto a = address_in_parens(v)) out.src_ip = *a;
        }
    }
    set_address(f.dstip, out.dst_ip);
    set_address(f.locip, out.dst_ip);
    auto sp = to_port(f.srcport.empty() ? f.remport : f.srcport);
    auto dp = to_port(f.dstport.empty() ? f.locport : f.dstport);
    if (sp) out.set_src_port(*sp);
    if (dp) out.set_dst_port(*dp);
}

}  // namespace

void set_native(Fields& f, std::string_view key, std::string_view value) {
    if (const Entry* e = lookup(kNative, key)) {
        auto& slot = f.*(e->second);
        if (slot.empty()) {
            slot = value;  // the first occurrence wins
        }
    }
}

void set_cef(Fields& f, std::string_view key, std::string_view value) {
    for (std::string_view prefix : {"FTNTFGT", "FortinetFortiGate", "FortinetFortigate"}) {
        if (key.starts_with(prefix) && key.size() > prefix.size()) {
            set_native(f, key.substr(prefix.size()), value);
            return;
        }
    }
    if (std::size_t dot = key.rfind('.'); dot != std::string_view::npos) {
        set_native(f, key.substr(dot + 1), value);  // "ad.policyid"
        return;
    }
    if (const Entry* e = lookup(kCef, key)) {
        auto& slot = f.*(e->second);
        if (slot.empty()) {
            slot = value;
        }
        return;
    }
    set_native(f, key, value);  // FortiOS 7 CEF writes some native names bare
}

core::Result<Disposition> fill(const Fields& in, const SyslogMessage&, const ParseContext& ctx,
                               core::Event& out) {
    Fields f = in;
    if (f.type.empty() && !f.cat.empty()) {
        // CEF "cat=utm:ips" / "traffic:forward" / "traffic".
        Cursor c(f.cat);
        f.type = c.token(':');
        if (f.subtype.empty()) f.subtype = c.rest();
    }
    out.observer_vendor = "Fortinet";
    out.observer_product = "FortiGate";
    if (usable(f.devname)) out.observer_name.assign(f.devname);
    if (usable(f.devid)) out.observer_serial.assign(f.devid);
    set_time(f, ctx, out);
    set_source(f, out);
    set_transport(f, out);

    Kind kind = kind_of(f);
    out.action = map_action(kind, f.action);
    out.severity = severity_of(f);
    out.event_code.assign(f.logid.empty() ? f.cef_id : f.logid);
    if (usable(f.policyid)) out.rule_id.assign(f.policyid);
    std::string_view rule_name = f.policyname;
    if (kind == Kind::kIds && usable(f.attack)) rule_name = f.attack;
    if (kind == Kind::kAv && usable(f.virus)) rule_name = f.virus;
    if (usable(rule_name)) out.rule_name.assign(rule_name);
    if (usable(f.srcintf)) out.ingress_interface.assign(f.srcintf);
    if (usable(f.dstintf)) out.egress_interface.assign(f.dstintf);
    set_app_protocol(f.service, out);

    set_count(f.sentbyte, [&](std::uint64_t v) { out.set_src_bytes(v); });
    set_count(f.rcvdbyte, [&](std::uint64_t v) { out.set_dst_bytes(v); });
    set_count(f.sentpkt, [&](std::uint64_t v) { out.set_src_packets(v); });
    set_count(f.rcvdpkt, [&](std::uint64_t v) { out.set_dst_packets(v); });
    if (auto d = to_uint<std::uint64_t>(f.duration); d && *d < (1ull << 32)) {
        out.set_duration_ns(static_cast<std::int64_t>(*d) * core::kNanosPerSecond);
    }
    if (usable(f.user)) out.user_hash = hash_identity(ctx, unquote(f.user));

    switch (kind) {
        case Kind::kAv: out.category = core::Category::kAv; break;
        case Kind::kIds: out.category = core::Category::kIds; break;
        case Kind::kSpam: out.category = core::Category::kSpam; break;
        default: out.category = core::Category::kFirewall; break;
    }
    bool auth = kind == Kind::kEvent && is_auth(f);
    if (auth) {
        out.category = core::Category::kAuth;
        out.outcome = outcome_of(f);
    }
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.outcome == core::Outcome::kUnknown) {
        return Disposition::kIgnored;  // configuration, health, DHCP, certificate notices
    }
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::fortigate_detail
