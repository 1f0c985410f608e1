// Barracuda management-plane messages that carry an address: admin sessions, configuration
// commits from a Control Center, and user accounting records. Everything else after the box
// name (watchdog, MSAD sync, status polls, kernel notices) is recognised and ignored.
#include <array>

#include "core/time.h"
#include "parse/formats/barracuda_msgs.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::cuda {

namespace {

using core::Category;
using core::Event;

// "a.b.c.d<sep>port" → source address and port.
bool set_source(std::string_view s, char sep, Event& out) {
    std::size_t at = s.rfind(sep);
    if (at == std::string_view::npos || !set_ip(s.substr(0, at), out.src_ip)) {
        return false;
    }
    if (auto p = to_port(s.substr(at + 1))) {
        out.set_src_port(*p);
    }
    return true;
}

// "update|box|group||||||start|last|bytes-in|bytes-out|ip|||user" (user accounting).
Disposition parse_accounting(std::string_view m, const ParseContext& ctx, Event& out) {
    std::array<std::string_view, 16> f{};
    std::size_t n = split_csv(m, f, '|');
    if (n < 13 || !set_ip(f[12], out.src_ip)) {
        return Disposition::kIgnored;
    }
    out.category = Category::kFlow;
    out.event_code.assign(f[0]);
    if (auto in = to_uint<std::uint64_t>(f[10])) {
        out.set_dst_bytes(*in);
    }
    if (auto sent = to_uint<std::uint64_t>(f[11])) {
        out.set_src_bytes(*sent);
    }
    auto start = to_uint<std::uint64_t>(f[8]);
    auto last = to_uint<std::uint64_t>(f[9]);
    if (start && last && *last >= *start) {
        if (auto ns = core::seconds_to_ns(*last - *start)) {
            out.set_duration_ns(*ns);
        }
    }
    if (n > 15 && !f[15].empty()) {
        out.user_hash = hash_identity(ctx, f[15]);
    }
    return Disposition::kEvent;
}

}  // namespace

core::Result<Disposition> parse_other(std::string_view m, std::string_view line,
                                      const ParseContext& ctx, Event& out) {
    (void)line;
    if (m.starts_with("Session from ")) {
        // An administrative (config daemon) session opened from an address.
        Cursor c(m.substr(13));
        if (set_source(c.token(' '), ':', out)) {
            out.category = Category::kAuth;
            return Disposition::kEvent;
        }
        return Disposition::kIgnored;
    }
    if (std::size_t g = m.find("GCSID_");
        m.starts_with("New Session ") && g != std::string_view::npos) {
        // GCSID_<user>_<box>_<ip>_<port>_<session>: keep the address and port only.
        std::string_view id = m.substr(g + 6);
        std::size_t last = id.rfind('_');
        std::size_t port = last == std::string_view::npos ? last : id.rfind('_', last - 1);
        std::size_t ip = port == std::string_view::npos || port == 0 ? std::string_view::npos
                                                                     : id.rfind('_', port - 1);
        if (ip != std::string_view::npos &&
            set_source(id.substr(ip + 1, last - ip - 1), '_', out)) {
            out.category = Category::kAuth;
            return Disposition::kEvent;
        }
        return Disposition::kIgnored;
    }
    if (m.starts_with("[master@")) {
        // "[master@1.2.3.4_29010]  Commit operation: …" pushed by a Control Center.
        std::size_t close = m.find(']');
        if (close != std::string_view::npos && set_source(m.substr(8, close - 8), '_', out)) {
            out.event_code.assign("commit");
            return Disposition::kEvent;
        }
        return Disposition::kIgnored;
    }
    if (m.find('|') != std::string_view::npos &&
        (m.starts_with("update|") || m.starts_with("login|") || m.starts_with("logout|"))) {
        return parse_accounting(m, ctx, out);
    }
    return Disposition::kIgnored;
}

}  // namespace cyberalarm::parse::formats::cuda
