#include "report/services.h"

#include <array>
#include <charconv>

namespace cyberalarm::report {
namespace {

struct Entry {
    std::uint16_t port;
    char only;  // 't' TCP only, 'u' UDP only, 0 either
    ServiceInfo info;
};

constexpr std::array kServices{
    Entry{21, 't', {"FTP", "Old file transfer that sends passwords unencrypted."}},
    Entry{22, 't', {"SSH", "Remote administration; a favourite target for password guessing."}},
    Entry{23, 't', {"Telnet", "Unencrypted remote login; never expose it to the internet."}},
    Entry{25, 't', {"SMTP (mail)", "Mail delivery between servers."}},
    Entry{53, 0, {"DNS", "Name look-ups; open resolvers are abused for floods."}},
    Entry{69, 'u', {"TFTP", "Trivial file transfer with no passwords at all."}},
    Entry{80, 't', {"HTTP (web)", "Unencrypted websites."}},
    Entry{110, 't', {"POP3 (mail)", "Mail collection; often targeted for password guessing."}},
    Entry{111, 0, {"RPC portmapper", "Unix remote procedure calls; should not be public."}},
    Entry{123, 'u', {"NTP (time)", "Clock synchronisation; can be abused for floods."}},
    Entry{135, 't', {"Microsoft RPC", "Windows internals; never expose it to the internet."}},
    Entry{137, 'u', {"NetBIOS", "Old Windows networking; should not be public."}},
    Entry{138, 'u', {"NetBIOS", "Old Windows networking; should not be public."}},
    Entry{139, 't', {"NetBIOS/SMB", "Windows file sharing; never expose it to the internet."}},
    Entry{143, 't', {"IMAP (mail)", "Mail access; often targeted for password guessing."}},
    Entry{161, 'u', {"SNMP", "Device management; leaks configuration if left open."}},
    Entry{389, 0, {"LDAP", "Directory service; should not be public."}},
    Entry{443, 0, {"HTTPS (web)", "Encrypted websites and many VPN portals."}},
    Entry{445, 't', {"SMB", "Windows file sharing; used by worms and ransomware."}},
    Entry{500, 'u', {"IKE (VPN)", "VPN key exchange."}},
    Entry{587, 't', {"Mail submission", "Mail sending; targeted for password guessing."}},
    Entry{631, 0, {"IPP (printing)", "Printers; should not be public."}},
    Entry{993, 't', {"IMAPS (mail)", "Encrypted mail access; targeted for password guessing."}},
    Entry{995, 't', {"POP3S (mail)", "Encrypted mail collection."}},
    Entry{1194, 0, {"OpenVPN", "VPN."}},
    Entry{1433,
          't',
          {"Microsoft SQL Server", "Database; should never be reachable from the internet."}},
    Entry{1521, 't', {"Oracle database", "Database; should never be reachable from the internet."}},
    Entry{1723, 't', {"PPTP VPN", "Old, weak VPN protocol."}},
    Entry{1900, 'u', {"UPnP/SSDP", "Device discovery; abused for floods, should not be public."}},
    Entry{2323, 't', {"Telnet (alternate)", "Targeted by botnets that take over cameras."}},
    Entry{3306, 't', {"MySQL/MariaDB", "Database; should never be reachable from the internet."}},
    Entry{3389, 0, {"RDP (Remote Desktop)", "Windows remote desktop; a common ransomware way in."}},
    Entry{5060, 0, {"SIP (phones)", "Internet telephony; targeted for toll fraud."}},
    Entry{5432, 't', {"PostgreSQL", "Database; should never be reachable from the internet."}},
    Entry{5900, 't', {"VNC", "Remote screen sharing; never expose it to the internet."}},
    Entry{5985, 't', {"WinRM", "Windows remote management; should not be public."}},
    Entry{5986, 't', {"WinRM (TLS)", "Windows remote management; should not be public."}},
    Entry{6379, 't', {"Redis", "Database with no password by default; never expose it."}},
    Entry{8080, 't', {"HTTP (alternate)", "Web servers and admin panels."}},
    Entry{8443, 't', {"HTTPS (alternate)", "Admin panels and VPN portals."}},
    Entry{9100, 't', {"Printer (raw)", "Printers; should not be public."}},
    Entry{9200, 't', {"Elasticsearch", "Search database; often leaks data when public."}},
    Entry{11211, 0, {"Memcached", "Cache; abused for huge floods, never expose it."}},
    Entry{27017, 't', {"MongoDB", "Database; often leaks data when public."}},
};

}  // namespace

std::string port_key(std::uint16_t port, core::Transport transport) {
    std::string key = std::to_string(port);
    key += '/';
    key += core::to_string(transport);
    return key;
}

ServiceInfo service_for(std::uint16_t port, core::Transport transport) {
    char t = transport == core::Transport::kTcp   ? 't'
             : transport == core::Transport::kUdp ? 'u'
                                                  : '?';
    for (const auto& e : kServices) {
        if (e.port == port && (e.only == 0 || e.only == t)) {
            return e.info;
        }
    }
    return {};
}

ServiceInfo service_for_key(std::string_view key) {
    auto slash = key.find('/');
    if (slash == std::string_view::npos) {
        // A bare port number (the store's summaries keep no transport): read as TCP.
        unsigned port = 0;
        auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), port);
        if (ec != std::errc{} || end != key.data() + key.size() || port > 65535) {
            return {};
        }
        return service_for(static_cast<std::uint16_t>(port), core::Transport::kTcp);
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + slash, port);
    if (ec != std::errc{} || end != key.data() + slash || port > 65535) {
        return {};
    }
    return service_for(static_cast<std::uint16_t>(port),
                       core::transport_from_name(key.substr(slash + 1)));
}

std::string_view severity_label(core::Severity severity) {
    switch (severity) {
        case core::Severity::kCritical:
            return "Critical";
        case core::Severity::kHigh:
            return "High";
        case core::Severity::kMedium:
            return "Medium";
        case core::Severity::kLow:
            return "Low";
        case core::Severity::kInfo:
            return "Info";
        case core::Severity::kUnknown:
            return "Unrated";
    }
    return "Unrated";
}

std::string_view severity_class(core::Severity severity) {
    switch (severity) {
        case core::Severity::kCritical:
            return "critical";
        case core::Severity::kHigh:
            return "high";
        case core::Severity::kMedium:
            return "medium";
        case core::Severity::kLow:
            return "low";
        case core::Severity::kInfo:
            return "info";
        case core::Severity::kUnknown:
            return "unrated";
    }
    return "unrated";
}

std::string_view severity_color(core::Severity severity) {
    switch (severity) {
        case core::Severity::kCritical:
            return "#7f1d1d";
        case core::Severity::kHigh:
            return "#b91c1c";
        case core::Severity::kMedium:
            return "#a16207";
        case core::Severity::kLow:
            return "#1d4ed8";
        case core::Severity::kInfo:
            return "#475569";
        case core::Severity::kUnknown:
            return "#475569";
    }
    return "#475569";
}

std::string_view kind_label(detect::FindingKind kind) {
    switch (kind) {
        case detect::FindingKind::kPortScan:
            return "Port scan";
        case detect::FindingKind::kHostSweep:
            return "Address sweep";
        case detect::FindingKind::kBruteForce:
            return "Password guessing";
        case detect::FindingKind::kFlood:
            return "Flood (denial of service)";
        case detect::FindingKind::kExposure:
            return "Exposed service";
        case detect::FindingKind::kKnownBad:
            return "Contact with a known-bad address";
        case detect::FindingKind::kBeaconing:
            return "Regular call-home (beaconing)";
        case detect::FindingKind::kIdsAlert:
            return "Intrusion-detection alert";
        case detect::FindingKind::kAvAlert:
            return "Anti-virus alert";
        case detect::FindingKind::kSpam:
            return "Spam";
    }
    return "Finding";
}

}  // namespace cyberalarm::report
