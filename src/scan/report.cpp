#include "scan/report.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace cyberalarm::scan {

using Json = nlohmann::json;

namespace {

std::string iso(std::int64_t ns) {
    std::time_t s = static_cast<std::time_t>(ns / 1'000'000'000);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Json finding_json(const Finding& f) {
    return Json{{"target", f.target},
                {"address", f.address.is_set() ? f.address.to_string() : ""},
                {"port", f.port},
                {"transport", std::string(core::to_string(f.transport))},
                {"service", f.service},
                {"product", f.product},
                {"version", f.version},
                {"check", f.check},
                {"cve", f.cve},
                {"severity", std::string(core::to_string(f.severity))},
                {"cvss", f.cvss},
                {"confidence", f.confidence},
                {"title", f.title},
                {"evidence", f.evidence},
                {"advice", f.advice}};
}

}  // namespace

std::string report_json(const ScanReport& r) {
    Json targets = Json::array();
    for (const ResolvedTarget& t : r.targets) {
        Json addrs = Json::array();
        for (const core::IpAddress& a : t.addresses) {
            addrs.push_back(a.to_string());
        }
        targets.push_back({{"name", t.name}, {"addresses", addrs}});
    }
    Json open = Json::array();
    for (const OpenPort& p : r.open_tcp) {
        open.push_back({{"address", p.address.to_string()}, {"port", p.port}, {"transport", "tcp"}, {"rtt_ms", p.rtt_ms}});
    }
    for (const UdpAnswer& u : r.udp) {
        open.push_back({{"address", u.address.to_string()}, {"port", u.port}, {"transport", "udp"}, {"rtt_ms", 0}});
    }
    Json services = Json::array();
    for (const ServiceReport& s : r.services) {
        const Identity& id = s.info.id;
        services.push_back({{"target", s.target},
                            {"address", s.info.address.to_string()},
                            {"port", s.info.port},
                            {"service", id.service},
                            {"product", id.product},
                            {"version", id.version},
                            {"extra", id.extra},
                            {"distro", id.distro.name.empty() ? Json(nullptr)
                                                              : Json{{"name", id.distro.name},
                                                                     {"revision", id.distro.revision},
                                                                     {"release", id.distro.release}}},
                            {"tls", s.info.tls},
                            {"tls_version", s.info.tls_version}});
    }
    Json findings = Json::array();
    for (const Finding& f : r.findings) {
        findings.push_back(finding_json(f));
    }
    Json doc = {{"scanner", "cyberalarm-scan"},
                {"started", iso(r.started_ns)},
                {"finished", iso(r.finished_ns)},
                {"targets", targets},
                {"ports_scanned", r.ports_scanned.size()},
                {"open_ports", open},
                {"services", services},
                {"findings", findings},
                {"stats", {{"attempts", r.stats.attempts}, {"open", r.stats.open}, {"closed", r.stats.closed},
                           {"filtered", r.stats.filtered}, {"errors", r.stats.errors},
                           {"mode", to_string(r.stats.mode)}}},
                {"notes", r.notes}};
    return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string report_text(const ScanReport& r) {
    std::string out = "cyberalarm-scan " + iso(r.started_ns) + " .. " + iso(r.finished_ns) + "\n";
    for (const ResolvedTarget& t : r.targets) {
        out += "target " + t.name + " (" + std::to_string(t.addresses.size()) + " address(es))\n";
    }
    out += std::to_string(r.ports_scanned.size()) + " TCP ports per address; " +
           std::to_string(r.open_tcp.size()) + " open\n\n";
    if (!r.services.empty()) {
        out += "PORT      SERVICE        PRODUCT / VERSION\n";
        for (const ServiceReport& s : r.services) {
            char line[64];
            std::snprintf(line, sizeof line, "%-9s %-14s ",
                          (std::to_string(s.info.port) + "/tcp").c_str(),
                          (s.info.id.service + (s.info.tls ? "+tls" : "")).substr(0, 14).c_str());
            out += std::string(line) + s.info.id.product + (s.info.id.version.empty() ? "" : " " + s.info.id.version) +
                   (s.info.id.extra.empty() ? "" : " (" + s.info.id.extra + ")") + "  [" + s.info.address.to_string() + "]\n";
        }
        out += "\n";
    }
    for (const UdpAnswer& u : r.udp) {
        out += std::to_string(u.port) + "/udp  " + u.decoded.summary + "  [" + u.address.to_string() + "]\n";
    }
    for (const Finding& f : r.findings) {
        if (f.check == "service") {
            continue;
        }
        std::string where = f.address.is_set() ? f.address.to_string() + ":" + std::to_string(f.port) : f.target;
        out += "[" + std::string(core::to_string(f.severity)) + "] " + where + " " + f.title;
        if (f.cvss > 0) {
            char cv[16];
            std::snprintf(cv, sizeof cv, "%.1f", f.cvss);
            out += " (CVSS " + std::string(cv) + ")";
        }
        if (f.confidence != "high") {
            out += " [confidence " + f.confidence + "]";
        }
        out += "\n    evidence: " + f.evidence + "\n    advice:   " + f.advice + "\n";
    }
    for (const std::string& n : r.notes) {
        out += "note: " + n + "\n";
    }
    return out;
}

}  // namespace cyberalarm::scan
