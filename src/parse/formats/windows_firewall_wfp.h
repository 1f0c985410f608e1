// Private to windows_firewall.cpp: Windows Filtering Platform audit events (Security log
// 5150-5159: packet dropped, listen/bind/connection permitted or blocked) shipped as one JSON
// object per line, flat (NXLog im_msvistalog) or nested (Winlogbeat winlog.event_data).
//
// WFP names the local end "Source" whatever the direction: for an inbound connection the
// remote initiator is in DestAddress/DestPort. The parser swaps them on inbound events so
// that source is always the side that initiated (the ECS meaning).
#pragma once

#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"

namespace cyberalarm::parse::formats::wfp {

int probe(std::string_view msg);
core::Result<Disposition> parse(std::string_view msg, const ParseContext& ctx, core::Event& out);

}  // namespace cyberalarm::parse::formats::wfp
