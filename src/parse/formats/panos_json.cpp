// PAN-OS logs as JSON objects (Strata Logging Service / Cortex Data Lake forwarding), whose
// keys name the CSV fields: "LogType", "TimeGenerated", "SourceAddress", "Rule" …
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "core/time.h"
#include "parse/formats/panos_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::panos_detail {

namespace {

using Object = rapidjson::Value::ConstObject;

std::string_view str(const Object& o, const char* key) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsString()) {
        return {};
    }
    return {it->value.GetString(), it->value.GetStringLength()};
}

std::optional<std::uint64_t> u64(const Object& o, const char* key) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd()) {
        return std::nullopt;
    }
    if (it->value.IsUint64()) {
        return it->value.GetUint64();
    }
    if (it->value.IsString()) {
        return to_uint<std::uint64_t>(std::string_view(it->value.GetString(),
                                                       it->value.GetStringLength()));
    }
    return std::nullopt;
}

// The first non-empty string among `keys`.
std::string_view first(const Object& o, std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        if (std::string_view v = str(o, k); !v.empty()) {
            return v;
        }
    }
    return {};
}

void read_time(const Object& o, core::Event& out) {
    std::string_view t = first(o, {"TimeGenerated", "EventTime", "TimeReceived", "LogTime"});
    if (auto iso = core::parse_iso8601(t); iso) {
        out.time_ns = iso->ns;  // these stamps are UTC ("…Z")
    }
}

void read_counters(const Object& o, core::Event& out) {
    if (auto v = u64(o, "BytesSent")) {
        out.set_src_bytes(*v);
    }
    if (auto v = u64(o, "BytesReceived")) {
        out.set_dst_bytes(*v);
    }
    if (auto v = u64(o, "Bytes")) {
        out.set_bytes(*v);
    }
    if (auto v = u64(o, "PacketsSent")) {
        out.set_src_packets(*v);
    }
    if (auto v = u64(o, "PacketsReceived")) {
        out.set_dst_packets(*v);
    }
    if (auto v = u64(o, "PacketsTotal")) {
        out.set_packets(*v);
    }
    if (auto v = u64(o, "SessionDuration"); v && *v < 1'000'000'000ULL) {
        out.set_duration_ns(static_cast<std::int64_t>(*v) * core::kNanosPerSecond);
    }
}

void read_session(const Object& o, const ParseContext& ctx, core::Event& out) {
    set_ip(first(o, {"SourceAddress", "SourceIP", "PublicIPv4"}), out.src_ip);
    set_ip(first(o, {"DestinationAddress", "DNSResolverIP"}), out.dst_ip);
    if (auto p = u64(o, "SourcePort"); p && *p <= 65535) {
        out.set_src_port(static_cast<std::uint16_t>(*p));
    }
    if (auto p = u64(o, "DestinationPort"); p && *p <= 65535) {
        out.set_dst_port(static_cast<std::uint16_t>(*p));
    }
    if (auto t = core::transport_from_name(str(o, "Protocol")); t != core::Transport::kUnknown) {
        out.set_transport(t);
    }
    if (std::string_view a = str(o, "Action"); !a.empty()) {
        out.action = action_from_pan(a);
    }
    out.rule_name = first(o, {"Rule", "HipMatchName"});
    out.app_protocol = str(o, "Application");
    out.ingress_interface = str(o, "InboundInterface");
    out.egress_interface = str(o, "OutboundInterface");
    if (std::string_view user = first(o, {"SourceUser", "SourceUserName"}); !user.empty()) {
        out.user_hash = hash_identity(ctx, user);
    }
    read_counters(o, out);
}

void read_threat(const Object& o, core::Event& out) {
    std::string_view name;
    std::string_view id;
    split_threat(str(o, "ThreatID"), name, id);
    if (std::string_view fw = str(o, "ThreatNameFirewall"); !fw.empty() && name.empty()) {
        name = fw;
    }
    if (!name.empty()) {
        out.rule_ruleset = out.rule_name;
        out.rule_name = name;
        out.rule_id = id;
    }
    out.severity = severity_from_word(str(o, "VendorSeverity"));
}

core::Result<Disposition> read_object(const Object& o, const ParseContext& ctx,
                                      core::Event& out) {
    std::string_view type = str(o, "LogType");
    std::string_view subtype = first(o, {"Subtype", "SubType"});
    set_type_category(type, subtype, out);
    read_time(o, out);
    out.observer_serial = first(o, {"DeviceSN", "LogSourceID"});
    set_observer_name(first(o, {"DeviceName", "LogSourceName"}), ctx, out);
    if (type == "SYSTEM" || type == "CONFIG") {
        std::string_view event_id = str(o, "EventName");
        out.event_code = event_id;
        out.severity = severity_from_word(str(o, "VendorSeverity"));
        return read_description(event_id, str(o, "EventDescription"), ctx, out)
                   ? Disposition::kEvent
                   : Disposition::kIgnored;
    }
    out.event_code = subtype;
    read_session(o, ctx, out);
    if (type == "THREAT") {
        read_threat(o, out);
    }
    if (type == "GLOBALPROTECT" || type == "AUTH") {
        std::string_view status = first(o, {"EventStatus", "Status"});
        if (status == "success") {
            out.outcome = core::Outcome::kSuccess;
        } else if (status == "failure") {
            out.outcome = core::Outcome::kFailure;
        }
    }
    if (!out.src_ip.is_set() && !out.dst_ip.is_set() && out.outcome == core::Outcome::kUnknown) {
        return Disposition::kIgnored;
    }
    return Disposition::kEvent;
}

}  // namespace

core::Result<Disposition> parse_json(std::string_view json, const ParseContext& ctx,
                                     core::Event& out) {
    rapidjson::Document doc;
    // Iterative: a hostile, deeply nested line cannot exhaust the stack.
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(json.data(),
                                                                                json.size());
    if (doc.HasParseError()) {
        return core::fail(core::Error::parse(
            std::string("PAN-OS JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()),
            "json", doc.GetErrorOffset()));
    }
    if (!doc.IsObject()) {
        return core::fail(core::Error::parse("PAN-OS JSON is not an object", "json", 0));
    }
    const rapidjson::Value& root = doc;
    auto o = root.GetObject();
    if (str(o, "LogType").empty()) {
        return core::fail(core::Error::parse("PAN-OS JSON without LogType", "LogType", 0));
    }
    return read_object(o, ctx, out);
}

}  // namespace cyberalarm::parse::formats::panos_detail
