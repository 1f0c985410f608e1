#include "detect/finding.h"

#include <array>
#include <nlohmann/json.hpp>

#include "core/ecs_json.h"
#include "core/time.h"

namespace cyberalarm::detect {

namespace {

constexpr std::array<std::string_view, 10> kKindNames = {
    "port_scan", "host_sweep", "brute_force", "flood",    "exposure",
    "known_bad", "beaconing",  "ids_alert",   "av_alert", "spam"};

using nlohmann::json;

json ip_list(const std::vector<core::IpAddress>& ips) {
    json out = json::array();
    for (const auto& ip : ips) {
        out.push_back(ip.to_string());
    }
    return out;
}

}  // namespace

std::string_view to_string(FindingKind kind) {
    return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<FindingKind> finding_kind_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kKindNames.size(); ++i) {
        if (kKindNames[i] == s) {
            return static_cast<FindingKind>(i);
        }
    }
    return std::nullopt;
}

std::string to_json(const Finding& f) {
    json j;
    j["id"] = f.id;
    j["kind"] = std::string(to_string(f.kind));
    j["severity"] = std::string(core::to_string(f.severity));
    if (!f.member.empty()) {
        j["member"] = f.member;
    }
    j["rule"] = f.rule;
    j["title"] = f.title;
    if (!f.sources.empty()) {
        j["source"] = {{"ip", f.sources.front().to_string()}, {"ips", ip_list(f.sources)}};
    }
    json dst = json::object();
    if (!f.targets.empty()) {
        dst["ip"] = f.targets.front().to_string();
        dst["ips"] = ip_list(f.targets);
    }
    if (!f.ports.empty()) {
        dst["port"] = f.ports.front();
        dst["ports"] = f.ports;
    }
    if (!dst.empty()) {
        j["destination"] = dst;
    }
    if (f.transport != core::Transport::kUnknown) {
        j["network"] = {{"transport", std::string(core::to_string(f.transport))}};
    }
    j["count"] = f.count;
    j["distinct"] = {{"sources", f.distinct_sources},
                     {"targets", f.distinct_targets},
                     {"ports", f.distinct_ports}};
    j["first_seen"] = core::format_iso8601(f.first_seen_ns);
    j["last_seen"] = core::format_iso8601(f.last_seen_ns);
    if (!f.signature_id.empty() || !f.signature_name.empty()) {
        j["signature"] = {{"id", f.signature_id}, {"name", f.signature_name}};
    }
    if (!f.intel_source.empty()) {
        j["intel"] = {{"source", f.intel_source}, {"confidence", f.intel_confidence}};
    }
    j["advice"] = f.advice;
    json evidence = json::array();
    for (const auto& e : f.evidence) {
        evidence.push_back(json::parse(core::to_ecs_json(e)));
    }
    j["evidence"] = evidence;
    return j.dump();
}

core::Result<Finding> finding_from_json(std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return core::fail(core::Error::parse("finding is not a JSON object"));
    }
    Finding f;
    auto str = [&](const json& o, const char* k) {
        auto it = o.find(k);
        return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto u64 = [&](const json& o, const char* k) -> std::uint64_t {
        auto it = o.find(k);
        return it != o.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
    };
    auto ips = [&](const json& o, const char* k,
                   std::vector<core::IpAddress>& out) -> core::Status {
        auto it = o.find(k);
        if (it == o.end() || !it->is_array()) {
            return {};
        }
        for (const auto& v : *it) {
            auto ip = v.is_string() ? core::IpAddress::parse(v.get<std::string>()) : std::nullopt;
            if (!ip) {
                return core::fail(core::Error::parse("bad address in finding", k));
            }
            out.push_back(*ip);
        }
        return {};
    };
    f.id = str(j, "id");
    auto kind = finding_kind_from_string(str(j, "kind"));
    if (!kind) {
        return core::fail(
            core::Error::parse("unknown finding kind '" + str(j, "kind") + "'", "kind"));
    }
    f.kind = *kind;
    for (auto s : {core::Severity::kInfo, core::Severity::kLow, core::Severity::kMedium,
                   core::Severity::kHigh, core::Severity::kCritical}) {
        if (core::to_string(s) == str(j, "severity")) {
            f.severity = s;
        }
    }
    f.member = str(j, "member");
    f.rule = str(j, "rule");
    f.title = str(j, "title");
    f.advice = str(j, "advice");
    if (auto it = j.find("source"); it != j.end() && it->is_object()) {
        if (auto s = ips(*it, "ips", f.sources); !s) {
            return core::fail(s.error());
        }
    }
    if (auto it = j.find("destination"); it != j.end() && it->is_object()) {
        if (auto s = ips(*it, "ips", f.targets); !s) {
            return core::fail(s.error());
        }
        if (auto p = it->find("ports"); p != it->end() && p->is_array()) {
            for (const auto& v : *p) {
                if (v.is_number_unsigned() && v.get<std::uint64_t>() <= 65535) {
                    f.ports.push_back(static_cast<std::uint16_t>(v.get<std::uint64_t>()));
                }
            }
        }
    }
    if (auto it = j.find("network"); it != j.end() && it->is_object()) {
        f.transport = core::transport_from_name(str(*it, "transport"));
    }
    f.count = u64(j, "count");
    if (auto it = j.find("distinct"); it != j.end() && it->is_object()) {
        f.distinct_sources = u64(*it, "sources");
        f.distinct_targets = u64(*it, "targets");
        f.distinct_ports = u64(*it, "ports");
    }
    for (auto [key, out] :
         {std::pair{"first_seen", &f.first_seen_ns}, std::pair{"last_seen", &f.last_seen_ns}}) {
        auto t = core::parse_iso8601(str(j, key));
        if (!t) {
            return core::fail(core::Error::parse("bad time in finding", key));
        }
        *out = t->ns;
    }
    if (auto it = j.find("signature"); it != j.end() && it->is_object()) {
        f.signature_id = str(*it, "id");
        f.signature_name = str(*it, "name");
    }
    if (auto it = j.find("intel"); it != j.end() && it->is_object()) {
        f.intel_source = str(*it, "source");
        if (auto c = it->find("confidence"); c != it->end() && c->is_number_integer()) {
            f.intel_confidence = c->get<int>();
        }
    }
    if (auto it = j.find("evidence"); it != j.end() && it->is_array()) {
        for (const auto& e : *it) {
            auto ev = core::from_ecs_json(e.dump());
            if (!ev) {
                return core::fail(std::move(ev.error()).context("finding evidence"));
            }
            f.evidence.push_back(std::move(*ev));
        }
    }
    return f;
}

}  // namespace cyberalarm::detect
