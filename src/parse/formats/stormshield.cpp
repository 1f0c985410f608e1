// Stormshield Network Security (SNS) syslog key=value logs:
//   id=firewall time="2024-05-01 10:00:00" fw="SN210A…" tz=+0200 startime="…" pri=5
//   srcif="Ethernet0" src=… srcport=… dst=… dstport=… ipproto=tcp proto=https action=pass
//   ruleid=3 sent=… rcvd=… duration=0.12 logtype="filter"
// Log types: filter, connection, plugin, alarm, vpn, xvpn, auth, server, system, monitor …
// Auth-like types (auth, xvpn, server) become auth events with an outcome; system and monitor
// reports without addresses are ignored. See docs/formats/stormshield.md.
#include <string_view>

#include "parse/formats/formats.h"
#include "parse/formats/fortigate_util.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::string_view kName = "stormshield";

int probe(const SyslogMessage& msg) {
    std::string_view s = msg.raw;
    bool fw = has_key(s, "fw=");
    bool startime = has_key(s, "startime=");
    bool logtype = has_key(s, "logtype=");
    if (fw && startime && logtype) {
        return 90;
    }
    if (fw && (startime || logtype)) {
        return 75;
    }
    return 0;
}

struct Fields {
    std::string_view action, address, alarmid, dst, dstif, dstport, duration, error, fw, ipproto,
        logtype, msg, proto, rcvd, ruleid, rulename, sent, src, srcif, srcport, time, tz, user,
        pri, classname;
};

void set_field(Fields& f, std::string_view k, std::string_view v) {
    struct Entry {
        std::string_view key;
        std::string_view Fields::*member;
    };
    static constexpr Entry kTable[] = {
        {"action", &Fields::action}, {"address", &Fields::address}, {"alarmid", &Fields::alarmid},
        {"dst", &Fields::dst},       {"dstif", &Fields::dstif},     {"dstport", &Fields::dstport},
        {"duration", &Fields::duration}, {"error", &Fields::error}, {"fw", &Fields::fw},
        {"ipproto", &Fields::ipproto}, {"logtype", &Fields::logtype}, {"msg", &Fields::msg},
        {"proto", &Fields::proto},   {"rcvd", &Fields::rcvd},       {"ruleid", &Fields::ruleid},
        {"rulename", &Fields::rulename}, {"sent", &Fields::sent},   {"src", &Fields::src},
        {"srcif", &Fields::srcif},   {"srcport", &Fields::srcport}, {"time", &Fields::time},
        {"tz", &Fields::tz},         {"user", &Fields::user},       {"pri", &Fields::pri},
        {"class", &Fields::classname},
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

// time="2024-05-01 10:00:00" (quoted) or time=2024-05-01 10:00:00 (unquoted, two tokens).
std::optional<std::int64_t> wall_time(std::string_view raw, std::string_view time) {
    if (time.size() >= 19) {
        return fgutil::civil_date_time_ns(time.substr(0, 10), time.substr(11, 8));
    }
    std::size_t at = time.empty() ? std::string_view::npos
                                  : static_cast<std::size_t>(time.data() - raw.data());
    if (time.size() == 10 && at != std::string_view::npos && at + 19 <= raw.size() &&
        raw[at + 10] == ' ') {
        return fgutil::civil_date_time_ns(time, raw.substr(at + 11, 8));
    }
    return std::nullopt;
}

core::Action action_of(const Fields& f) {
    if (f.action.empty()) {
        return core::Action::kUnknown;
    }
    if (f.logtype == "alarm" && (f.action == "pass" || f.action == "log")) {
        return core::Action::kAlert;  // an alarm that did not block
    }
    return action_from_word(f.action);
}

core::Outcome auth_outcome(const Fields& f) {
    if (icontains(f.msg, "fail") || icontains(f.msg, "denied") ||
        icontains(f.msg, "invalid")) {
        return core::Outcome::kFailure;
    }
    if (icontains(f.msg, "success") || icontains(f.msg, "authenticated") ||
        icontains(f.msg, "created")) {
        return core::Outcome::kSuccess;
    }
    if (!f.error.empty()) {
        return f.error == "0" ? core::Outcome::kSuccess : core::Outcome::kFailure;
    }
    return core::Outcome::kUnknown;
}

void set_counts(const Fields& f, core::Event& out) {
    if (auto v = to_uint<std::uint64_t>(f.sent)) out.set_src_bytes(*v);
    if (auto v = to_uint<std::uint64_t>(f.rcvd)) out.set_dst_bytes(*v);
    if (!f.duration.empty()) {
        // "107331.18" seconds
        Cursor c(f.duration);
        auto secs = to_uint<std::uint64_t>(c.token('.'));
        std::string_view frac = c.rest().substr(0, 9);
        auto fv = to_uint<std::uint64_t>(frac);
        if (secs && *secs < (1ull << 32)) {
            std::int64_t ns = static_cast<std::int64_t>(*secs) * core::kNanosPerSecond;
            if (fv) {
                std::int64_t scale = core::kNanosPerSecond;
                for (std::size_t i = 0; i < frac.size(); ++i) scale /= 10;
                ns += static_cast<std::int64_t>(*fv) * scale;
            }
            out.set_duration_ns(ns);
        }
    }
}

void fill(const Fields& f, std::string_view raw, const ParseContext& ctx, core::Event& out) {
    out.observer_vendor = "Stormshield";
    out.observer_product = "Stormshield Network Security";
    if (!f.fw.empty()) out.observer_serial.assign(f.fw);
    if (auto wall = wall_time(raw, f.time)) {
        auto off = f.tz.empty() ? std::nullopt : fgutil::parse_utc_offset(f.tz);
        out.time_ns = off ? *wall - static_cast<std::int64_t>(*off) * core::kNanosPerSecond
                          : ctx.tz.local_to_utc(*wall);
    }
    for (auto [text, ip] : {std::pair{f.src, &out.src_ip}, std::pair{f.address, &out.src_ip},
                            std::pair{f.dst, &out.dst_ip}}) {
        if (!ip->is_set() && !text.empty()) {
            if (auto a = core::IpAddress::parse(text)) *ip = *a;
        }
    }
    if (auto p = to_port(f.srcport)) out.set_src_port(*p);
    if (auto p = to_port(f.dstport)) out.set_dst_port(*p);
    if (auto n = to_uint<unsigned>(f.ipproto); n && *n <= 255) {
        out.set_ip_protocol(*n);
    } else {
        out.set_transport(core::transport_from_name(f.ipproto));
    }
    if (!f.proto.empty() && f.proto != "unknown") out.app_protocol.assign(f.proto);
    if (!f.srcif.empty()) out.ingress_interface.assign(f.srcif);
    if (!f.dstif.empty()) out.egress_interface.assign(f.dstif);
    out.action = action_of(f);
    out.severity = severity_from_word(f.pri == "1" ? "alert" : f.pri == "2" ? "critical"
                                      : f.pri == "3" ? "error" : f.pri == "4" ? "warning"
                                      : f.pri == "5" ? "notice" : f.pri == "6" ? "info" : "");
    out.event_code.assign(f.logtype);
    if (f.logtype == "alarm") {
        out.category = core::Category::kIds;
        out.rule_id.assign(f.alarmid);
        out.rule_name.assign(f.msg);  // the alarm's name, e.g. "Invalid TCP protocol"
        out.rule_ruleset.assign(f.classname);
    } else {
        out.rule_id.assign(f.ruleid);
        out.rule_name.assign(f.rulename);
    }
    set_counts(f, out);
    if (!f.user.empty()) out.user_hash = hash_identity(ctx, f.user);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    Fields f;
    KvReader r(msg.raw);
    std::string_view k;
    std::string_view v;
    while (r.next(k, v)) {
        set_field(f, k, v);
    }
    if (f.fw.empty() && f.logtype.empty()) {
        return core::fail(core::Error::parse("no fw= or logtype= field", "fw", 0));
    }
    fill(f, msg.raw, ctx, out);
    bool auth = f.logtype == "auth" || f.logtype == "xvpn" || f.logtype == "server";
    if (auth) {
        out.category = core::Category::kAuth;
        out.outcome = auth_outcome(f);
    }
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.outcome == core::Outcome::kUnknown) {
        return Disposition::kIgnored;  // system, monitor and other reports
    }
    return Disposition::kEvent;
}

}  // namespace

const Format& stormshield() {
    static const Format kFormat{kName, "Stormshield SNS key=value (filter, alarm, auth, vpn …)",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
