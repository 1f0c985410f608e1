#include <array>
#include <functional>
#include <vector>

#include "parse/formats/formats.h"
#include "parse/parser.h"

namespace cyberalarm::parse {

namespace {

// The table of formats. Order matters only to break ties between equally confident probes:
// specific vendor formats come before generic envelopes (CEF, LEEF) and plain iptables.
const std::array<std::reference_wrapper<const Format>, 23>& table() {
    static const std::array<std::reference_wrapper<const Format>, 23> kTable = {
        std::cref(formats::cisco_asa()),
        std::cref(formats::fortigate()),
        std::cref(formats::panos()),
        std::cref(formats::checkpoint()),
        std::cref(formats::juniper_srx()),
        std::cref(formats::sonicwall()),
        std::cref(formats::sophos()),
        std::cref(formats::watchguard()),
        std::cref(formats::cisco_meraki()),
        std::cref(formats::forcepoint()),
        std::cref(formats::clavister()),
        std::cref(formats::stormshield()),
        std::cref(formats::barracuda()),
        std::cref(formats::pf_filterlog()),
        std::cref(formats::openbsd_pf()),
        std::cref(formats::mikrotik()),
        std::cref(formats::suricata_eve()),
        std::cref(formats::snort_fast()),
        std::cref(formats::windows_firewall()),
        std::cref(formats::sshd()),
        std::cref(formats::cef()),
        std::cref(formats::leef()),
        std::cref(formats::iptables()),
    };
    return kTable;
}

const std::vector<Format>& flat() {
    static const std::vector<Format> kFlat = [] {
        std::vector<Format> v;
        for (const Format& f : table()) {
            v.push_back(f);
        }
        return v;
    }();
    return kFlat;
}

}  // namespace

std::span<const Format> all_formats() {
    return flat();
}

const Format* find_format(std::string_view name) {
    for (const Format& f : flat()) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

}  // namespace cyberalarm::parse
