// Suricata EVE JSON (eve.json), raw or behind a syslog header ("suricata[123]: {…}").
//
// One SAX pass (RapidJSON, no DOM) picks the metadata: addresses, ports, protocol, the
// alert's signature, flow counters and times, the anomaly event. Protocol records (dns, http,
// tls, ftp, smb …) keep only their addresses and app protocol: query names, URLs, SNI, user
// agents and file names are content and are never read.
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <array>
#include <cstring>

#include "parse/formats/formats.h"
#include "parse/formats/suricata_eve_fields.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using eve::Fields;

// Where the JSON object starts in the message, or npos. A short syslog-style prefix
// ("suricata[123]: ") before the brace is allowed.
std::size_t json_start(std::string_view m) {
    std::size_t p = m.find('{');
    if (p == std::string_view::npos || p > 64) {
        return std::string_view::npos;
    }
    for (std::size_t i = 0; i < p; ++i) {
        if (m[i] != ' ' && m[i] != '\t') {
            // Only a tag may precede the object: it must end with ": ".
            std::string_view prefix = trim(m.substr(0, p));
            return prefix.ends_with(':') ? p : std::string_view::npos;
        }
    }
    return p;
}

int probe(const SyslogMessage& msg) {
    std::size_t p = json_start(msg.msg);
    if (p == std::string_view::npos) {
        return 0;
    }
    std::string_view j = msg.msg.substr(p);
    bool has_type = j.find("\"event_type\"") != std::string_view::npos;
    bool has_flow_id = j.find("\"flow_id\"") != std::string_view::npos;
    bool has_addr = j.find("\"src_ip\"") != std::string_view::npos;
    if (has_type && (has_flow_id || has_addr || j.find("\"stats\"") != std::string_view::npos)) {
        return 90;
    }
    if (has_flow_id && has_addr && j.find("\"dest_ip\"") != std::string_view::npos) {
        return 75;  // an EVE record re-shipped without event_type (alert with an alert object)
    }
    return 0;
}

void apply_transport(const Fields& f, core::Event& out) {
    std::string_view proto = f.proto.view();
    if (proto.empty()) {
        return;
    }
    if (auto n = to_uint<unsigned>(proto); n && *n <= 255) {
        out.set_ip_protocol(*n);
        return;
    }
    auto t = core::transport_from_name(proto);
    if (t != core::Transport::kUnknown) {
        out.set_transport(t);
    }
}

void apply_counters(const Fields& f, core::Event& out) {
    if (f.bytes_toserver >= 0) {
        out.set_src_bytes(static_cast<std::uint64_t>(f.bytes_toserver));
    }
    if (f.bytes_toclient >= 0) {
        out.set_dst_bytes(static_cast<std::uint64_t>(f.bytes_toclient));
    }
    if (f.pkts_toserver >= 0) {
        out.set_src_packets(static_cast<std::uint64_t>(f.pkts_toserver));
    }
    if (f.pkts_toclient >= 0) {
        out.set_dst_packets(static_cast<std::uint64_t>(f.pkts_toclient));
    }
    // A netflow record is one direction, source to destination.
    if (f.netflow_bytes >= 0) {
        out.set_src_bytes(static_cast<std::uint64_t>(f.netflow_bytes));
    }
    if (f.netflow_pkts >= 0) {
        out.set_src_packets(static_cast<std::uint64_t>(f.netflow_pkts));
    }
}

void apply_common(const Fields& f, const ParseContext& ctx, core::Event& out) {
    if (f.has_timestamp) {
        out.time_ns = f.timestamp.has_zone ? f.timestamp.ns : ctx.tz.local_to_utc(f.timestamp.ns);
    }
    apply_transport(f, out);
    if (f.src_port >= 0 && f.src_port <= 65535) {
        out.set_src_port(static_cast<std::uint16_t>(f.src_port));
    }
    if (f.dst_port >= 0 && f.dst_port <= 65535) {
        out.set_dst_port(static_cast<std::uint16_t>(f.dst_port));
    }
    if (f.icmp_type >= 0 && f.icmp_type <= 255) {
        out.set_icmp_type(static_cast<std::uint8_t>(f.icmp_type));
    }
    if (f.icmp_code >= 0 && f.icmp_code <= 255) {
        out.set_icmp_code(static_cast<std::uint8_t>(f.icmp_code));
    }
    apply_counters(f, out);
    if (f.has_flow_start && f.has_flow_end && f.flow_end_ns >= f.flow_start_ns) {
        out.set_duration_ns(f.flow_end_ns - f.flow_start_ns);
    }
}

// Sets category, action and the fields that depend on the record type.
core::Result<Disposition> classify(const Fields& f, core::Event& out) {
    std::string_view type = f.event_type.view();
    bool is_alert = type == "alert" || type == "drop" || (type.empty() && f.has_alert);
    if (is_alert) {
        out.category = core::Category::kIds;
        bool blocked = f.alert_action.view() == "blocked" || type == "drop";
        out.action = blocked ? core::Action::kDrop : core::Action::kAlert;
        out.severity = severity_from_priority(f.alert_severity);
        out.event_code.assign(type.empty() ? std::string_view("alert") : type);
        return Disposition::kEvent;
    }
    if (!f.has_alert) {
        // The handler filled these from an alert object only; a stray one means nothing.
        out.rule_id.clear();
    }
    if (type == "anomaly") {
        out.category = core::Category::kIds;
        out.action = core::Action::kAlert;
        return Disposition::kEvent;
    }
    if (!out.src_ip.is_set() && !out.dst_ip.is_set()) {
        if (type.empty()) {
            return core::fail(core::Error::unsupported("JSON without EVE event_type"));
        }
        return Disposition::kIgnored;  // stats and other engine records
    }
    out.event_code.assign(type);
    out.category = core::Category::kFlow;
    if (out.app_protocol.empty() && type != "flow" && type != "netflow") {
        out.app_protocol.assign(type);  // dns, http, tls … records name their protocol
    }
    return Disposition::kEvent;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "suricata_eve", out);
    out.observer_vendor.assign("OISF");
    out.observer_product.assign("Suricata");
    std::size_t p = json_start(msg.msg);
    if (p == std::string_view::npos) {
        return core::fail(core::Error::parse("no JSON object", "", 0));
    }
    std::string_view json = msg.msg.substr(p);

    // The reader's stack (nesting and unescaped strings) lives on ours for ordinary lines.
    std::array<char, 4096> stack_buffer;
    rapidjson::MemoryPoolAllocator<> stack_alloc(stack_buffer.data(), stack_buffer.size());
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
        reader(&stack_alloc, 1024);
    rapidjson::MemoryStream stream(json.data(), json.size());
    Fields fields;
    eve::Handler handler(fields, out);
    rapidjson::ParseResult ok = reader.Parse<rapidjson::kParseStopWhenDoneFlag>(stream, handler);
    std::size_t base = p;
    if (msg.msg.data() >= msg.raw.data() && msg.msg.data() <= msg.raw.data() + msg.raw.size()) {
        base += static_cast<std::size_t>(msg.msg.data() - msg.raw.data());
    }
    if (!ok) {
        return core::fail(core::Error::parse(
            std::string("invalid JSON: ") + rapidjson::GetParseError_En(ok.Code()), "",
            base + ok.Offset()));
    }
    if (!fields.bad_ip_field.empty()) {
        return core::fail(
            core::Error::parse("not an IP address", std::string(fields.bad_ip_field.view()), base));
    }
    apply_common(fields, ctx, out);
    return classify(fields, out);
}

}  // namespace

const Format& suricata_eve() {
    static const Format kFormat{"suricata_eve",
                                "Suricata EVE JSON: alert, drop, anomaly, flow, netflow and "
                                "protocol records (addresses only)",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
