// Check Point field vocabulary (Log Exporter field names), shared by the syslog key:"value"
// form and the CEF form.
#include "core/time.h"
#include "parse/formats/checkpoint_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::checkpoint_detail {

namespace {

core::Action action_from_cp(std::string_view a) {
    if (iequals(a, "Detect") || iequals(a, "Ask") || iequals(a, "Inform")) {
        return core::Action::kAlert;
    }
    if (iequals(a, "Prevent") || iequals(a, "Block")) {
        return core::Action::kDeny;
    }
    return action_from_word(a);  // Accept, Drop, Reject; Decrypt, Key Install … stay unknown
}

core::Category category_from_product(std::string_view p) {
    if (p.find("Anti-Virus") != std::string_view::npos ||
        p.find("Threat Emulation") != std::string_view::npos ||
        p.find("Threat Extraction") != std::string_view::npos) {
        return core::Category::kAv;
    }
    if (p.find("Anti-Spam") != std::string_view::npos) {
        return core::Category::kSpam;
    }
    if (p.find("SmartDefense") != std::string_view::npos || p.find("IPS") != std::string_view::npos ||
        p.find("Anti-Bot") != std::string_view::npos) {
        return core::Category::kIds;
    }
    return core::Category::kFirewall;
}

core::Severity severity_from_cp(std::string_view s) {
    if (iequals(s, "Very-High") || iequals(s, "Critical")) {
        return core::Severity::kCritical;
    }
    return severity_from_word(s);
}

// "CN=fw01,O=mgmt.example.xyz" → "fw01" (escaped "CN\=fw01" too).
std::string_view cn_of(std::string_view sic) {
    std::size_t p = sic.find('=');
    if (p == std::string_view::npos || !sic.starts_with("CN")) {
        return {};
    }
    std::string_view rest = sic.substr(p + 1);
    std::size_t end = rest.find(',');
    std::string_view cn = rest.substr(0, end);
    if (!cn.empty() && cn.back() == '\\') {
        cn.remove_suffix(1);
    }
    return trim(cn);
}

void set_first(std::string_view& slot, std::string_view v) {
    if (slot.empty()) {
        slot = v;  // repeated keys (one per policy layer): the first is the network layer
    }
}

}  // namespace

bool take(std::string_view k, std::string_view v, Fields& f, core::Event& out) {
    if (k == "src") {
        if (auto ip = core::IpAddress::parse(v)) out.src_ip = *ip;
    } else if (k == "dst") {
        if (auto ip = core::IpAddress::parse(v)) out.dst_ip = *ip;
    } else if (k == "s_port" || k == "spt") {
        if (auto p = to_port(v)) out.set_src_port(*p);
    } else if (k == "service" || k == "dpt") {
        if (auto p = to_port(v)) out.set_dst_port(*p);
    } else if (k == "proto") {
        if (auto n = to_uint<std::uint8_t>(v)) {
            out.set_ip_protocol(*n);
        } else if (auto t = core::transport_from_name(v); t != core::Transport::kUnknown) {
            out.set_transport(t);
        }
    } else if (k == "icmp_type" || k == "icmp-type") {
        if (auto n = to_uint<std::uint8_t>(v)) out.set_icmp_type(*n);
    } else if (k == "icmp_code" || k == "icmp-code") {
        if (auto n = to_uint<std::uint8_t>(v)) out.set_icmp_code(*n);
    } else if (k == "action" || k == "act") {
        f.action = v;
    } else if (k == "product") {
        f.product = v;
    } else if (k == "rule_name") {
        set_first(f.rule_name, v);
    } else if (k == "rule") {
        set_first(f.rule_number, v);
    } else if (k == "rule_uid") {
        set_first(f.rule_uid, v);
    } else if (k == "layer_name") {
        set_first(f.layer, v);
    } else if (k == "ifname") {
        f.ifname = v;
    } else if (k == "ifdir") {
        f.ifdir = v;
    } else if (k == "src_user_name" || k == "suser" || k == "user") {
        set_first(f.user, v);
    } else if (k == "originsicname" || k == "origin_sic_name") {
        f.sic_name = v;
    } else if (k == "time" || k == "rt") {
        f.time = v;
    } else if (k == "protection_name") {
        f.protection_name = v;
    } else if (k == "protection_id") {
        f.protection_id = v;
    } else if (k == "severity" || k == "cp_severity") {
        f.severity = v;
    } else if (k == "app" || k == "service_id") {
        if (out.app_protocol.empty()) out.app_protocol = v;
    } else {
        return false;
    }
    return true;
}

void finish(const Fields& f, const ParseContext& ctx, core::Event& out) {
    out.action = action_from_cp(f.action);
    out.category = category_from_product(f.product);
    out.severity = severity_from_cp(f.severity);
    if (!f.protection_name.empty()) {
        out.rule_name = f.protection_name;  // the IPS/Anti-Bot protection that fired
        out.rule_id = f.protection_id;
        out.rule_ruleset = f.tp_rule;
    } else {
        out.rule_name = f.rule_name;
        out.rule_id = !f.rule_number.empty() ? f.rule_number : f.rule_uid;
        out.rule_ruleset = f.layer;
    }
    bool outbound = f.ifdir == "outbound" || f.cef_direction_out;
    (outbound ? out.egress_interface : out.ingress_interface) = f.ifname;
    if (!f.user.empty()) {
        out.user_hash = hash_identity(ctx, trim(f.user));
    }
    if (std::string_view cn = cn_of(f.sic_name); !cn.empty() && ctx.observer.empty()) {
        out.observer_name = cn;
    }
    // Epoch seconds (up to 10 digits) or milliseconds; anything past kMaxTimeNs is refused.
    if (auto t = to_uint<std::uint64_t>(f.time)) {
        if (f.time.size() <= 10) {
            if (auto ns = core::seconds_to_ns(*t)) {
                out.time_ns = *ns;
            }
        } else if (*t < static_cast<std::uint64_t>(core::kMaxTimeNs / 1'000'000)) {
            out.time_ns = static_cast<std::int64_t>(*t) * 1'000'000;
        }
    }
}

}  // namespace cyberalarm::parse::formats::checkpoint_detail
