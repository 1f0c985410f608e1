// Palo Alto Networks PAN-OS logs: the syslog CSV of every log type (TRAFFIC, THREAT, SYSTEM,
// CONFIG, GLOBALPROTECT, AUTH, USERID, HIPMATCH, DECRYPTION), the JSON that Strata Logging
// Service / Cortex forward, and PAN-OS CEF. See docs/formats/panos.md.
#include <array>

#include "parse/cef_reader.h"
#include "parse/formats/formats.h"
#include "parse/formats/panos_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

using namespace panos_detail;

constexpr std::array<std::string_view, 14> kLogTypes = {
    "TRAFFIC", "THREAT",   "SYSTEM",     "CONFIG",       "GLOBALPROTECT", "AUTH",  "USERID",
    "HIPMATCH", "DECRYPTION", "CORRELATION", "GTP",       "SCTP",          "IPTAG", "TUNNEL"};

bool is_log_type(std::string_view s) {
    for (auto t : kLogTypes) {
        if (s == t) {
            return true;
        }
    }
    return false;
}

// The CSV body of a line: after the syslog header, without a stray leading ": ".
std::string_view csv_body(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == ':')) {
        s.remove_prefix(1);
    }
    return s;
}

// True if `s` starts with "<digits>,<receive time>,<serial>,<TYPE>,".
bool looks_like_csv(std::string_view s) {
    Cursor c(s);
    std::string_view first = c.token(',');
    if (first.empty() || first.size() > 4 || !to_uint<unsigned>(first)) {
        return false;
    }
    std::string_view received = c.token(',');
    if (received.size() < 8 || received.find('/') == std::string_view::npos) {
        return false;
    }
    c.token(',');  // serial
    return !c.done() && is_log_type(c.token(','));
}

std::string_view find_csv(const SyslogMessage& msg) {
    std::string_view body = csv_body(msg.content);
    if (looks_like_csv(body)) {
        return body;
    }
    // Headers we do not split cleanly (a relay's own prefix): try each word start near the
    // beginning of the line.
    std::string_view raw = msg.raw;
    for (std::size_t p = 0; p < raw.size() && p < 96; ++p) {
        if ((p == 0 || raw[p - 1] == ' ') && raw[p] >= '0' && raw[p] <= '9' &&
            looks_like_csv(raw.substr(p))) {
            return raw.substr(p);
        }
    }
    return {};
}

std::string_view find_json(const SyslogMessage& msg) {
    std::size_t p = msg.raw.find('{');
    if (p == std::string_view::npos) {
        return {};
    }
    std::string_view j = msg.raw.substr(p);
    if (j.find("\"LogType\"") == std::string_view::npos) {
        return {};
    }
    return j;
}

std::string_view find_pan_cef(const SyslogMessage& msg) {
    std::size_t p = cef::find_cef(msg.raw);
    if (p == std::string_view::npos) {
        return {};
    }
    std::string_view cef = msg.raw.substr(p);
    // "0|Palo Alto Networks|"
    if (cef.size() < 2 || !cef.substr(2).starts_with(kVendor)) {
        return {};
    }
    return cef;
}

int probe(const SyslogMessage& msg) {
    if (!find_csv(msg).empty()) {
        return 90;
    }
    if (!find_pan_cef(msg).empty()) {
        return 95;  // beats generic CEF
    }
    std::string_view j = find_json(msg);
    if (!j.empty()) {
        bool pan = j.find("\"DeviceSN\"") != std::string_view::npos ||
                   j.find("\"LogSourceID\"") != std::string_view::npos;
        return pan ? 85 : 40;
    }
    return 0;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "panos", out);
    out.observer_vendor = kVendor;
    out.observer_product = kProduct;
    if (std::string_view csv = find_csv(msg); !csv.empty()) {
        return parse_csv(csv, msg, ctx, out);
    }
    if (std::string_view cef = find_pan_cef(msg); !cef.empty()) {
        return parse_cef(cef, ctx, out);
    }
    if (std::string_view j = find_json(msg); !j.empty()) {
        return parse_json(j, ctx, out);
    }
    return core::fail(core::Error::parse("not a PAN-OS log: no CSV log type, CEF or JSON LogType",
                                         "type", 0));
}

}  // namespace

const Format& panos() {
    static const Format kFormat{
        "panos", "Palo Alto Networks PAN-OS CSV (all log types), JSON and CEF", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
