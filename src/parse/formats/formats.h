// One declaration per format file in this folder; registry.cpp lists them in a table.
// Each format_<name>() returns a Format whose functions live in formats/<name>.cpp.
#pragma once

#include "parse/parser.h"

namespace cyberalarm::parse::formats {

const Format& iptables();          // netfilter LOG / nftables / ulogd LOGEMU / Ubiquiti / Proxmox
const Format& pf_filterlog();      // pfSense and OPNsense filterlog CSV
const Format& openbsd_pf();        // OpenBSD pf via pflog/tcpdump text
const Format& mikrotik();          // MikroTik RouterOS firewall log
const Format& cisco_asa();         // Cisco ASA and FTD %ASA-/%FTD- messages
const Format& cisco_meraki();      // Cisco Meraki MX syslog
const Format& fortigate();         // FortiGate key=value
const Format& sonicwall();         // SonicWall key=value
const Format& watchguard();        // WatchGuard Firebox
const Format& panos();             // Palo Alto PAN-OS CSV
const Format& checkpoint();        // Check Point syslog key:"value"
const Format& forcepoint();        // Forcepoint NGFW
const Format& suricata_eve();      // Suricata EVE JSON
const Format& snort_fast();        // Snort/Suricata fast.log
const Format& cef();               // ArcSight CEF (generic)
const Format& leef();              // IBM LEEF (generic)
const Format& windows_firewall();  // Windows Firewall pfirewall.log (W3C)
const Format& sshd();              // OpenSSH authentication messages
const Format& sophos();            // Sophos XG/SFOS and UTM
const Format& juniper_srx();       // Juniper SRX RT_FLOW (structured and text)
const Format& clavister();         // Clavister cOS Core
const Format& stormshield();       // Stormshield SNS
const Format& barracuda();         // Barracuda CloudGen Firewall

}  // namespace cyberalarm::parse::formats
