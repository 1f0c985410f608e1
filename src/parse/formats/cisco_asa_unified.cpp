// Firepower unified events sent as syslog by FTD/FMC: 430001 intrusion, 430002 connection
// start, 430003 connection end, 430004 file, 430005 malware. The body is "Key: value, Key:
// value"; values may themselves hold ", " (user agents), so a separator only counts when a
// key follows it. URLs, file names, user names and user agents are not read.
#include <array>
#include <cctype>

#include "parse/formats/cisco_asa_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::asa {

namespace {

using core::Action;
using core::Event;

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == ' ' || c == '-';
}

// Length of "Key: " at the start of s, 0 if s does not start with a key.
std::size_t key_length(std::string_view s) {
    constexpr std::size_t kMaxKey = 40;
    for (std::size_t i = 0; i < s.size() && i < kMaxKey; ++i) {
        if (s[i] == ':') {
            return (i > 0 && i + 1 < s.size() && s[i + 1] == ' ') ? i : 0;
        }
        if (!is_key_char(s[i])) {
            return 0;
        }
    }
    return 0;
}

class UnifiedReader {
public:
    explicit UnifiedReader(std::string_view s) : s_(s) {}
    bool next(std::string_view& key, std::string_view& value) {
        while (pos_ < s_.size()) {
            std::string_view rest = s_.substr(pos_);
            std::size_t klen = key_length(rest);
            if (klen == 0) {
                return false;
            }
            key = rest.substr(0, klen);
            std::size_t vstart = klen + 2;
            std::size_t end = vstart;
            while (true) {
                end = rest.find(", ", end);
                if (end == std::string_view::npos || key_length(rest.substr(end + 2)) > 0) {
                    break;
                }
                end += 2;
            }
            value = end == std::string_view::npos ? rest.substr(vstart)
                                                  : rest.substr(vstart, end - vstart);
            pos_ = end == std::string_view::npos ? s_.size() : pos_ + end + 2;
            return true;
        }
        return false;
    }

private:
    std::string_view s_;
    std::size_t pos_ = 0;
};

Action rule_action(std::string_view v) {
    if (v.starts_with("<br/>")) {
        v.remove_prefix(5);
    }
    if (iequals(v, "Allow") || iequals(v, "Trust") || iequals(v, "Fastpath")) {
        return Action::kAllow;
    }
    if (v.find("reset") != std::string_view::npos) {
        return Action::kReject;
    }
    if (v.find("Block") != std::string_view::npos || iequals(v, "Blacklist")) {
        return Action::kDeny;
    }
    if (iequals(v, "Monitor")) {
        return Action::kAlert;
    }
    return action_from_word(v);
}

template <typename T>
void number(std::string_view v, Event& out, void (Event::*setter)(T)) {
    if (auto n = to_uint<T>(v)) {
        (out.*setter)(*n);
    }
}

struct Ids {
    std::string_view gid;
    std::string_view sid;
    std::string_view rev;
};

void apply(std::string_view k, std::string_view v, Event& out, Ids& ids) {
    if (k == "SrcIP") {
        if (auto ip = core::IpAddress::parse(v)) out.src_ip = *ip;
    } else if (k == "DstIP") {
        if (auto ip = core::IpAddress::parse(v)) out.dst_ip = *ip;
    } else if (k == "SrcPort") {
        if (auto p = to_port(v)) out.set_src_port(*p);
    } else if (k == "DstPort") {
        if (auto p = to_port(v)) out.set_dst_port(*p);
    } else if (k == "Protocol") {
        out.set_transport(core::transport_from_name(v));
    } else if (k == "IngressInterface") {
        out.ingress_interface.assign(v);
    } else if (k == "EgressInterface") {
        out.egress_interface.assign(v);
    } else if (k == "AccessControlRuleAction") {
        out.action = rule_action(v);
    } else if (k == "AccessControlRuleName") {
        out.rule_name.assign(v);
    } else if (k == "ACPolicy") {
        out.rule_ruleset.assign(v);
    } else if (k == "DeviceUUID") {
        out.observer_serial.assign(v);
    } else if (k == "InitiatorBytes") {
        number<std::uint64_t>(v, out, &Event::set_src_bytes);
    } else if (k == "ResponderBytes") {
        number<std::uint64_t>(v, out, &Event::set_dst_bytes);
    } else if (k == "InitiatorPackets") {
        number<std::uint64_t>(v, out, &Event::set_src_packets);
    } else if (k == "ResponderPackets") {
        number<std::uint64_t>(v, out, &Event::set_dst_packets);
    } else if (k == "ConnectionDuration") {
        if (auto s = to_uint<std::uint32_t>(v)) {
            out.set_duration_ns(static_cast<std::int64_t>(*s) * core::kNanosPerSecond);
        }
    } else if (k == "ApplicationProtocol") {
        out.app_protocol.assign(v);
        for (auto& c : out.app_protocol) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    } else if (k == "GID") {
        ids.gid = v;
    } else if (k == "SID") {
        ids.sid = v;
    } else if (k == "Revision") {
        ids.rev = v;
    } else if (k == "Message" && out.category == core::Category::kIds) {
        out.rule_name.assign(unquote(v));
    } else if (k == "InlineResult" && out.category == core::Category::kIds) {
        out.action = (v.starts_with("Block") || v.starts_with("Drop")) ? Action::kDrop
                                                                         : Action::kAlert;
    } else if (k == "ThreatName" && out.category == core::Category::kAv) {
        out.rule_name.assign(v);
    } else if (k == "FileAction" && out.category == core::Category::kAv) {
        out.action = v.find("Block") != std::string_view::npos ? Action::kDeny : Action::kAlert;
    } else if (k == "Priority" && out.category == core::Category::kIds) {
        out.severity = v == "1"   ? core::Severity::kHigh
                       : v == "2" ? core::Severity::kMedium
                                  : core::Severity::kLow;
    }
}

}  // namespace

core::Result<Disposition> parse_unified(unsigned id, std::string_view body, core::Event& out) {
    switch (id) {
        case 430001:
            out.category = core::Category::kIds;
            out.action = Action::kAlert;
            break;
        case 430004:
        case 430005:
            out.category = core::Category::kAv;
            out.action = Action::kAlert;
            break;
        default:
            out.category = core::Category::kFirewall;
            break;
    }
    UnifiedReader r(body);
    std::string_view k;
    std::string_view v;
    Ids ids;
    int fields = 0;
    while (r.next(k, v)) {
        apply(k, trim(v), out, ids);
        ++fields;
    }
    if (fields == 0) {
        return core::fail(core::Error::parse("no 'Key: value' fields in unified event", "body"));
    }
    if (!ids.sid.empty()) {
        out.rule_id.assign(ids.gid.empty() ? std::string_view("1") : ids.gid);
        out.rule_id.push_back(':');
        out.rule_id.append(ids.sid);
        if (!ids.rev.empty()) {
            out.rule_id.push_back(':');
            out.rule_id.append(ids.rev);
        }
    }
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.rule_name.empty()) {
        return Disposition::kIgnored;
    }
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::asa
