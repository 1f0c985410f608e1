// Finding: what detection concluded about a member's traffic — a scan, a brute-force run,
// an exposed service, contact with a known-bad address, beaconing, or aggregated IDS/AV/spam
// alerts — with the evidence behind it and plain-English advice.
//
// A finding has a stable `id` (kind, member and the grouping key of the rule that made it):
// when more events of the same activity arrive, the finding with that id is updated rather
// than a new one created. Lists are bounded (kMaxListed addresses/ports, kMaxEvidence
// events) while the distinct counts keep counting.
//
// Thread safety: plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::detect {

enum class FindingKind : std::uint8_t {
    kPortScan,
    kHostSweep,
    kBruteForce,
    kFlood,
    kExposure,
    kKnownBad,
    kBeaconing,
    kIdsAlert,
    kAvAlert,
    kSpam,
};

std::string_view to_string(FindingKind kind);  // "port_scan", "host_sweep", …
std::optional<FindingKind> finding_kind_from_string(std::string_view s);

inline constexpr std::size_t kMaxListed = 50;   // addresses or ports kept in a finding
inline constexpr std::size_t kMaxEvidence = 5;  // sample events kept in a finding

struct Finding {
    std::string id;  // stable identity for updates and de-duplication
    FindingKind kind = FindingKind::kPortScan;
    core::Severity severity = core::Severity::kMedium;
    std::string member;  // tenant the events belong to ("" for one-shot CLI runs)
    std::string rule;    // id of the rule or detector that produced it
    std::string title;   // one line a member understands
    std::string advice;  // what to do, in plain English

    std::vector<core::IpAddress> sources;  // sorted, at most kMaxListed
    std::vector<core::IpAddress> targets;  // sorted, at most kMaxListed
    std::vector<std::uint16_t> ports;      // destination ports, sorted, at most kMaxListed
    core::Transport transport = core::Transport::kUnknown;
    std::uint64_t distinct_sources = 0;
    std::uint64_t distinct_targets = 0;
    std::uint64_t distinct_ports = 0;
    std::uint64_t count = 0;  // events behind the finding
    std::int64_t first_seen_ns = 0;
    std::int64_t last_seen_ns = 0;

    // Rule or signature behind aggregated alerts (IDS/AV/spam) and intel matches.
    std::string signature_id;
    std::string signature_name;
    // Known-bad matches: where the indicator came from and how sure that source is.
    std::string intel_source;
    int intel_confidence = 0;  // 0..100

    std::vector<core::Event> evidence;  // a bounded sample of the events behind it
};

// One JSON object (no newline): kind, severity, title, source.ip (the first source) and
// source.ips, destination.ip/destination.ips, destination.port/destination.ports, count,
// distinct counts, first_seen, last_seen (ISO 8601 UTC), rule, advice, and evidence as ECS.
std::string to_json(const Finding& finding);

// Reads what to_json wrote (for the store and for tests).
[[nodiscard]] core::Result<Finding> finding_from_json(std::string_view json);

}  // namespace cyberalarm::detect
