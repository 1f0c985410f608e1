#include "parse/formats/sophos_fields.h"

#include <array>
#include <cctype>
#include <optional>

#include "parse/text.h"

namespace cyberalarm::parse::formats::sophos_detail {

namespace {

using core::Category;
using core::Event;
using core::Outcome;

template <typename F>
struct Key {
    std::string_view name;
    std::string_view F::*field;
};

// Old (pre-v19) and v19+ names for the same value share a slot.
constexpr std::array<Key<SfosFields>, 51> kSfosKeys = {{
    {"date", &SfosFields::date},
    {"time", &SfosFields::time},
    {"timezone", &SfosFields::timezone},
    {"timestamp", &SfosFields::timestamp},
    {"device_name", &SfosFields::device_name},
    {"device_id", &SfosFields::device_id},
    {"device_serial_id", &SfosFields::device_id},
    {"log_id", &SfosFields::log_id},
    {"log_type", &SfosFields::log_type},
    {"log_component", &SfosFields::log_component},
    {"log_subtype", &SfosFields::log_subtype},
    {"status", &SfosFields::status},
    {"priority", &SfosFields::priority},
    {"severity", &SfosFields::priority},
    {"fw_rule_id", &SfosFields::fw_rule_id},
    {"fw_rule_name", &SfosFields::fw_rule_name},
    {"rule_id", &SfosFields::rule_id},
    {"rule_name", &SfosFields::rule_name},
    {"policy_name", &SfosFields::policy},
    {"signature_id", &SfosFields::sig_id},
    {"sigid", &SfosFields::sig_id},
    {"signature_msg", &SfosFields::sig_name},
    {"signature_name", &SfosFields::sig_name},
    {"classification", &SfosFields::classification},
    {"virus", &SfosFields::threat},
    {"malware", &SfosFields::threat},
    {"threatname", &SfosFields::threat},
    {"user_name", &SfosFields::user},
    {"user", &SfosFields::user},
    {"application", &SfosFields::application},
    {"app_name", &SfosFields::application},
    {"src_ip", &SfosFields::src_ip},
    {"dst_ip", &SfosFields::dst_ip},
    {"src_port", &SfosFields::src_port},
    {"dst_port", &SfosFields::dst_port},
    {"protocol", &SfosFields::protocol},
    {"icmp_type", &SfosFields::icmp_type},
    {"icmp_code", &SfosFields::icmp_code},
    {"sent_bytes", &SfosFields::sent_bytes},
    {"bytes_sent", &SfosFields::sent_bytes},
    {"recv_bytes", &SfosFields::recv_bytes},
    {"bytes_received", &SfosFields::recv_bytes},
    {"sent_pkts", &SfosFields::sent_pkts},
    {"packets_sent", &SfosFields::sent_pkts},
    {"recv_pkts", &SfosFields::recv_pkts},
    {"packets_received", &SfosFields::recv_pkts},
    {"duration", &SfosFields::duration},
    {"in_interface", &SfosFields::in_if},
    {"out_interface", &SfosFields::out_if},
    {"in_display_interface", &SfosFields::in_if},
    {"out_display_interface", &SfosFields::out_if},
}};

constexpr std::array<Key<UtmFields>, 23> kUtmKeys = {{
    {"id", &UtmFields::id},           {"severity", &UtmFields::severity},
    {"sys", &UtmFields::sys},         {"sub", &UtmFields::sub},
    {"name", &UtmFields::name},       {"action", &UtmFields::action},
    {"fwrule", &UtmFields::fwrule},   {"sid", &UtmFields::sid},
    {"reason", &UtmFields::reason},   {"group", &UtmFields::group},
    {"initf", &UtmFields::initf},     {"outitf", &UtmFields::outitf},
    {"srcip", &UtmFields::srcip},     {"dstip", &UtmFields::dstip},
    {"srcport", &UtmFields::srcport}, {"dstport", &UtmFields::dstport},
    {"port", &UtmFields::port},       {"proto", &UtmFields::proto},
    {"length", &UtmFields::length},   {"user", &UtmFields::user},
    {"username", &UtmFields::user},   {"statuscode", &UtmFields::statuscode},
    {"size", &UtmFields::size},
}};

template <typename F, std::size_t N>
void read_kv(std::string_view kv, const std::array<Key<F>, N>& keys, F& f) {
    KvReader r(kv);
    std::string_view k;
    std::string_view v;
    while (r.next(k, v)) {
        for (const auto& key : keys) {
            if (key.name == k) {
                // The first occurrence wins: later keys of the same name are nested details.
                if ((f.*key.field).empty()) {
                    f.*key.field = v;
                }
                break;
            }
        }
    }
}

std::size_t offset_in(std::string_view line, std::string_view field) {
    auto off = static_cast<std::size_t>(field.data() - line.data());
    return off <= line.size() ? off : core::Error::kNoOffset;
}

// Empty or "-" means "not given"; anything else must be an address.
core::Result<bool> set_ip(std::string_view line, std::string_view v, std::string_view name,
                          core::IpAddress& dst) {
    if (v.empty() || v == "-") {
        return false;
    }
    auto ip = core::IpAddress::parse(v);
    if (!ip) {
        return core::fail(core::Error::parse("not an IP address", name, offset_in(line, v)));
    }
    dst = *ip;
    return true;
}

core::Result<bool> set_port(std::string_view line, std::string_view v, std::string_view name,
                            Event& out, void (Event::*setter)(std::uint16_t)) {
    if (v.empty()) {
        return false;
    }
    auto p = to_port(v);
    if (!p) {
        return core::fail(core::Error::parse("not a port number", name, offset_in(line, v)));
    }
    (out.*setter)(*p);
    return true;
}

void set_protocol(std::string_view v, Event& out) {
    if (auto n = to_uint<std::uint8_t>(v)) {
        out.set_ip_protocol(*n);
    } else if (auto t = core::transport_from_name(v); t != core::Transport::kUnknown) {
        out.set_transport(t);
    }
}

void set_count(std::string_view v, Event& out, void (Event::*setter)(std::uint64_t)) {
    if (auto n = to_uint<std::uint64_t>(v)) {
        (out.*setter)(*n);
    }
}

Outcome outcome_from_word(std::string_view w) {
    if (iequals(w, "Successful") || iequals(w, "Success") || iequals(w, "Succeeded") ||
        iequals(w, "Succeed")) {
        return Outcome::kSuccess;
    }
    if (iequals(w, "Failed") || iequals(w, "Failure") || iequals(w, "Fail")) {
        return Outcome::kFailure;
    }
    return Outcome::kUnknown;
}

// The zone names and offsets SFOS writes in `timezone=` ("CEST", "+11", "+05:30").
std::optional<std::int64_t> zone_offset_seconds(std::string_view z) {
    struct Zone {
        std::string_view name;
        int minutes;
    };
    static constexpr std::array<Zone, 30> kZones = {{
        {"UTC", 0},    {"GMT", 0},    {"Z", 0},      {"WET", 0},    {"BST", 60},   {"CET", 60},
        {"MET", 60},   {"WEST", 60},  {"CEST", 120}, {"MEST", 120}, {"EET", 120},  {"SAST", 120},
        {"EEST", 180}, {"MSK", 180},  {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300},
        {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}, {"JST", 540},  {"KST", 540},
        {"AEST", 600}, {"AEDT", 660}, {"ACST", 570}, {"AWST", 480}, {"NZST", 720}, {"NZDT", 780},
    }};
    for (const auto& zone : kZones) {
        if (iequals(z, zone.name)) {
            return std::int64_t{zone.minutes} * 60;
        }
    }
    if (z.size() < 2 || (z[0] != '+' && z[0] != '-')) {
        return std::nullopt;
    }
    int sign = z[0] == '-' ? -1 : 1;
    std::string_view digits = z.substr(1);
    std::optional<int> h;
    std::optional<int> m = 0;
    if (auto colon = digits.find(':'); colon != std::string_view::npos) {
        h = to_uint<int>(digits.substr(0, colon));
        m = to_uint<int>(digits.substr(colon + 1));
    } else if (digits.size() <= 2) {
        h = to_uint<int>(digits);
    } else if (digits.size() == 4) {
        h = to_uint<int>(digits.substr(0, 2));
        m = to_uint<int>(digits.substr(2));
    }
    if (!h || !m || *h > 14 || *m > 59) {
        return std::nullopt;
    }
    return sign * (std::int64_t{*h} * 3600 + std::int64_t{*m} * 60);
}

// date=YYYY-MM-DD time=hh:mm:ss [timezone=…], or timestamp=ISO-8601 with offset.
void set_sfos_time(const SfosFields& f, const ParseContext& ctx, Event& out) {
    if (!f.timestamp.empty()) {
        if (auto t = core::parse_iso8601(f.timestamp)) {
            out.time_ns = t->has_zone ? t->ns : ctx.tz.local_to_utc(t->ns);
        }
        return;
    }
    if (f.date.size() != 10 || f.time.size() < 8) {
        return;
    }
    std::array<char, 19> buf{};
    for (std::size_t i = 0; i < 10; ++i) {
        buf[i] = f.date[i];
    }
    buf[10] = 'T';
    for (std::size_t i = 0; i < 8; ++i) {
        buf[11 + i] = f.time[i];
    }
    auto t = core::parse_iso8601(std::string_view(buf.data(), buf.size()));
    if (!t || t->consumed != buf.size()) {
        return;
    }
    if (auto off = zone_offset_seconds(f.timezone)) {
        out.time_ns = t->ns - *off * core::kNanosPerSecond;
    } else {
        out.time_ns = ctx.tz.local_to_utc(t->ns);
    }
}

Category sfos_category(std::string_view log_type) {
    if (iequals(log_type, "IDP") || iequals(log_type, "IPS") || iequals(log_type, "ATP") ||
        icontains(log_type, "Threat")) {
        return Category::kIds;
    }
    if (icontains(log_type, "Virus") || icontains(log_type, "Sandbox") ||
        icontains(log_type, "Sandstorm") || icontains(log_type, "Malware") ||
        icontains(log_type, "Zero")) {
        return Category::kAv;
    }
    if (icontains(log_type, "Spam")) {
        return Category::kSpam;
    }
    return Category::kFirewall;
}

void set_sfos_rule(const SfosFields& f, Event& out) {
    if (out.category == Category::kIds && !f.sig_id.empty()) {
        out.rule_id.assign(f.sig_id);
        out.rule_name.assign(f.sig_name);
        out.rule_ruleset.assign(f.classification);
        return;
    }
    if (out.category == Category::kAv || out.category == Category::kIds) {
        out.rule_name.assign(f.threat);
    }
    std::string_view id = !f.fw_rule_id.empty() ? f.fw_rule_id : f.rule_id;
    if (id != "0") {  // 0 = no rule matched
        out.rule_id.assign(id);
    }
    if (out.rule_name.empty()) {
        std::string_view name = !f.fw_rule_name.empty() ? f.fw_rule_name : f.rule_name;
        out.rule_name.assign(!name.empty() ? name : f.policy);
    }
}

core::Result<bool> set_sfos_endpoints(const SfosFields& f, Event& out) {
    std::string_view line = f.line;
    auto s = set_ip(line, f.src_ip, "src_ip", out.src_ip);
    if (!s) {
        return s;
    }
    auto d = set_ip(line, f.dst_ip, "dst_ip", out.dst_ip);
    if (!d) {
        return d;
    }
    for (auto r : {set_port(line, f.src_port, "src_port", out, &Event::set_src_port),
                   set_port(line, f.dst_port, "dst_port", out, &Event::set_dst_port)}) {
        if (!r) {
            return r;
        }
    }
    return *s || *d;
}

}  // namespace

void read_sfos(std::string_view kv, SfosFields& f) {
    f.line = kv;
    read_kv(kv, kSfosKeys, f);
}

core::Result<Disposition> fill_sfos(const SfosFields& f, const ParseContext& ctx, Event& out) {
    set_sfos_time(f, ctx, out);
    if (ctx.observer.empty() && !f.device_name.empty() && f.device_name != "SFW") {
        out.observer_name.assign(f.device_name);
    }
    out.observer_serial.assign(f.device_id);
    out.event_code.assign(f.log_id);
    out.category = sfos_category(f.log_type);
    out.severity = severity_from_word(f.priority);

    auto has_address = set_sfos_endpoints(f, out);
    if (!has_address) {
        return core::fail(has_address.error());
    }
    out.outcome = outcome_from_word(f.status);
    if (out.outcome != Outcome::kUnknown) {
        out.category = Category::kAuth;
    }
    if (!*has_address && out.outcome == Outcome::kUnknown) {
        return Disposition::kIgnored;  // system health, configuration, heartbeat …
    }
    set_protocol(f.protocol, out);
    if (auto t = to_uint<std::uint8_t>(f.icmp_type)) {
        out.set_icmp_type(*t);
    }
    if (auto c = to_uint<std::uint8_t>(f.icmp_code)) {
        out.set_icmp_code(*c);
    }
    set_count(f.sent_bytes, out, &Event::set_src_bytes);
    set_count(f.recv_bytes, out, &Event::set_dst_bytes);
    set_count(f.sent_pkts, out, &Event::set_src_packets);
    set_count(f.recv_pkts, out, &Event::set_dst_packets);
    if (auto d = to_uint<std::uint32_t>(f.duration)) {
        out.set_duration_ns(std::int64_t{*d} * core::kNanosPerSecond);
    }
    out.ingress_interface.assign(f.in_if);
    out.egress_interface.assign(f.out_if);
    out.app_protocol.assign(f.application);

    out.action = action_from_word(f.status);
    if (out.action == core::Action::kUnknown) {
        out.action = action_from_word(f.log_subtype);
    }
    if (out.action == core::Action::kUnknown &&
        (out.category == Category::kIds || out.category == Category::kAv)) {
        out.action = core::Action::kAlert;
    }
    set_sfos_rule(f, out);
    if (!f.user.empty() && f.user != "-") {
        out.user_hash = hash_identity(ctx, f.user);
    }
    return Disposition::kEvent;
}

void read_utm(std::string_view kv, UtmFields& f) {
    f.line = kv;
    read_kv(kv, kUtmKeys, f);
}

namespace {

Outcome utm_outcome(const UtmFields& f) {
    if (icontains(f.name, "fail") || icontains(f.name, "denied") || icontains(f.name, "invalid")) {
        return Outcome::kFailure;
    }
    if (icontains(f.name, "success") || icontains(f.name, "logged in") ||
        icontains(f.name, "accepted")) {
        return Outcome::kSuccess;
    }
    return Outcome::kUnknown;
}

Category utm_category(const UtmFields& f) {
    if (iequals(f.sub, "ips") || iequals(f.sub, "snort") || icontains(f.name, "Intrusion")) {
        return Category::kIds;
    }
    if (icontains(f.sub, "virus") || icontains(f.name, "virus")) {
        return Category::kAv;
    }
    if (iequals(f.sys, "SecureMail") || icontains(f.sub, "spam") || iequals(f.sub, "smtp")) {
        return Category::kSpam;
    }
    return Category::kFirewall;
}

}  // namespace

core::Result<Disposition> fill_utm(const UtmFields& f, const ParseContext& ctx, Event& out) {
    std::string_view line = f.line;
    out.event_code.assign(f.id);
    out.severity = severity_from_word(f.severity);
    out.category = utm_category(f);
    auto s = set_ip(line, f.srcip, "srcip", out.src_ip);
    if (!s) {
        return core::fail(s.error());
    }
    auto d = set_ip(line, f.dstip, "dstip", out.dst_ip);
    if (!d) {
        return core::fail(d.error());
    }
    bool auth = icontains(f.name, "Authentication") || icontains(f.name, "login") ||
                icontains(f.name, "logged in") || iequals(f.sub, "auth");
    if (auth) {
        out.outcome = utm_outcome(f);
        out.category = Category::kAuth;
    }
    if (!*s && !*d && out.outcome == Outcome::kUnknown) {
        return Disposition::kIgnored;
    }
    for (auto r : {set_port(line, f.srcport, "srcport", out, &Event::set_src_port),
                   set_port(line, f.dstport.empty() ? f.port : f.dstport, "dstport", out,
                            &Event::set_dst_port)}) {
        if (!r) {
            return core::fail(r.error());
        }
    }
    set_protocol(f.proto, out);
    if (auto n = to_uint<std::uint64_t>(f.length)) {
        out.set_bytes(*n);  // one packet of that length
        out.set_packets(1);
    }
    out.ingress_interface.assign(f.initf);
    out.egress_interface.assign(f.outitf);
    out.action = action_from_word(f.action);
    if (out.category == Category::kIds) {
        out.rule_id.assign(f.sid);
        out.rule_name.assign(f.reason);
        out.rule_ruleset.assign(f.group);
        if (out.action == core::Action::kUnknown) {
            out.action = core::Action::kAlert;
        }
    } else {
        out.rule_id.assign(f.fwrule);
    }
    if (!f.statuscode.empty()) {
        // The reverse proxy's access log: `size` is the response body sent back to the client.
        out.app_protocol.assign("http");
        set_count(f.size, out, &Event::set_dst_bytes);
    }
    if (!f.user.empty() && f.user != "-") {
        out.user_hash = hash_identity(ctx, f.user);
    }
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::sophos_detail
