// pfSense and OPNsense `filterlog` lines: one CSV record per packet pf logged.
//
//   <rule>,<sub rule>,<anchor>,<tracker>,<interface>,<reason>,<action>,<in|out>,<4|6>,
//   IPv4: <tos>,<ecn>,<ttl>,<id>,<offset>,<flags>,<proto id>,<proto>,<length>,<src>,<dst>,
//   IPv6: <class>,<flow label>,<hop limit>,<proto>,<proto id>,<length>,<src>,<dst>,
//   then per protocol: TCP/UDP <sport>,<dport>,<data length>[,<flags>,<seq>,<ack>,<win>,…];
//   ICMP <type word>,…; CARP <type>,<ttl>,<vhid>,…
//
// Rule fields follow what pflog itself records: the rule number becomes rule_id and the
// rule's label (pfSense's tracker, OPNsense's rule hash) becomes rule_name, so that both
// the position and the stable label reach the report. The OPNsense syslog stream also
// carries resolver and DHCP lines from the same box; see pf_filterlog_aux.cpp.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "parse/formats/formats.h"
#include "parse/formats/pf_filterlog_aux.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::string_view kName = "pf_filterlog";
constexpr std::size_t kMaxFields = 40;

using Fields = std::array<std::string_view, kMaxFields>;

// Column positions that differ between the IPv4 and IPv6 layouts.
struct Layout {
    std::size_t proto_id;
    std::size_t proto_text;
    std::size_t length;
    std::size_t src;
    std::size_t dst;
    std::size_t rest;  // first protocol-specific column
};
constexpr Layout kV4{15, 16, 17, 18, 19, 20};
constexpr Layout kV6{13, 12, 14, 15, 16, 17};

bool is_hex_label(std::string_view s) {
    if (s.size() < 16) {
        return false;
    }
    for (char c : s) {
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
        if (!hex) {
            return false;
        }
    }
    return true;
}

std::size_t offset_of(std::string_view field, std::string_view raw) {
    if (field.data() < raw.data() || field.data() > raw.data() + raw.size()) {
        return core::Error::kNoOffset;
    }
    return static_cast<std::size_t>(field.data() - raw.data());
}

bool is_action_word(std::string_view s) {
    return s == "pass" || s == "block" || s == "reject" || s == "match" || s == "scrub" ||
           s == "nat" || s == "rdr" || s == "binat" || s == "synproxy-drop";
}

// Cheap structural test on the first columns of a header-less record.
bool looks_like_record(std::string_view s) {
    if (s.empty() || s.front() < '0' || s.front() > '9') {
        return false;
    }
    Fields f{};
    std::size_t n = split_csv(s, f);
    return n >= 17 && is_action_word(f[6]) && (f[7] == "in" || f[7] == "out") &&
           (f[8] == "4" || f[8] == "6");
}

// ICMP type word → (type, code) as pf prints them.
void set_icmp_word(std::string_view w, core::Event& out) {
    struct Entry {
        std::string_view word;
        int type;
        int code;  // -1: not implied
    };
    static constexpr std::array<Entry, 12> kTable = {{
        {"request", 8, -1},      {"reply", 0, -1},      {"unreachproto", 3, 2},
        {"unreachport", 3, 3},   {"unreach", 3, -1},    {"needfrag", 3, 4},
        {"timexceed", 11, -1},   {"paramprob", 12, -1}, {"redirect", 5, -1},
        {"maskreply", 18, -1},   {"tstamp", 13, -1},    {"tstampreply", 14, -1},
    }};
    for (const auto& e : kTable) {
        if (e.word == w) {
            out.set_icmp_type(static_cast<std::uint8_t>(e.type));
            if (e.code >= 0) {
                out.set_icmp_code(static_cast<std::uint8_t>(e.code));
            }
            return;
        }
    }
}

void set_protocol(std::string_view id, std::string_view text, core::Event& out) {
    if (auto n = to_uint<std::uint8_t>(id)) {
        out.set_ip_protocol(*n);
        return;
    }
    // Some emitters swap the two columns; take whichever is meaningful.
    if (auto n = to_uint<std::uint8_t>(text)) {
        out.set_ip_protocol(*n);
    } else if (auto t = core::transport_from_name(text); t != core::Transport::kUnknown) {
        out.set_transport(t);
    }
}

core::Result<Disposition> read_ports(const Fields& f, std::size_t n, const Layout& l,
                                     std::string_view raw, core::Event& out) {
    if (n <= l.rest + 1) {
        return core::fail(core::Error::parse("filterlog record ends before the ports", "port",
                                             raw.size()));
    }
    auto sport = to_port(f[l.rest]);
    auto dport = to_port(f[l.rest + 1]);
    if (!sport || !dport) {
        std::string_view bad = sport ? f[l.rest + 1] : f[l.rest];
        return core::fail(core::Error::parse("malformed port", sport ? "destination.port"
                                                                     : "source.port",
                                             offset_of(bad, raw)));
    }
    out.set_src_port(*sport);
    out.set_dst_port(*dport);
    return Disposition::kEvent;
}

void set_rule_and_observer(const Fields& f, core::Event& out) {
    std::string_view tracker = f[3];
    out.rule_id.assign(f[0]);
    out.rule_name.assign(tracker);
    out.rule_ruleset.assign(f[2]);  // anchor
    if (is_hex_label(tracker)) {
        out.observer_vendor.assign("Deciso");
        out.observer_product.assign("OPNsense");
    } else {
        out.observer_vendor.assign("Netgate");
        out.observer_product.assign("pfSense");
    }
    if (f[7] == "out") {
        out.egress_interface.assign(f[4]);
    } else {
        out.ingress_interface.assign(f[4]);
    }
    core::Action a = action_from_word(f[6]);
    out.action = a;
}

// Picks the column layout; a record whose version column disagrees with where its
// addresses are is read by the addresses.
std::optional<Layout> choose_layout(const Fields& f, std::size_t n) {
    const Layout& want = f[8] == "6" ? kV6 : kV4;
    const Layout& other = f[8] == "6" ? kV4 : kV6;
    for (const Layout* l : {&want, &other}) {
        if (n > l->dst && core::IpAddress::parse(f[l->src]) && core::IpAddress::parse(f[l->dst])) {
            return *l;
        }
    }
    return std::nullopt;
}

core::Result<Disposition> parse_record(std::string_view s, std::string_view raw,
                                       core::Event& out) {
    Fields f{};
    std::size_t n = split_csv(s, f);
    if (n < 9 || (f[8] != "4" && f[8] != "6")) {
        std::size_t at = n >= 9 ? offset_of(f[8], raw) : raw.size();
        return core::fail(
            core::Error::parse("not a filterlog record (IP version)", "ip_version", at));
    }
    auto layout = choose_layout(f, n);
    if (!layout) {
        std::size_t col = f[8] == "6" ? kV6.src : kV4.src;
        std::size_t at = n > col ? offset_of(f[col], raw) : raw.size();
        return core::fail(core::Error::parse("malformed or missing address", "source.ip", at));
    }
    const Layout& l = *layout;
    set_rule_and_observer(f, out);
    out.category = core::Category::kFirewall;
    out.src_ip = *core::IpAddress::parse(f[l.src]);
    out.dst_ip = *core::IpAddress::parse(f[l.dst]);
    set_protocol(f[l.proto_id], f[l.proto_text], out);
    if (auto len = to_uint<std::uint32_t>(f[l.length])) {
        out.set_bytes(*len);
        out.set_src_bytes(*len);
        out.set_packets(1);
        out.set_src_packets(1);
    }
    switch (out.transport) {
        case core::Transport::kTcp:
        case core::Transport::kUdp:
        case core::Transport::kSctp:
            return read_ports(f, n, l, raw, out);
        case core::Transport::kIcmp:
        case core::Transport::kIcmpv6:
            if (n > l.rest) {
                set_icmp_word(f[l.rest], out);
            }
            break;
        default:
            break;
    }
    return Disposition::kEvent;
}

int probe(const SyslogMessage& msg) {
    if (msg.app_name == "filterlog") {
        return 95;
    }
    if (pf_filterlog_detail::is_companion(msg)) {
        return 15;
    }
    return looks_like_record(msg.msg) ? 85 : 0;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    if (msg.app_name != "filterlog" && pf_filterlog_detail::is_companion(msg)) {
        return pf_filterlog_detail::parse_companion(msg, out);
    }
    return parse_record(msg.msg, msg.raw, out);
}

}  // namespace

const Format& pf_filterlog() {
    static const Format kFormat{"pf_filterlog",
                                "pfSense and OPNsense filterlog CSV (IPv4, IPv6; TCP, UDP, ICMP, "
                                "CARP …)",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
