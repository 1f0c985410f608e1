// Sophos Firewall (XG / SFOS, both the pre-v19 `device="SFW" date= time=` form and the v19+
// `timestamp=` form) and Sophos UTM (`YYYY:MM:DD-hh:mm:ss host prog[pid]: id="2001" …`).
// Both are key=value lines; see docs/formats/sophos.md for the field mapping.
#include <optional>

#include "parse/formats/formats.h"
#include "parse/formats/sophos_fields.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using sophos_detail::SfosFields;
using sophos_detail::UtmFields;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// `id="` followed by digits and a closing quote: the UTM message id.
bool utm_id_at(std::string_view s, std::size_t pos) {
    std::size_t i = pos + 4;
    std::size_t digits = 0;
    while (i < s.size() && is_digit(s[i]) && digits < 8) {
        ++i;
        ++digits;
    }
    return digits > 0 && i < s.size() && s[i] == '"';
}

// Offset of the UTM key=value part (`id="NNNN"` first), or npos.
std::size_t utm_start(std::string_view s) {
    if (s.starts_with("id=\"") && utm_id_at(s, 0)) {
        return 0;
    }
    std::size_t p = s.find(" id=\"");
    if (p == std::string_view::npos || !utm_id_at(s, p + 1)) {
        return std::string_view::npos;
    }
    return p + 1;
}

int probe(const SyslogMessage& msg) {
    std::string_view m = msg.msg;
    if (m.find("log_type=") != std::string_view::npos) {
        bool device = m.find("device=\"SFW\"") != std::string_view::npos ||
                      m.find("device_name=") != std::string_view::npos ||
                      m.find("device_serial_id=") != std::string_view::npos;
        if (device && m.find("log_id=") != std::string_view::npos) {
            return 90;
        }
        if (m.find("log_component=") != std::string_view::npos) {
            return 70;
        }
        return 0;
    }
    std::size_t p = utm_start(msg.raw);
    if (p == std::string_view::npos) {
        return 0;
    }
    std::string_view kv = msg.raw.substr(p);
    if (kv.find(" sys=\"") != std::string_view::npos &&
        kv.find(" sub=\"") != std::string_view::npos) {
        return 90;
    }
    // The reverse proxy (WAF) lines carry no sys/sub but an id and a client address.
    if (kv.find(" srcip=\"") != std::string_view::npos &&
        kv.find(" localip=\"") != std::string_view::npos) {
        return 60;
    }
    return 0;
}

// "YYYY:MM:DD-hh:mm:ss" at the start of s (local time read as UTC).
std::optional<std::int64_t> utm_stamp(std::string_view s) {
    if (s.size() < 19 || s[4] != ':' || s[7] != ':' || s[10] != '-' || s[13] != ':' ||
        s[16] != ':') {
        return std::nullopt;
    }
    auto num = [&](std::size_t pos, std::size_t len) { return to_uint<int>(s.substr(pos, len)); };
    auto y = num(0, 4);
    auto mo = num(5, 2);
    auto d = num(8, 2);
    auto h = num(11, 2);
    auto mi = num(14, 2);
    auto sec = num(17, 2);
    if (!y || !mo || !d || !h || !mi || !sec) {
        return std::nullopt;
    }
    return core::civil_to_ns(core::CivilTime{*y, *mo, *d, *h, *mi, *sec, 0});
}

core::Result<Disposition> parse_utm(const SyslogMessage& msg, const ParseContext& ctx,
                                    std::size_t start, core::Event& out) {
    std::string_view raw = msg.raw;
    // The UTM header "YYYY:MM:DD-hh:mm:ss host prog[pid]: " is not RFC 3164; read it here.
    std::string_view head = raw.substr(0, start);
    if (!head.empty() && head[0] == '<') {
        std::size_t gt = head.find('>');
        head = gt == std::string_view::npos ? head : head.substr(gt + 1);
    }
    if (auto t = utm_stamp(head)) {
        out.time_ns = ctx.tz.local_to_utc(*t);
        Cursor c(head.substr(19));
        c.skip_spaces();
        std::string_view host = c.token(' ');
        if (ctx.observer.empty() && !host.empty() && host.back() != ':') {
            out.observer_name.assign(host);
        }
    }
    UtmFields f;
    sophos_detail::read_utm(raw.substr(start), f);
    return sophos_detail::fill_utm(f, ctx, out);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "sophos", out);
    out.observer_vendor.assign("Sophos");
    if (msg.msg.find("log_type=") == std::string_view::npos) {
        std::size_t p = utm_start(msg.raw);
        if (p == std::string_view::npos) {
            return core::fail(core::Error::parse(
                "neither an SFOS log_type= line nor a UTM id= line", "log_type", 0));
        }
        out.observer_product.assign("UTM");
        return parse_utm(msg, ctx, p, out);
    }
    out.observer_product.assign("Firewall");
    SfosFields f;
    sophos_detail::read_sfos(msg.msg, f);
    return sophos_detail::fill_sfos(f, ctx, out);
}

}  // namespace

const Format& sophos() {
    static const Format kFormat{"sophos", "Sophos Firewall (XG/SFOS) and Sophos UTM key=value logs",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
