// MikroTik RouterOS remote syslog.
//
// A firewall rule with log=yes writes
//   [topics] [log-prefix ]<chain>: in:<if> out:<if|(unknown 0)>, [connection-state:<s> ]
//   [src-mac <mac>, ]proto <P>[ (<flags>|type t, code c)], <src>[:<port>]-><dst>[:<port>],
//   [NAT …, ]len <n>
// with IPv6 endpoints in brackets. The verdict is not printed: administrators name it in
// the log prefix ("drop-in"), so the action comes from the prefix words. Log-in lines
// ("login failure for user <u> from <ip> via <service>") become auth events with the user
// name hashed. Other topics (DHCP, interface, system notices) are ignored.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

constexpr std::string_view kName = "mikrotik";
constexpr std::size_t npos = std::string_view::npos;

bool is_topic_char(char c) { return (c >= 'a' && c <= 'z') || c == ',' || c == '-'; }

// The topics RouterOS puts first ("firewall,info", "system,error,critical"), or empty.
std::string_view topics_of(std::string_view s) {
    std::size_t end = s.find(' ');
    std::string_view t = s.substr(0, end);
    if (t.find(',') == npos || t.size() > 64) {
        return {};
    }
    for (char c : t) {
        if (!is_topic_char(c)) {
            return {};
        }
    }
    return t;
}

bool has_topic(std::string_view topics, std::string_view word) {
    Cursor c(topics);
    while (!c.done()) {
        if (c.token(',') == word) {
            return true;
        }
    }
    return false;
}

bool is_firewall_body(std::string_view s) {
    std::size_t in = s.find(": in:");
    return in != npos && s.find(" out:", in) != npos && s.find("->", in) != npos;
}

// "1.2.3.4:80", "[2001:db8::1]:80", "1.2.3.4", "2001:db8::1" → address and optional port.
bool read_endpoint(std::string_view s, core::IpAddress& ip, std::optional<std::uint16_t>& port) {
    std::string_view addr = s;
    std::string_view port_text;
    if (!s.empty() && s.front() == '[') {
        std::size_t close = s.find(']');
        if (close == npos) {
            return false;
        }
        addr = s.substr(1, close - 1);
        if (close + 1 < s.size()) {
            if (s[close + 1] != ':') {
                return false;
            }
            port_text = s.substr(close + 2);
        }
    } else if (std::size_t colon = s.find(':'); colon != npos && s.find(':', colon + 1) == npos) {
        addr = s.substr(0, colon);
        port_text = s.substr(colon + 1);
    }
    auto parsed = core::IpAddress::parse(addr);
    if (!parsed) {
        return false;
    }
    ip = *parsed;
    if (!port_text.empty()) {
        port = to_port(port_text);
        if (!port) {
            return false;
        }
    }
    return true;
}

// Value after `key` up to the next ',' or ' ' (or the end).
std::string_view word_after(std::string_view s, std::string_view key) {
    std::size_t p = s.find(key);
    if (p == npos) {
        return {};
    }
    std::string_view rest = s.substr(p + key.size());
    std::size_t end = rest.find_first_of(", ");
    return rest.substr(0, end);
}

void read_interfaces(std::string_view s, core::Event& out) {
    std::string_view in = word_after(s, " in:");
    if (!in.empty() && in.front() != '(') {
        out.ingress_interface.assign(in);
    }
    std::string_view o = word_after(s, " out:");
    if (!o.empty() && o.front() != '(') {
        out.egress_interface.assign(o);
    }
}

// "proto ICMP (type 3, code 3)" → ICMP type and code.
void read_icmp(std::string_view after_proto, core::Event& out) {
    std::size_t open = after_proto.find("(type ");
    if (open == npos || open > 8) {
        return;
    }
    std::string_view r = after_proto.substr(open + 6);
    std::string_view type = r.substr(0, r.find(','));
    if (auto t = to_uint<std::uint8_t>(type)) {
        out.set_icmp_type(*t);
    }
    std::size_t code = r.find("code ");
    if (code != npos) {
        std::string_view c = r.substr(code + 5);
        if (auto v = to_uint<std::uint8_t>(c.substr(0, c.find(')')))) {
            out.set_icmp_code(*v);
        }
    }
}

void set_action_from_words(std::string_view prefix, core::Event& out) {
    std::size_t i = 0;
    while (i < prefix.size()) {
        std::size_t start = i;
        while (i < prefix.size() && prefix[i] != '-' && prefix[i] != '_' && prefix[i] != ' ') {
            ++i;
        }
        core::Action a = action_from_word(prefix.substr(start, i - start));
        if (a != core::Action::kUnknown) {
            out.action = a;
            return;
        }
        ++i;
    }
}

core::Result<Disposition> parse_firewall(std::string_view s, std::size_t base, core::Event& out) {
    std::size_t colon = s.find(": in:");
    std::string_view head = trim(s.substr(0, colon));
    std::size_t sp = head.rfind(' ');
    std::string_view chain = sp == npos ? head : head.substr(sp + 1);
    std::string_view prefix = sp == npos ? std::string_view{} : trim(head.substr(0, sp));
    out.rule_ruleset.assign(chain);
    out.rule_name.assign(prefix);
    set_action_from_words(prefix, out);
    std::string_view body = s.substr(colon + 1);
    read_interfaces(body, out);

    std::size_t proto_at = body.find(" proto ");
    if (proto_at != npos) {
        std::string_view after = body.substr(proto_at + 7);
        std::string_view name = after.substr(0, after.find_first_of(", "));
        if (auto t = core::transport_from_name(name); t != core::Transport::kUnknown) {
            out.set_transport(t);
        } else if (auto n = to_uint<std::uint8_t>(name)) {
            out.set_ip_protocol(*n);
        }
        read_icmp(after.substr(name.size()), out);
    }
    std::size_t arrow = body.find("->", proto_at == npos ? 0 : proto_at);
    if (arrow == npos) {
        return core::fail(core::Error::parse("no src->dst in firewall line", "source.ip", base));
    }
    std::size_t left = body.rfind(' ', arrow);
    left = left == npos ? 0 : left + 1;
    std::size_t right = body.find(',', arrow);
    std::string_view src = body.substr(left, arrow - left);
    std::string_view dst = body.substr(arrow + 2, right == npos ? npos : right - arrow - 2);
    std::optional<std::uint16_t> sport;
    std::optional<std::uint16_t> dport;
    std::size_t at = base + colon + 1;
    if (!read_endpoint(src, out.src_ip, sport)) {
        return core::fail(core::Error::parse("malformed source address", "source.ip", at + left));
    }
    if (!read_endpoint(dst, out.dst_ip, dport)) {
        return core::fail(
            core::Error::parse("malformed destination address", "destination.ip", at + arrow + 2));
    }
    if (sport) {
        out.set_src_port(*sport);
    }
    if (dport) {
        out.set_dst_port(*dport);
    }
    if (auto len = to_uint<std::uint32_t>(word_after(body, ", len "))) {
        out.set_bytes(*len);
        out.set_src_bytes(*len);
        out.set_packets(1);
        out.set_src_packets(1);
    }
    return Disposition::kEvent;
}

// "login failure for user <u> from <ip> via <service>", "user <u> logged in from <ip> via …"
core::Result<Disposition> parse_login(std::string_view s, const ParseContext& ctx,
                                      core::Event& out) {
    std::string_view user;
    std::string_view rest;
    if (std::size_t p = s.find("login failure for user "); p != npos) {
        rest = s.substr(p + 23);
        user = rest.substr(0, rest.find(" from "));
        out.outcome = core::Outcome::kFailure;
        out.event_code.assign("login_failure");
    } else if (std::size_t q = s.find("user "); q != npos && s.find(" logged in", q) != npos) {
        rest = s.substr(q + 5);
        user = rest.substr(0, rest.find(" logged in"));
        out.outcome = core::Outcome::kSuccess;
        out.event_code.assign("login");
    } else {
        return Disposition::kIgnored;
    }
    out.category = core::Category::kAuth;
    if (!user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    std::string_view from = word_after(rest, " from ");
    if (auto ip = core::IpAddress::parse(from)) {
        out.src_ip = *ip;
    }
    std::string_view via = word_after(rest, " via ");
    if (!via.empty() && via.size() <= 16) {
        out.app_protocol.assign(via);
    }
    return Disposition::kEvent;
}

int probe(const SyslogMessage& msg) {
    std::string_view s = msg.content;
    std::string_view topics = topics_of(s);
    bool fw = is_firewall_body(s) && s.find(" proto ") != npos;
    if (!topics.empty()) {
        if (fw) {
            return 90;
        }
        if (has_topic(topics, "system") || has_topic(topics, "account")) {
            return s.find("login failure for user ") != npos || s.find(" logged in") != npos
                       ? 70
                       : 20;
        }
        return 10;
    }
    return fw && s.find("src-mac ") != npos ? 75 : (fw ? 55 : 0);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    out.observer_vendor.assign("MikroTik");
    out.observer_product.assign("RouterOS");
    std::string_view s = msg.content;
    std::string_view topics = topics_of(s);
    if (!topics.empty()) {
        s.remove_prefix(topics.size());
        s = trim(s);
    }
    auto base = static_cast<std::size_t>(s.data() - msg.raw.data());
    if (is_firewall_body(s)) {
        out.category = core::Category::kFirewall;
        return parse_firewall(s, base, out);
    }
    if (topics.empty() || has_topic(topics, "system") || has_topic(topics, "account")) {
        auto r = parse_login(s, ctx, out);
        if (!r || *r == Disposition::kEvent || !topics.empty()) {
            return r;
        }
        return core::fail(core::Error::parse("not a RouterOS firewall or log-in line", "", base));
    }
    return Disposition::kIgnored;
}

}  // namespace

const Format& mikrotik() {
    static const Format kFormat{"mikrotik",
                                "MikroTik RouterOS firewall log lines and log-in notices", probe,
                                parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
