// WatchGuard Firebox (Fireware) logs:
//   syslog  msg_id="3000-0148" Allow 1-Trusted 0-External tcp 10.0.1.2 1.2.3.4 61251 443
//           offset 8 S 2347614545 win 65535 (HTTPS-proxy.Standard-00)
//           msg_id="3000-0151" Allow … duration="38" sent_bytes="69" rcvd_bytes="185" (…)
//           msg_id="1100-0005" Authentication of Firebox user [bob@Firebox-DB] from 10.0.1.2
//           was rejected, …
//   LEEF    LEEF:1.0|WatchGuard|XTM|12.8|30000148|serial=…<TAB>policy=…<TAB>disp=Allow<TAB>
//           in_if=…<TAB>src=…<TAB>srcPort=…<TAB>dst=…<TAB>dstPort=…<TAB>proto=tcp …
//           (tabs may arrive escaped as "#011"; the "LEEF:" marker may be stripped)
// Traffic records become firewall events; "user … from <ip> was accepted/rejected" records
// become auth events; DHCP and other notices without addresses are ignored.
#include <algorithm>
#include <string_view>

#include "parse/cef_reader.h"
#include "parse/formats/formats.h"
#include "parse/formats/fortigate_util.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::string_view kName = "watchguard";

int probe(const SyslogMessage& msg) {
    std::string_view s = msg.raw;
    if (cef::has_envelope_vendor(s, "WatchGuard")) {
        return 90;
    }
    std::size_t p = s.find("msg_id=\"");
    if (p != std::string_view::npos && p + 17 <= s.size() && s[p + 12] == '-' &&
        s[p + 17] == '"') {
        return 85;
    }
    return 0;
}

struct Fields {
    std::string_view serial, name, policy, rule_name, disp, in_if, out_if, src, dst, sport, dport,
        proto, sent, rcvd, duration, user, msg, dev_time, event_id, product;
};

void set_field(Fields& f, std::string_view k, std::string_view v) {
    struct Entry {
        std::string_view key;
        std::string_view Fields::*member;
    };
    static constexpr Entry kTable[] = {
        {"serial", &Fields::serial},   {"sys_name", &Fields::name},
        {"host_name", &Fields::name},  {"policy", &Fields::policy},
        {"rule_name", &Fields::rule_name}, {"disp", &Fields::disp},
        {"in_if", &Fields::in_if},     {"out_if", &Fields::out_if},
        {"src", &Fields::src},         {"dst", &Fields::dst},
        {"srcPort", &Fields::sport},   {"dstPort", &Fields::dport},
        {"proto", &Fields::proto},     {"sent_bytes", &Fields::sent},
        {"rcvd_bytes", &Fields::rcvd}, {"duration", &Fields::duration},
        {"src_user", &Fields::user},   {"msg", &Fields::msg},
        {"devTime", &Fields::dev_time},
    };
    for (const auto& e : kTable) {
        if (e.key == k) {
            if ((f.*e.member).empty()) {
                f.*e.member = unquote(v);
            }
            return;
        }
    }
}

// LEEF attributes separated by a tab or its syslog escape "#011".
void read_leef(std::string_view ext, Fields& f) {
    cef::LeefReader r(ext);
    std::string_view k;
    std::string_view v;
    while (r.next(k, v)) {
        set_field(f, k, v);
    }
}

// "Sep 23 2022 09:51:24 +0200" → UTC ns.
std::optional<std::int64_t> dev_time_ns(std::string_view s) {
    if (s.size() < 20 || s[3] != ' ' || s[6] != ' ' || s[11] != ' ') {
        return std::nullopt;
    }
    int month = core::month_from_abbrev(s.substr(0, 3));
    if (month == 0) {
        return std::nullopt;
    }
    char date[10] = {s[7], s[8], s[9], s[10], '-', static_cast<char>('0' + month / 10),
                     static_cast<char>('0' + month % 10), '-', s[4], s[5]};
    auto wall = fgutil::civil_date_time_ns(std::string_view(date, 10), s.substr(12, 8));
    auto off = fgutil::parse_utc_offset(s.substr(s.size() > 21 ? 21 : s.size()));
    if (!wall || !off) {
        return std::nullopt;
    }
    return *wall - static_cast<std::int64_t>(*off) * core::kNanosPerSecond;
}

// The positional traffic record after msg_id="…": disposition, interfaces, protocol, then
// source and destination address and ports, then "(policy)".
void read_positional(std::string_view rest, Fields& f) {
    Cursor c(rest);
    c.skip_spaces();
    f.disp = c.token(' ');
    f.in_if = c.token(' ');
    f.out_if = c.token(' ');
    int numbers_after_dst = 0;
    while (!c.done()) {
        c.skip_spaces();
        if (c.rest().starts_with('(')) {
            break;
        }
        std::string_view t = c.token(' ');
        if (t.find('=') != std::string_view::npos) {
            break;
        }
        bool alpha = !t.empty() && ((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z'));
        if (f.proto.empty() && f.src.empty() && alpha) {
            f.proto = t;
        } else if (!f.proto.empty() && f.dst.empty() && core::IpAddress::parse(t)) {
            (f.src.empty() ? f.src : f.dst) = t;
        } else if (!f.dst.empty() && numbers_after_dst < 2 && to_uint<unsigned>(t)) {
            (numbers_after_dst++ == 0 ? f.sport : f.dport) = t;
        } else if (!f.dst.empty()) {
            numbers_after_dst = 2;
        }
    }
    std::size_t open = rest.rfind('(');
    std::size_t close = rest.rfind(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        f.policy = rest.substr(open + 1, close - open - 1);
    }
}

// "… user [name] from 1.2.3.4 was rejected": address, user and outcome of an auth message.
void read_auth_text(std::string_view text, const ParseContext& ctx, core::Event& out) {
    std::size_t from = text.find(" from ");
    if (from == std::string_view::npos) {
        return;
    }
    Cursor c(text.substr(from + 6));
    if (auto a = core::IpAddress::parse(trim(c.token(' ')))) {
        if (!out.src_ip.is_set()) out.src_ip = *a;
    } else {
        return;  // "DHCPREQUEST … from <mac>"
    }
    bool user = icontains(text, "user");
    if (!user) {
        return;
    }
    out.category = core::Category::kAuth;
    if (icontains(text, "reject") || icontains(text, "fail") ||
        icontains(text, "denied")) {
        out.outcome = core::Outcome::kFailure;
    } else if (icontains(text, "accepted") || icontains(text, "logged")) {
        out.outcome = core::Outcome::kSuccess;
    }
    std::size_t ustart = text.find('[');
    std::size_t uend = text.find(']');
    std::string_view name;
    if (ustart != std::string_view::npos && uend != std::string_view::npos && uend > ustart &&
        uend < from) {
        name = text.substr(ustart + 1, uend - ustart - 1);
    } else if (std::size_t u = text.find("ser "); u != std::string_view::npos && u < from) {
        name = text.substr(u + 4, from - u - 4);
    }
    if (!name.empty()) out.user_hash = hash_identity(ctx, name);
}

void fill(const Fields& f, const ParseContext& ctx, core::Event& out) {
    out.observer_vendor = "WatchGuard";
    out.observer_product.assign(f.product.empty() ? "Firebox" : f.product);
    if (!f.name.empty()) out.observer_name.assign(f.name);
    if (!f.serial.empty()) out.observer_serial.assign(f.serial);
    if (auto t = dev_time_ns(f.dev_time)) out.time_ns = *t;
    if (auto a = core::IpAddress::parse(f.src)) out.src_ip = *a;
    if (auto a = core::IpAddress::parse(f.dst)) out.dst_ip = *a;
    out.set_transport(core::transport_from_name(f.proto));
    bool icmp = out.transport == core::Transport::kIcmp;
    if (auto p = to_port(f.sport)) icmp ? out.set_icmp_type(static_cast<std::uint8_t>(*p))
                                        : out.set_src_port(*p);
    if (auto p = to_port(f.dport)) icmp ? out.set_icmp_code(static_cast<std::uint8_t>(*p))
                                        : out.set_dst_port(*p);
    if (!f.in_if.empty()) out.ingress_interface.assign(f.in_if);
    if (!f.out_if.empty()) out.egress_interface.assign(f.out_if);
    out.action = action_from_word(f.disp);
    out.rule_name.assign(f.rule_name.empty() ? f.policy : f.rule_name);
    out.event_code.assign(f.event_id);
    if (auto v = to_uint<std::uint64_t>(f.sent)) out.set_src_bytes(*v);
    if (auto v = to_uint<std::uint64_t>(f.rcvd)) out.set_dst_bytes(*v);
    if (auto v = to_uint<std::uint64_t>(f.duration); v && *v < (1ull << 32)) {
        out.set_duration_ns(static_cast<std::int64_t>(*v) * core::kNanosPerSecond);
    }
    if (!f.user.empty()) out.user_hash = hash_identity(ctx, f.user);
    if (icontains(f.msg, "IPS")) {
        out.category = core::Category::kIds;
    }
    read_auth_text(f.msg, ctx, out);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    Fields f;
    auto leef = cef::split_envelope(msg.raw, "LEEF:", 5);
    if (leef && iequals(leef->vendor, "WatchGuard")) {
        f.event_id = leef->event_id;
        f.product = leef->product;  // "XTM", "Firebox"
        read_leef(leef->extension, f);
    } else {
        std::size_t p = msg.raw.find("msg_id=\"");
        if (p == std::string_view::npos) {
            return core::fail(core::Error::parse("no msg_id or LEEF header", "msg_id", 0));
        }
        std::size_t q = msg.raw.find('"', p + 8);
        if (q == std::string_view::npos) {
            return core::fail(core::Error::parse("unterminated msg_id", "msg_id", p));
        }
        f.event_id = msg.raw.substr(p + 8, q - p - 8);
        std::string_view rest = msg.raw.substr(q + 1);
        std::string_view first = trim(rest).substr(0, trim(rest).find(' '));
        KvReader kv(rest);
        std::string_view k;
        std::string_view v;
        while (kv.next(k, v)) {
            set_field(f, k, v);
        }
        if (action_from_word(first) != core::Action::kUnknown) {
            read_positional(rest, f);
        } else {
            f.msg = trim(rest);  // a text record: authentication, VPN, system notice
        }
    }
    fill(f, ctx, out);
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.outcome == core::Outcome::kUnknown) {
        return Disposition::kIgnored;  // DHCP, system and configuration notices
    }
    return Disposition::kEvent;
}

}  // namespace

const Format& watchguard() {
    static const Format kFormat{kName, "WatchGuard Firebox syslog (msg_id) and LEEF", probe,
                                parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
