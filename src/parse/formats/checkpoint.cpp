// Check Point (Log Exporter / fw1-loggrabber) logs in three encodings: syslog
// `[key:"value"; …]`, CEF (`CEF:0|Check Point|VPN-1 & FireWall-1|…`, also with the "CEF:"
// or an empty first field mangled by a collector), and the quoted "Generic" column form.
// See docs/formats/checkpoint.md.
#include <array>

#include "core/time.h"
#include "parse/cef_reader.h"
#include "parse/formats/checkpoint_internal.h"
#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using namespace checkpoint_detail;

constexpr std::string_view kVendor = "Check Point";

// ---- CEF -------------------------------------------------------------------------------

// The CEF header fields (device product, signature id, name, severity) and extension.
struct CefParts {
    std::string_view product, signature, name, severity, ext;
};

bool split_cp_cef(std::string_view raw, CefParts& p) {
    std::size_t at = cef::find_cef(raw);
    if (at == std::string_view::npos) {
        return false;
    }
    std::string_view s = raw.substr(at);
    std::array<std::string_view, 8> h{};
    std::string_view rest;
    std::size_t n = cef::split_header(s, h, rest);
    // Some relays emit "CEF:0||Check Point|…": one empty field shifts the header by one.
    std::size_t shift = n >= 2 && h[1].empty() && h[2] == kVendor ? 1 : 0;
    if (h[1 + shift] != kVendor) {
        return false;
    }
    std::array<std::string_view, 7> h7{};
    if (shift == 0) {
        if (cef::split_header(s, h7, rest) < h7.size()) {
            return false;
        }
    } else if (n < h.size()) {
        return false;
    }
    p.product = h[2 + shift];
    p.signature = h[4 + shift];
    p.name = h[5 + shift];
    p.severity = h[6 + shift];
    p.ext = rest;
    return true;
}

core::Result<Disposition> parse_cef(const CefParts& p, const ParseContext& ctx, core::Event& out) {
    Fields f;
    f.product = p.product;
    f.severity = p.severity;
    out.event_code = p.signature;
    // cs1..cs6 take their meaning from their labels; a label precedes or follows its value.
    std::array<std::string_view, 7> cs{};
    std::array<std::string_view, 7> label{};
    cef::ExtReader rd(p.ext);
    std::string_view k;
    std::string_view v;
    while (rd.next(k, v)) {
        if (k.size() >= 3 && k.starts_with("cs") && k[2] >= '1' && k[2] <= '6') {
            auto i = static_cast<std::size_t>(k[2] - '0');
            if (k.size() == 3 && cs[i].empty()) {
                cs[i] = v;
            } else if (k.substr(3) == "Label" && label[i].empty()) {
                label[i] = v;
            }
            continue;
        }
        if (k == "deviceDirection") {
            f.cef_direction_out = v == "1";
            continue;
        }
        take(k, v, f, out);
    }
    for (std::size_t i = 1; i < cs.size(); ++i) {
        if (label[i] == "Rule Name") {
            f.rule_name = cs[i];
        } else if (label[i] == "Protection Name") {
            f.protection_name = cs[i];
        } else if (label[i] == "Protection ID") {
            f.protection_id = cs[i];
        } else if (label[i] == "Threat Prevention Rule Name") {
            f.tp_rule = cs[i];
        }
    }
    finish(f, ctx, out);
    return out.src_ip.is_set() || out.dst_ip.is_set() ? Disposition::kEvent : Disposition::kIgnored;
}

// ---- syslog key:"value"; -----------------------------------------------------------------

std::size_t find_kv_body(std::string_view raw) {
    std::size_t p = raw.find(":\"");
    if (p == std::string_view::npos) {
        return p;
    }
    std::size_t open = raw.rfind('[', p);
    return open == std::string_view::npos ? p : open + 1;
}

bool looks_like_kv(std::string_view raw) {
    return raw.find("loguid:\"") != std::string_view::npos ||
           raw.find("origin_sic_name:\"") != std::string_view::npos ||
           raw.find("originsicname:\"") != std::string_view::npos;
}

core::Result<Disposition> parse_kv(std::string_view raw, const ParseContext& ctx,
                                   core::Event& out) {
    std::size_t start = find_kv_body(raw);
    if (start == std::string_view::npos) {
        return core::fail(core::Error::parse("no key:\"value\" pairs", "body", 0));
    }
    Fields f;
    std::size_t pos = start;
    while (pos < raw.size()) {
        while (pos < raw.size() && (raw[pos] == ' ' || raw[pos] == ';')) {
            ++pos;
        }
        std::size_t sep = raw.find(":\"", pos);
        if (sep == std::string_view::npos || raw[pos] == ']') {
            break;
        }
        std::string_view key = trim(raw.substr(pos, sep - pos));
        std::size_t i = sep + 2;
        while (i < raw.size() && raw[i] != '"') {
            i += raw[i] == '\\' ? 2 : 1;
        }
        if (i >= raw.size()) {
            return core::fail(core::Error::parse("unterminated value", key, sep));
        }
        take(key, raw.substr(sep + 2, i - sep - 2), f, out);
        pos = i + 1;
    }
    finish(f, ctx, out);
    return out.src_ip.is_set() || out.dst_ip.is_set() ? Disposition::kEvent : Disposition::kIgnored;
}

// ---- Generic: "num" "10Dec2019" "23:44:49" "eth1" "origin" "Log" "Accept" "svc" "sport" …

constexpr std::size_t kGenericFields = 20;

bool is_cp_date(std::string_view d) {
    // "10Dec2019" or "1Dec2019"
    std::size_t n = d.size();
    return (n == 9 || n == 8) && core::month_from_abbrev(d.substr(n - 7, 3)) != 0 &&
           to_uint<unsigned>(d.substr(0, n - 7)).has_value() &&
           to_uint<unsigned>(d.substr(n - 4)).has_value();
}

// Reads up to out.size() double-quoted, space-separated columns; returns how many.
std::size_t quoted_columns(std::string_view s, std::span<std::string_view> out) {
    std::size_t n = 0;
    std::size_t pos = 0;
    while (n < out.size()) {
        std::size_t open = s.find('"', pos);
        if (open == std::string_view::npos) {
            break;
        }
        std::size_t close = s.find('"', open + 1);
        if (close == std::string_view::npos) {
            break;
        }
        out[n++] = s.substr(open + 1, close - open - 1);
        pos = close + 1;
    }
    return n;
}

bool looks_like_generic(std::string_view raw) {
    std::array<std::string_view, 3> c{};
    std::size_t at = raw.find('"');
    return at != std::string_view::npos && quoted_columns(raw.substr(at, 64), c) == 3 &&
           is_cp_date(c[1]) && c[2].size() == 8 && c[2][2] == ':';
}

core::Result<Disposition> parse_generic(std::string_view raw, const ParseContext& ctx,
                                        core::Event& out) {
    std::array<std::string_view, kGenericFields> c{};
    std::size_t n = quoted_columns(raw, c);
    if (n < 12) {
        return core::fail(core::Error::parse("Check Point generic line truncated", "proto",
                                             raw.size()));
    }
    std::string_view d = c[1];
    core::CivilTime t;
    t.day = static_cast<int>(to_uint<unsigned>(d.substr(0, d.size() - 7)).value_or(1));
    t.month = core::month_from_abbrev(d.substr(d.size() - 7, 3));
    t.year = static_cast<int>(to_uint<unsigned>(d.substr(d.size() - 4)).value_or(1970));
    Cursor tc(c[2]);
    t.hour = static_cast<int>(to_uint<unsigned>(tc.token(':')).value_or(0));
    t.minute = static_cast<int>(to_uint<unsigned>(tc.token(':')).value_or(0));
    t.second = static_cast<int>(to_uint<unsigned>(tc.token(':')).value_or(0));
    if (auto ns = core::civil_to_ns(t)) {
        out.time_ns = ctx.tz.local_to_utc(*ns);
    }
    Fields f;
    f.ifname = c[3];
    f.action = c[6];
    f.product = c[17];
    take("service", c[7], f, out);
    take("s_port", c[8], f, out);
    take("src", c[9], f, out);
    take("dst", c[10], f, out);
    take("proto", c[11], f, out);
    f.rule_number = c[12];
    f.rule_name = c[13];
    finish(f, ctx, out);
    return out.src_ip.is_set() || out.dst_ip.is_set() ? Disposition::kEvent : Disposition::kIgnored;
}

// ---- format ----------------------------------------------------------------------------

int probe(const SyslogMessage& msg) {
    CefParts p;
    if (split_cp_cef(msg.raw, p)) {
        return 95;  // beats generic CEF
    }
    if (looks_like_kv(msg.raw)) {
        return msg.app_name == "CheckPoint" ? 95 : 85;
    }
    if (looks_like_generic(msg.raw)) {
        return 70;
    }
    return 0;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "checkpoint", out);
    out.observer_vendor = kVendor;
    out.observer_product = "Security Gateway";
    CefParts p;
    if (split_cp_cef(msg.raw, p)) {
        out.observer_product = p.product;
        return parse_cef(p, ctx, out);
    }
    if (looks_like_kv(msg.raw)) {
        return parse_kv(msg.raw, ctx, out);
    }
    if (looks_like_generic(msg.raw)) {
        return parse_generic(msg.raw, ctx, out);
    }
    return core::fail(core::Error::parse("not a Check Point log", "header", 0));
}

}  // namespace

const Format& checkpoint() {
    static const Format kFormat{"checkpoint",
                                "Check Point syslog key:\"value\", CEF and generic column logs",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
