// Cisco ASA, Firepower Threat Defense and Firepower NGIPS syslog ("%ASA-6-302013: …").
//
// This file finds the message marker, reads what precedes it (the device's own time stamp,
// possibly with a zone abbreviation) and the severity and message id, then dispatches the
// body by id: traffic (cisco_asa_msgs.cpp), AAA/VPN (cisco_asa_auth.cpp) and unified events
// (cisco_asa_unified.cpp). See docs/formats/cisco_asa.md.
#include <array>

#include "parse/formats/cisco_asa_internal.h"
#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::size_t kMarkerWindow = 200;  // the marker sits near the start of the content

struct Product {
    std::string_view marker;
    std::string_view name;
};

// The full product name with the abbreviation the devices use.
constexpr std::array<Product, 5> kProducts = {{
    {"%ASA-", "Adaptive Security Appliance (ASA)"},
    {"%FTD-", "Firepower Threat Defense (FTD)"},
    {"%NGIPS-", "Secure IPS (NGIPS)"},
    {"%PIX-", "PIX"},
    {"%FWSM-", "Firewall Services Module (FWSM)"},
}};

struct Marker {
    std::size_t pos = std::string_view::npos;  // of the '%'
    std::size_t len = 0;
    std::string_view product;
};

Marker find_marker(std::string_view s) {
    Marker m;
    std::string_view window = s.substr(0, kMarkerWindow);
    for (std::size_t p = window.find('%'); p != std::string_view::npos;
         p = window.find('%', p + 1)) {
        std::string_view at = s.substr(p);
        for (const auto& prod : kProducts) {
            if (at.starts_with(prod.marker)) {
                m.pos = p;
                m.len = prod.marker.size();
                m.product = prod.name;
                return m;
            }
        }
    }
    return m;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Marker-less bodies (a collector that stripped the "%ASA-n-id:" prefix).
int probe_bare(std::string_view s) {
    if (asa::looks_like_vpn_body(s)) {
        return 45;
    }
    if (s.starts_with("Task ran for ") && s.find("Process = ") != std::string_view::npos) {
        return 30;
    }
    if (s.starts_with("Tunnel group search using certificate maps failed")) {
        return 30;
    }
    return 0;
}

int probe(const SyslogMessage& msg) {
    Marker m = find_marker(msg.content);
    if (m.pos == std::string_view::npos) {
        return probe_bare(msg.msg);
    }
    // "%ASA-6-302013" or "%ASA-auth-4-113004": a digit or facility word must follow.
    std::string_view rest = msg.content.substr(m.pos + m.len);
    if (rest.size() < 3) {
        return 10;
    }
    return 95;
}

struct ZoneAbbrev {
    std::string_view name;
    int offset_minutes;
};

// Abbreviations whose offset is unambiguous in practice on ASA ("clock timezone EDT -4").
constexpr std::array<ZoneAbbrev, 30> kZones = {{
    {"UTC", 0},        {"GMT", 0},        {"Z", 0},           {"WET", 0},
    {"WEST", 60},      {"BST", 60},       {"CET", 60},        {"MET", 60},
    {"CEST", 120},     {"MEST", 120},     {"EET", 120},       {"EEST", 180},
    {"MSK", 180},      {"EST", -300},     {"EDT", -240},      {"CST", -360},
    {"CDT", -300},     {"MST", -420},     {"MDT", -360},      {"PST", -480},
    {"PDT", -420},     {"AKST", -540},    {"AKDT", -480},     {"HST", -600},
    {"JST", 540},      {"KST", 540},      {"AEST", 600},      {"AEDT", 660},
    {"NZST", 720},     {"NZDT", 780},
}};

const ZoneAbbrev* find_zone(std::string_view s) {
    for (const auto& z : kZones) {
        if (s == z.name) {
            return &z;
        }
    }
    return nullptr;
}

std::size_t read_number(std::string_view s, std::size_t i, int max_digits, int& out) {
    int v = 0;
    int n = 0;
    while (i + static_cast<std::size_t>(n) < s.size() && n < max_digits &&
           is_digit(s[i + static_cast<std::size_t>(n)])) {
        v = v * 10 + (s[i + static_cast<std::size_t>(n)] - '0');
        ++n;
    }
    out = v;
    return static_cast<std::size_t>(n);
}

// "Mmm dd [yyyy] hh:mm:ss[.fff]" at the start of s: the device's own stamp (logging
// timestamp). Returns characters read, 0 if s does not start with one.
std::size_t read_device_stamp(std::string_view s, std::int64_t reference_ns,
                              std::int64_t& local_ns) {
    if (s.size() < 14 || s[3] != ' ') {
        return 0;
    }
    core::CivilTime t;
    t.month = core::month_from_abbrev(s.substr(0, 3));
    std::size_t i = 4;
    while (i < s.size() && s[i] == ' ') {
        ++i;
    }
    std::size_t n = read_number(s, i, 2, t.day);
    if (t.month == 0 || n == 0 || i + n >= s.size() || s[i + n] != ' ') {
        return 0;
    }
    i += n + 1;
    int year = 0;
    n = read_number(s, i, 4, year);
    bool has_year = n == 4 && i + n < s.size() && s[i + n] == ' ';
    if (has_year) {
        t.year = year;
        i += 5;
    } else {
        t.year = core::infer_year(t.month, reference_ns);
    }
    int fields[3] = {0, 0, 0};
    for (int k = 0; k < 3; ++k) {
        n = read_number(s, i, 2, fields[k]);
        if (n != 2) {
            return 0;
        }
        i += 2;
        if (k < 2) {
            if (i >= s.size() || s[i] != ':') {
                return 0;
            }
            ++i;
        }
    }
    t.hour = fields[0];
    t.minute = fields[1];
    t.second = fields[2];
    if (i < s.size() && s[i] == '.') {
        int ms = 0;
        i += 1 + read_number(s, i + 1, 3, ms);
        t.nanos = static_cast<std::int64_t>(ms) * 1'000'000;
    }
    auto ns = core::civil_to_ns(t);
    if (!ns) {
        return 0;
    }
    local_ns = *ns;
    return i;
}

// What precedes the marker: "Sep 25 15:47:07 EDT: ", "EDT: ", "host : " or nothing.
void apply_prefix(const SyslogMessage& msg, std::string_view prefix, const ParseContext& ctx,
                  core::Event& out) {
    prefix = trim(prefix);
    if (!prefix.empty() && prefix.back() == ':') {
        prefix = trim(prefix.substr(0, prefix.size() - 1));
    }
    std::int64_t local = 0;
    bool have_local = false;
    if (std::size_t n = read_device_stamp(prefix, ctx.reference_ns, local); n > 0) {
        have_local = true;
        prefix = trim(prefix.substr(n));
    } else if (msg.has_time && !msg.has_zone) {
        local = msg.time_ns;
    }
    const ZoneAbbrev* zone = find_zone(prefix);
    if (zone != nullptr && (have_local || (msg.has_time && !msg.has_zone))) {
        out.time_ns = local - static_cast<std::int64_t>(zone->offset_minutes) * 60 *
                                  core::kNanosPerSecond;
    } else if (have_local) {
        out.time_ns = ctx.tz.local_to_utc(local);
    }
}

core::Severity severity_from_digit(char c) {
    switch (c) {
        case '0':
        case '2':
            return core::Severity::kCritical;
        case '1':
        case '3':
            return core::Severity::kHigh;
        case '4':
            return core::Severity::kMedium;
        case '5':
            return core::Severity::kLow;
        case '6':
        case '7':
            return core::Severity::kInfo;
        default:
            return core::Severity::kUnknown;
    }
}

// "message repeated 2 times: [ Deny inbound … inside]" → the inner message.
std::string_view unwrap_repeat(std::string_view body) {
    if (!body.starts_with("message repeated ")) {
        return body;
    }
    std::size_t open = body.find(": [");
    if (open == std::string_view::npos) {
        return body;
    }
    std::string_view inner = body.substr(open + 3);
    if (!inner.empty() && inner.back() == ']') {
        inner.remove_suffix(1);
    }
    return trim(inner);
}

core::Result<Disposition> dispatch(unsigned id, std::string_view body, const ParseContext& ctx,
                                   core::Event& out) {
    if (id >= 430001 && id <= 430005) {
        return asa::parse_unified(id, body, out);
    }
    if (asa::is_auth_id(id)) {
        return asa::parse_auth(id, body, ctx, out);
    }
    if (asa::is_traffic_id(id)) {
        return asa::parse_traffic(id, body, out);
    }
    if (asa::looks_like_vpn_body(body)) {
        return asa::parse_auth(id, body, ctx, out);
    }
    return Disposition::kIgnored;
}

void set_observer(const SyslogMessage& msg, const ParseContext& ctx, std::string_view product,
                  core::Event& out) {
    out.observer_vendor.assign("Cisco");
    out.observer_product.assign(product);
    // "<166>Nov 09 2022 10:01:59: %ASA-…" leaves ":" where a host name would be.
    if (ctx.observer.empty() && !msg.hostname.empty() && msg.hostname.back() == ':') {
        out.observer_name.clear();
    }
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "cisco_asa", out);
    Marker m = find_marker(msg.content);
    if (m.pos == std::string_view::npos) {
        if (probe_bare(msg.msg) == 0) {
            return core::fail(core::Error::parse("no %ASA-/%FTD- message marker", "marker"));
        }
        set_observer(msg, ctx, kProducts[0].name, out);
        if (asa::looks_like_vpn_body(msg.msg)) {
            return asa::parse_auth(0, msg.msg, ctx, out);
        }
        return Disposition::kIgnored;
    }
    set_observer(msg, ctx, m.product, out);
    apply_prefix(msg, msg.content.substr(0, m.pos), ctx, out);

    // "[facility-]S-NNNNNN[:]"
    std::string_view rest = msg.content.substr(m.pos + m.len);
    std::size_t base = static_cast<std::size_t>(rest.data() - msg.raw.data());
    Cursor c(rest);
    if (!rest.empty() && !is_digit(rest[0])) {
        std::string_view facility = c.token('-');
        if (facility.size() > 16) {
            return core::fail(core::Error::parse("bad facility in message tag", "tag", base));
        }
    }
    std::string_view sev = c.token('-');
    if (sev.size() != 1 || !is_digit(sev[0])) {
        return core::fail(core::Error::parse("bad severity in message tag", "severity", base));
    }
    out.severity = severity_from_digit(sev[0]);
    std::size_t id_start = c.pos();
    std::size_t id_end = id_start;
    while (id_end < rest.size() && is_digit(rest[id_end]) && id_end - id_start < 7) {
        ++id_end;
    }
    auto id = to_uint<unsigned>(rest.substr(id_start, id_end - id_start));
    if (!id) {
        return core::fail(
            core::Error::parse("bad message id in message tag", "message_id", base + id_start));
    }
    out.event_code.assign(rest.substr(id_start, id_end - id_start));
    std::string_view body = rest.substr(id_end);
    if (!body.empty() && body[0] == ':') {
        body.remove_prefix(1);
    }
    body = unwrap_repeat(trim(body));
    return dispatch(*id, body, ctx, out);
}

}  // namespace

const Format& cisco_asa() {
    static const Format kFormat{"cisco_asa",
                                "Cisco ASA / Firepower Threat Defense syslog (%ASA-, %FTD-)",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
