// Linux netfilter LOG lines: iptables/ip6tables LOG target, nftables `log`, ulogd LOGEMU,
// UFW, Ubiquiti EdgeOS/VyOS ("[wan-lan-default-D]IN=…") and the Proxmox VE firewall log
// ("0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=…").
//
// All of them print the kernel's nf_log fields after an administrator-chosen prefix:
//   <prefix>IN=eth0 OUT= MAC=… SRC=… DST=… LEN=… … PROTO=TCP SPT=… DPT=… [flags]
// The prefix names the rule and usually its verdict; the fields are the packet's headers.
// This is the hottest format, so the scan is one pass over space-separated tokens with a
// switch on the key, no allocation beyond the Event's own strings.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "parse/formats/formats.h"
#include "parse/formats/iptables_prefix.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::string_view kName = "iptables";

// Position of `key` ("IN=", "SRC=") where it starts a token, or npos.
std::size_t find_token_key(std::string_view s, std::string_view key, std::size_t from = 0) {
    std::size_t p = s.find(key, from);
    while (p != std::string_view::npos) {
        if (p == 0 || s[p - 1] == ' ' || s[p - 1] == ']' || s[p - 1] == ':') {
            return p;
        }
        p = s.find(key, p + 1);
    }
    return std::string_view::npos;
}

// A kernel log stamp "[ 1234.567890] " carries seconds since boot, not wall-clock time.
std::string_view strip_kernel_stamp(std::string_view s) {
    if (s.empty() || s.front() != '[') {
        return s;
    }
    std::size_t i = 1;
    while (i < s.size() && (s[i] == ' ' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9'))) {
        ++i;
    }
    if (i < s.size() && s[i] == ']' && i > 1) {
        s.remove_prefix(i + 1);
        while (!s.empty() && s.front() == ' ') {
            s.remove_prefix(1);
        }
    }
    return s;
}

// The text that holds the prefix and the fields: for a "kernel:" tag the message after it
// (the tag is not part of the prefix); otherwise everything after the host name, because
// syslog splitting takes a prefix such as "DENY:" for a tag.
std::string_view body_of(const SyslogMessage& msg) {
    if (msg.app_name == "kernel") {
        return strip_kernel_stamp(msg.msg);
    }
    return strip_kernel_stamp(msg.content);
}

struct Seen {
    bool src = false;
    bool dst = false;
    bool len = false;
    bool proto = false;
    bool spt = false;
    bool dpt = false;
    bool type = false;
    bool code = false;
};

core::Error field_error(std::string_view what, std::string_view key, std::size_t offset) {
    std::string m(what);
    m.append(" in ");
    m.append(key);
    return core::Error::parse(std::move(m), key, offset);
}

// Reads one KEY=value token into `out`. Returns an error for a malformed address or port.
std::optional<core::Error> read_field(std::string_view key, std::string_view val,
                                      std::size_t offset, Seen& seen, core::Event& out) {
    switch (key.size()) {
        case 2:
            if (key == "IN") {
                out.ingress_interface.assign(val);
            }
            break;
        case 3:
            if (key == "OUT") {
                out.egress_interface.assign(val);
            } else if (key == "SRC" || key == "DST") {
                bool is_src = key[0] == 'S';
                if (is_src ? seen.src : seen.dst) {
                    break;
                }
                auto ip = core::IpAddress::parse(val);
                if (!ip) {
                    return field_error("malformed address", key, offset);
                }
                (is_src ? out.src_ip : out.dst_ip) = *ip;
                (is_src ? seen.src : seen.dst) = true;
            } else if (key == "LEN" && !seen.len) {
                // The first LEN is the IP datagram's; a later one is the UDP header's.
                seen.len = true;
                if (auto n = to_uint<std::uint32_t>(val)) {
                    out.set_src_bytes(*n);
                    out.set_src_packets(1);
                }
            } else if ((key == "SPT" && !seen.spt) || (key == "DPT" && !seen.dpt)) {
                auto port = to_port(val);
                if (!port) {
                    return field_error("malformed port", key, offset);
                }
                if (key[0] == 'S') {
                    seen.spt = true;
                    out.set_src_port(*port);
                } else {
                    seen.dpt = true;
                    out.set_dst_port(*port);
                }
            }
            break;
        case 4:
            if (key == "TYPE" && !seen.type) {
                seen.type = true;
                if (auto n = to_uint<std::uint8_t>(val)) {
                    out.set_icmp_type(*n);
                }
            } else if (key == "CODE" && !seen.code) {
                seen.code = true;
                if (auto n = to_uint<std::uint8_t>(val)) {
                    out.set_icmp_code(*n);
                }
            }
            break;
        case 5:
            if (key == "PROTO" && !seen.proto) {
                seen.proto = true;
                if (auto n = to_uint<std::uint8_t>(val)) {
                    out.set_ip_protocol(*n);
                } else if (auto t = core::transport_from_name(val);
                           t != core::Transport::kUnknown) {
                    out.set_transport(t);
                } else if (!val.empty()) {
                    out.set_transport(core::Transport::kOther);
                }
            }
            break;
        default:
            break;
    }
    return std::nullopt;
}

// Scans the KEY=value fields. `base` is the offset of `s` in the raw line (for errors).
core::Result<Disposition> read_fields(std::string_view s, std::size_t base, bool full,
                                      core::Event& out) {
    Seen seen;
    // One byte loop finds both the token end and its '=' (cheaper than two searches per
    // token on these short tokens).
    const std::size_t n = s.size();
    std::size_t pos = 0;
    while (pos < n) {
        // "[SRC=… DST=…]" after an ICMP error is the quoted original packet, not this one.
        if (s[pos] == '[') {
            break;
        }
        std::size_t end = pos;
        std::size_t eq = std::string_view::npos;
        while (end < n && s[end] != ' ') {
            if (s[end] == '=' && eq == std::string_view::npos) {
                eq = end;
            }
            ++end;
        }
        if (eq != std::string_view::npos) {
            if (auto err = read_field(s.substr(pos, eq - pos), s.substr(eq + 1, end - eq - 1),
                                      base + eq + 1, seen, out)) {
                return core::fail(std::move(*err));
            }
        }
        pos = end + 1;
    }
    if (full && !(seen.src && seen.dst)) {
        return core::fail(core::Error::parse("netfilter line without SRC= and DST=",
                                             seen.src ? "DST" : "SRC", base + s.size()));
    }
    if (!full && !seen.proto) {
        return core::fail(core::Error::parse("no netfilter fields", "PROTO", base));
    }
    return Disposition::kEvent;
}

int probe(const SyslogMessage& msg) {
    std::string_view s = msg.content;
    if (iptables_detail::is_proxmox(s)) {
        return 80;
    }
    std::size_t src = find_token_key(s, "SRC=");
    if (src != std::string_view::npos) {
        if (find_token_key(s, "DST=", src) == std::string_view::npos) {
            return 0;
        }
        std::size_t in = find_token_key(s.substr(0, src), "IN=");
        if (in == std::string_view::npos) {
            in = find_token_key(s.substr(0, src), "OUT=");
        }
        if (in == std::string_view::npos) {
            return 20;
        }
        // The prefix region may still hold the "kernel:" tag; the rule label is last.
        std::string_view prefix = s.substr(0, in);
        std::size_t open = prefix.rfind('[');
        bool edgeos = open != std::string_view::npos &&
                      iptables_detail::looks_ubiquiti(prefix.substr(open));
        return edgeos ? 70 : 50;
    }
    // A fragment of a long kernel line split by the sender: no addresses left, but still
    // the packet's protocol and ports.
    if (find_token_key(s, "PROTO=") != std::string_view::npos &&
        find_token_key(s, "SPT=") != std::string_view::npos &&
        s.find("kernel") != std::string_view::npos) {
        return 25;
    }
    return 0;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    out.category = core::Category::kFirewall;
    out.observer_vendor.assign("Linux");
    out.observer_product.assign("netfilter");

    std::string_view s = body_of(msg);
    if (iptables_detail::is_proxmox(msg.content)) {
        auto rest = iptables_detail::read_proxmox(msg.content, out);
        if (!rest) {
            return core::fail(std::move(rest.error()));
        }
        s = *rest;
    }
    std::size_t in = find_token_key(s, "IN=");
    if (in == std::string_view::npos) {
        in = find_token_key(s, "OUT=");
    }
    bool full = in != std::string_view::npos;
    if (full) {
        iptables_detail::apply_prefix(s.substr(0, in), out);
        s.remove_prefix(in);
    }
    auto base = static_cast<std::size_t>(s.data() - msg.raw.data());
    if (s.data() < msg.raw.data() || base > msg.raw.size()) {
        base = 0;  // a view not into raw (never expected): report offsets from the body
    }
    return read_fields(s, base, full, out);
}

}  // namespace

const Format& iptables() {
    static const Format kFormat{
        "iptables",
        "Linux netfilter LOG/nftables/ulogd lines, incl. UFW, Ubiquiti EdgeOS and Proxmox VE",
        probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
