// Fortinet FortiGate (FortiOS) logs, in the three shapes a FortiGate sends them:
//   native   date=2024-05-01 time=10:00:00 devname="fw1" devid="FG100F…" logid="0000000013"
//            type="traffic" subtype="forward" srcip=… dstip=… action="close" …
//   CSV      the same pairs separated by commas (log format "csv")
//   CEF      CEF:0|Fortinet|Fortigate|v7.2.8|00013|traffic:forward close|3|src=… FTNTFGTlogid=…
// Types traffic (forward, local, multicast, sniffer), utm (ips, anomaly, virus, webfilter,
// app-ctrl, dns, dlp, waf, ssl …) and event (system, user, vpn, router …). The FortiADC and
// FortiAuthenticator spellings of the same fields (device_id, log_id, src_port, userip) are
// read too. See docs/formats/fortigate.md for the field mapping.
#include <string_view>

#include "parse/cef_reader.h"
#include "parse/formats/formats.h"
#include "parse/formats/fortigate_fields.h"
#include "parse/formats/fortigate_util.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using cef::has_envelope_vendor;
using cef::split_envelope;

constexpr std::string_view kName = "fortigate";

// True if `key` starts a token in s: after a space, a comma (the CSV layout) or the '>' of
// a glued syslog PRI.
bool has_kv(std::string_view s, std::string_view key) { return has_key(s, key, " ,>"); }

bool is_fortinet_cef(std::string_view line) {
    if (!has_envelope_vendor(line, "Fortinet")) {
        return false;
    }
    std::size_t p = line.find("|Fortinet|");
    return p != std::string_view::npos && line.substr(p + 10).starts_with("Forti");
}

int probe(const SyslogMessage& msg) {
    std::string_view s = msg.raw;
    if (is_fortinet_cef(s)) {
        return 90;
    }
    bool logid = has_kv(s, "logid=");
    bool subtype = has_kv(s, "subtype=");
    bool devid = has_kv(s, "devid=");
    if (logid && (subtype || devid)) {
        return 85;
    }
    if (devid && has_kv(s, "devname=")) {
        return 80;
    }
    if (logid && has_kv(s, "type=")) {
        return 70;
    }
    if (has_kv(s, "type=") && subtype && (has_kv(s, "vd=") || has_kv(s, "logdesc="))) {
        return 60;  // an event record relayed without its logid/devid
    }
    if (has_kv(s, "log_id=") && has_kv(s, "device_id=") && has_kv(s, "type=") && subtype) {
        return 60;  // FortiADC / FortiWeb
    }
    return 0;
}

// "date=…,time=…,logid=…": the CSV log format.
bool is_csv(std::string_view s) {
    std::size_t eq = s.find('=');
    if (eq == std::string_view::npos) {
        return false;
    }
    std::size_t comma = s.find(',', eq);
    std::size_t space = s.find(' ', eq);
    std::size_t quote = s.find('"', eq);
    return comma != std::string_view::npos && comma < space && comma < quote;
}

core::Result<Disposition> parse_cef(const SyslogMessage& msg, const ParseContext& ctx,
                                    core::Event& out) {
    auto h = split_envelope(msg.raw, "CEF:", 7);
    if (!h) {
        return core::fail(core::Error::parse("truncated CEF header", "cef", 0));
    }
    fortigate_detail::Fields f;
    f.cef = true;
    f.cef_id = h->event_id;
    f.cef_severity = h->severity;
    cef::ExtReader r(h->extension);
    std::string_view key;
    std::string_view value;
    while (r.next(key, value)) {
        fortigate_detail::set_cef(f, key, unquote(value));
    }
    return fortigate_detail::fill(f, msg, ctx, out);
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, kName, out);
    if (is_fortinet_cef(msg.raw)) {
        return parse_cef(msg, ctx, out);
    }
    // The pairs follow whatever syslog header there is; header words carry no '=' and are
    // skipped by the reader, as is a PRI glued to the first key ("<189>date=…").
    fortigate_detail::Fields f;
    KvReader r(msg.raw, is_csv(msg.raw) ? ',' : ' ');
    std::string_view key;
    std::string_view value;
    std::size_t pairs = 0;
    while (r.next(key, value)) {
        fortigate_detail::set_native(f, key, value);
        ++pairs;
    }
    if (pairs == 0) {
        return core::fail(core::Error::parse("no key=value pairs", "logid", 0));
    }
    if (f.logid.empty() && f.type.empty() && f.devid.empty()) {
        return core::fail(core::Error::parse("not a FortiOS record: no logid, type or devid",
                                             "logid", 0));
    }
    return fortigate_detail::fill(f, msg, ctx, out);
}

}  // namespace

const Format& fortigate() {
    static const Format kFormat{
        kName, "Fortinet FortiGate key=value, CSV and CEF (traffic, utm, event)", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
