// Words the report uses for codes: well-known ports and their services, severities and
// finding kinds, in language a member who is not a security specialist understands.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/event.h"
#include "detect/finding.h"

namespace cyberalarm::report {

// "22/tcp"; the transport name as core::to_string gives it.
std::string port_key(std::uint16_t port, core::Transport transport);

struct ServiceInfo {
    std::string_view name;  // "SSH"; empty when the port is not a well-known one
    std::string_view note;  // one plain sentence on what it is and why it matters
};

// The service usually found on a port. TCP and UDP share names except where they differ.
ServiceInfo service_for(std::uint16_t port, core::Transport transport);
// As above for a port_key() string, or a bare port number (read as TCP); empty for anything
// else.
ServiceInfo service_for_key(std::string_view key);

std::string_view severity_label(core::Severity severity);  // "Critical" … "Info", "Unrated"
std::string_view severity_class(core::Severity severity);  // CSS suffix: "critical" …
std::string_view severity_color(core::Severity severity);  // passes WCAG AA with white text
std::string_view kind_label(detect::FindingKind kind);     // "Port scan", "Exposed service" …

}  // namespace cyberalarm::report
