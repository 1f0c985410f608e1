// Private to the FortiGate format: the fields we read from a FortiGate record, whichever
// envelope carried it (native key=value, comma-separated key=value, or CEF), and how they
// become an Event.
#pragma once

#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"

namespace cyberalarm::parse::formats::fortigate_detail {

// Views into the input line, by FortiOS key name. Empty = not given.
struct Fields {
    std::string_view action, app, attack, cat, date, devid, devname, dstintf, dstip, dstport,
        duration, eventtime, eventtype, icmpcode, icmptype, level, locip, locport, logdesc,
        logid, policyid, policyname, proto, rcvdbyte, rcvdpkt, remip, remport, sentbyte,
        sentpkt, service, severity, sproc, srcintf, srcip, srcport, start, status, subtype,
        time, timestamp, type, tz, ui, user, userip, virus;
    // From a CEF header, used when the extension does not say.
    std::string_view cef_id, cef_severity;
    bool cef = false;
};

// Records one native pair (unknown keys are ignored).
void set_native(Fields& f, std::string_view key, std::string_view value);
// Records one CEF extension pair: strips the vendor prefixes ("FTNTFGT", "FortinetFortiGate",
// "ad.") and maps the CEF dictionary names (src, dpt, act, deviceInboundInterface …).
void set_cef(Fields& f, std::string_view key, std::string_view value);

// Builds the Event (apply_header already called).
core::Result<Disposition> fill(const Fields& f, const SyslogMessage& msg, const ParseContext& ctx,
                               core::Event& out);

}  // namespace cyberalarm::parse::formats::fortigate_detail
