// Private to the panos format: the three encodings PAN-OS logs arrive in (CSV, the JSON of
// Strata Logging Service / Cortex, and CEF) share these helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "parse/formats/formats.h"

namespace cyberalarm::parse::formats::panos_detail {

inline constexpr std::string_view kVendor = "Palo Alto Networks";
inline constexpr std::string_view kProduct = "PAN-OS";

core::Result<Disposition> parse_csv(std::string_view csv, const SyslogMessage& msg,
                                    const ParseContext& ctx, core::Event& out);
core::Result<Disposition> parse_json(std::string_view json, const ParseContext& ctx,
                                     core::Event& out);
core::Result<Disposition> parse_cef(std::string_view cef, const ParseContext& ctx,
                                    core::Event& out);

// PAN-OS action words: allow, deny, drop, drop-icmp, reset-both, alert, block-url, sinkhole …
core::Action action_from_pan(std::string_view word);
// Log type → category (THREAT subtypes virus/wildfire-virus → av, others → ids).
void set_type_category(std::string_view type, std::string_view subtype, core::Event& out);
// "Name(12345)" → name and id; "(9999)" → empty name.
void split_threat(std::string_view threat, std::string_view& name, std::string_view& id);
// Sets src_ip/dst_ip when the text is an address; false if not.
bool set_ip(std::string_view text, core::IpAddress& ip);
// Reads addresses (and an auth outcome) out of a SYSTEM/CONFIG description such as
// "failed authentication for user 'x'. … server address '10.0.0.1', From: 192.0.2.7.".
// Hashes the user name it names. Returns true if it found an address or an outcome.
bool read_description(std::string_view event_id, std::string_view text,
                      const ParseContext& ctx, core::Event& out);
// "2023/06/16 10:41:44" or "9/16/19 10:00[:00]" → wall-clock ns (to be read in ctx.tz).
std::optional<std::int64_t> parse_pan_time(std::string_view s);
// Sets the observer name from the message unless the source has a configured name.
void set_observer_name(std::string_view name, const ParseContext& ctx, core::Event& out);

}  // namespace cyberalarm::parse::formats::panos_detail
