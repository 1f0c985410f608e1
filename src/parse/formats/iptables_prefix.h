// Private to the iptables format: the log prefix before "IN=" (rule label and verdict) and
// the Proxmox VE firewall's own header. See iptables.cpp.
#pragma once

#include <string_view>

#include "core/event.h"
#include "core/result.h"

namespace cyberalarm::parse::formats::iptables_detail {

// "[wan-lan-default-D]": EdgeOS/VyOS rule-set, rule number and A/D/R verdict.
bool looks_ubiquiti(std::string_view prefix);

// Fills action, rule name/id and observer product from the text before "IN=".
void apply_prefix(std::string_view prefix, core::Event& out);

// "<vmid> <level> <chain> dd/Mon/yyyy:hh:mm:ss ±hhmm " at the start of the line.
bool is_proxmox(std::string_view line);

// Reads the Proxmox header into `out` (time, chain, vendor) and returns the rest of the line.
// REQUIRES: is_proxmox(line)
core::Result<std::string_view> read_proxmox(std::string_view line, core::Event& out);

}  // namespace cyberalarm::parse::formats::iptables_detail
