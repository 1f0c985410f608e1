// Private to the pf_filterlog format: the other daemons a pfSense/OPNsense box sends in the
// same syslog stream as filterlog (dhcpd, unbound). See pf_filterlog_aux.cpp.
#pragma once

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"

namespace cyberalarm::parse::formats::pf_filterlog_detail {

// True for a dhcpd or unbound line (weak evidence on its own: probe scores it low).
bool is_companion(const SyslogMessage& msg);

// DHCP chatter is ignored; an unbound query line keeps only the client address.
// REQUIRES: is_companion(msg)
core::Result<Disposition> parse_companion(const SyslogMessage& msg, core::Event& out);

}  // namespace cyberalarm::parse::formats::pf_filterlog_detail
