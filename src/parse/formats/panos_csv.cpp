// PAN-OS syslog CSV, field positions as documented in "PAN-OS Syslog Field Descriptions"
// (10.x/11.x; older releases have a prefix of the same fields).
#include <array>

#include "core/time.h"
#include "parse/formats/panos_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::panos_detail {

namespace {

constexpr std::size_t kMaxFields = 128;
using Fields = std::array<std::string_view, kMaxFields>;

// Positions common to every log type.
constexpr std::size_t kReceiveTime = 1;
constexpr std::size_t kSerial = 2;
constexpr std::size_t kType = 3;
constexpr std::size_t kSubtype = 4;
constexpr std::size_t kGeneratedTime = 6;

struct Row {
    const Fields& f;
    std::size_t n;
    [[nodiscard]] std::string_view at(std::size_t i) const { return i < n ? f[i] : ""; }
};

void set_port(std::string_view s, bool src, core::Event& out) {
    if (auto p = to_port(s)) {
        src ? out.set_src_port(*p) : out.set_dst_port(*p);
    }
}

template <typename T>
std::optional<T> num(std::string_view s) {
    return to_uint<T>(trim(s));
}

// The stamp: the high-resolution time with its offset (PAN-OS 10+, near the end), else the
// generated time read in the source's zone, else the receive time.
void set_time(const Row& r, const ParseContext& ctx, core::Event& out) {
    for (std::size_t i = r.n < kMaxFields ? r.n : kMaxFields; i-- > 20;) {
        std::string_view s = r.f[i];
        if (s.size() >= 20 && s[4] == '-' && s[10] == 'T') {
            if (auto t = core::parse_iso8601(s); t && t->has_zone) {
                out.time_ns = t->ns;
                return;
            }
        }
    }
    auto local = parse_pan_time(r.at(kGeneratedTime));
    if (!local) {
        local = parse_pan_time(r.at(kReceiveTime));
    }
    if (local) {
        out.time_ns = ctx.tz.local_to_utc(*local);
    }
}

// Fields 7..30, shared by TRAFFIC, THREAT and DECRYPTION.
core::Result<Disposition> read_session(const Row& r, const ParseContext& ctx, core::Event& out) {
    if (!set_ip(r.at(7), out.src_ip)) {
        return core::fail(core::Error::parse("source address is not an IP address", "src"));
    }
    if (!set_ip(r.at(8), out.dst_ip)) {
        return core::fail(core::Error::parse("destination address is not an IP address", "dst"));
    }
    out.rule_name = r.at(11);
    if (std::string_view user = trim(r.at(12)); !user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    out.app_protocol = r.at(14);
    out.ingress_interface = r.at(18);
    out.egress_interface = r.at(19);
    set_port(r.at(24), true, out);
    set_port(r.at(25), false, out);
    if (core::Transport t = core::transport_from_name(r.at(29)); t != core::Transport::kUnknown) {
        out.set_transport(t);
    }
    out.action = action_from_pan(r.at(30));
    return Disposition::kEvent;
}

void read_traffic(const Row& r, core::Event& out) {
    if (auto v = num<std::uint64_t>(r.at(32))) {
        out.set_src_bytes(*v);
    }
    if (auto v = num<std::uint64_t>(r.at(33))) {
        out.set_dst_bytes(*v);
    }
    if (auto v = num<std::uint64_t>(r.at(31))) {
        out.set_bytes(*v);
    }
    if (auto v = num<std::uint64_t>(r.at(34))) {
        out.set_packets(*v);
    }
    if (auto v = num<std::uint32_t>(r.at(36))) {
        out.set_duration_ns(static_cast<std::int64_t>(*v) * core::kNanosPerSecond);
    }
    if (auto v = num<std::uint64_t>(r.at(44))) {
        out.set_src_packets(*v);
    }
    if (auto v = num<std::uint64_t>(r.at(45))) {
        out.set_dst_packets(*v);
    }
}

void read_threat(const Row& r, core::Event& out) {
    std::string_view name;
    std::string_view id;
    split_threat(r.at(32), name, id);
    // The signature is the rule that fired; the security policy is its rule set. URL
    // filtering logs carry no signature ("(9999)"): the policy is then the rule.
    if (!name.empty()) {
        out.rule_ruleset = out.rule_name;
        out.rule_name = name;
        out.rule_id = id;
    }
    out.severity = severity_from_word(r.at(34));
}

core::Result<Disposition> read_system(const Row& r, const ParseContext& ctx, core::Event& out) {
    std::string_view event_id = r.at(8);
    out.event_code = event_id;
    out.severity = severity_from_word(r.at(13));
    set_observer_name(r.at(22), ctx, out);
    if (!read_description(event_id, r.at(14), ctx, out)) {
        return Disposition::kIgnored;  // health, updates, HA, routing: no address, no login
    }
    return Disposition::kEvent;
}

core::Result<Disposition> read_config(const Row& r, const ParseContext& ctx, core::Event& out) {
    if (!set_ip(r.at(7), out.src_ip)) {
        return Disposition::kIgnored;  // a commit or change made on the box itself
    }
    out.event_code = r.at(9);  // command: set, edit, delete, commit …
    if (std::string_view admin = trim(r.at(10)); !admin.empty()) {
        out.user_hash = hash_identity(ctx, admin);
    }
    return Disposition::kEvent;
}

core::Result<Disposition> read_globalprotect(const Row& r, const ParseContext& ctx,
                                             core::Event& out) {
    out.event_code = r.at(8);  // gateway-auth, portal-prelogin, gateway-connected …
    if (std::string_view user = trim(r.at(12)); !user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    if (!set_ip(r.at(15), out.src_ip)) {
        set_ip(r.at(17), out.src_ip);
    }
    std::string_view status = r.at(28);
    if (status == "success") {
        out.outcome = core::Outcome::kSuccess;
    } else if (status == "failure") {
        out.outcome = core::Outcome::kFailure;
    }
    set_observer_name(r.at(47), ctx, out);
    bool has_ip = out.src_ip.is_set() && !(out.src_ip.is_v4() && trim(r.at(15)) == "0.0.0.0");
    return has_ip || out.outcome != core::Outcome::kUnknown ? Disposition::kEvent
                                                            : Disposition::kIgnored;
}

core::Result<Disposition> read_userid(const Row& r, const ParseContext& ctx, core::Event& out) {
    out.event_code = r.at(kSubtype);  // login, logout, register-tag …
    if (std::string_view user = trim(r.at(9)); !user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    if (r.at(kSubtype) == "login") {
        out.outcome = core::Outcome::kSuccess;
    }
    set_observer_name(r.at(25), ctx, out);
    return set_ip(r.at(8), out.src_ip) ? Disposition::kEvent : Disposition::kIgnored;
}

core::Result<Disposition> read_hipmatch(const Row& r, const ParseContext& ctx, core::Event& out) {
    if (std::string_view user = trim(r.at(7)); !user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    out.rule_name = r.at(12);  // the HIP object or profile that matched
    set_observer_name(r.at(24), ctx, out);
    return set_ip(r.at(11), out.src_ip) ? Disposition::kEvent : Disposition::kIgnored;
}

core::Result<Disposition> read_auth(const Row& r, const ParseContext& ctx, core::Event& out) {
    if (std::string_view user = trim(r.at(9)); !user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    out.rule_name = r.at(12);  // authentication policy
    for (std::size_t i = 13; i < r.n && i < 30; ++i) {
        std::string_view v = r.f[i];
        if (v == "auth-success" || v == "success") {
            out.outcome = core::Outcome::kSuccess;
        } else if (v == "auth-fail" || v == "failure") {
            out.outcome = core::Outcome::kFailure;
        }
    }
    bool ip = set_ip(r.at(8), out.src_ip);
    return ip || out.outcome != core::Outcome::kUnknown ? Disposition::kEvent
                                                        : Disposition::kIgnored;
}

core::Result<Disposition> dispatch(const Row& r, const ParseContext& ctx, core::Event& out) {
    std::string_view type = r.at(kType);
    std::string_view subtype = r.at(kSubtype);
    if (type == "TRAFFIC" || type == "THREAT" || type == "DECRYPTION") {
        auto d = read_session(r, ctx, out);
        if (!d) {
            return d;
        }
        out.event_code = subtype;
        if (type == "TRAFFIC") {
            read_traffic(r, out);
            set_observer_name(r.at(52), ctx, out);
        } else if (type == "THREAT") {
            read_threat(r, out);
            set_observer_name(r.at(59), ctx, out);
        }
        return d;
    }
    if (type == "SYSTEM") {
        return read_system(r, ctx, out);
    }
    if (type == "CONFIG") {
        return read_config(r, ctx, out);
    }
    if (type == "GLOBALPROTECT") {
        return read_globalprotect(r, ctx, out);
    }
    if (type == "USERID") {
        return read_userid(r, ctx, out);
    }
    if (type == "HIPMATCH") {
        return read_hipmatch(r, ctx, out);
    }
    if (type == "AUTH") {
        return read_auth(r, ctx, out);
    }
    return Disposition::kIgnored;  // CORRELATION, IPTAG, TUNNEL …: no session metadata we keep
}

}  // namespace

core::Result<Disposition> parse_csv(std::string_view csv, const SyslogMessage&,
                                    const ParseContext& ctx, core::Event& out) {
    Fields f;
    std::size_t n = split_csv(csv, f);
    Row r{f, n < kMaxFields ? n : kMaxFields};
    std::string_view type = r.at(kType);
    std::string_view subtype = r.at(kSubtype);
    bool session = type == "TRAFFIC" || type == "THREAT" || type == "DECRYPTION";
    if (session && r.n < 31) {
        return core::fail(core::Error::parse("PAN-OS " + std::string(type) +
                                                 " log truncated before the action field",
                                             "action", csv.size()));
    }
    out.observer_serial = trim(r.at(kSerial));
    set_type_category(type, subtype, out);
    set_time(r, ctx, out);
    return dispatch(r, ctx, out);
}

}  // namespace cyberalarm::parse::formats::panos_detail
