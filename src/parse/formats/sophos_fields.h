// Private to the sophos format: the key=value fields of an SFOS or UTM line, and how they
// become an Event. Views point into the line being parsed.
#pragma once

#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"

namespace cyberalarm::parse::formats::sophos_detail {

// Sophos Firewall (XG / SFOS); old and v19+ key names share a slot.
struct SfosFields {
    std::string_view line;  // the whole key=value text, for error offsets
    std::string_view date, time, timezone, timestamp;
    std::string_view device_name, device_id;
    std::string_view log_id, log_type, log_component, log_subtype, status, priority;
    std::string_view fw_rule_id, fw_rule_name, rule_id, rule_name, policy;
    std::string_view sig_id, sig_name, classification, threat;
    std::string_view user;
    std::string_view application;
    std::string_view src_ip, dst_ip, src_port, dst_port, protocol, icmp_type, icmp_code;
    std::string_view sent_bytes, recv_bytes, sent_pkts, recv_pkts, duration;
    std::string_view in_if, out_if;
};

// Sophos UTM (ulogd, snort, httpd, webadmin, aua …).
struct UtmFields {
    std::string_view line;
    std::string_view id, severity, sys, sub, name, action;
    std::string_view fwrule, sid, reason, group;
    std::string_view initf, outitf;
    std::string_view srcip, dstip, srcport, dstport, port, proto, length;
    std::string_view user;
    std::string_view statuscode, size;
};

void read_sfos(std::string_view kv, SfosFields& f);
core::Result<Disposition> fill_sfos(const SfosFields& f, const ParseContext& ctx, core::Event& out);

void read_utm(std::string_view kv, UtmFields& f);
core::Result<Disposition> fill_utm(const UtmFields& f, const ParseContext& ctx, core::Event& out);

}  // namespace cyberalarm::parse::formats::sophos_detail
