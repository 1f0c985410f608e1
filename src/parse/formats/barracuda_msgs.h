// Private to the barracuda format: the message families after "<Level> <box> ".
#pragma once

#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"

namespace cyberalarm::parse::formats::cuda {

// "Allow: a|b|…" / "LocalBlock: …": a firewall activity record.
bool is_activity(std::string_view m);

// `m` is the message after the box name; `line` the whole input, for error offsets.
core::Result<Disposition> parse_message(std::string_view m, std::string_view line,
                                        const ParseContext& ctx, core::Event& out);

// Sets `dst` from an address field; false (and `dst` untouched) if it is not an address.
bool set_ip(std::string_view v, core::IpAddress& dst);

// Management sessions, configuration commits, user accounting; the rest is ignored.
core::Result<Disposition> parse_other(std::string_view m, std::string_view line,
                                      const ParseContext& ctx, core::Event& out);

}  // namespace cyberalarm::parse::formats::cuda
