// Detection rules as data. A rule selects events (match / match_not on event fields),
// groups them (group_by), and fires when a group reaches `threshold` events — or
// `threshold` distinct values of the `distinct` field — within `window` of event time.
//
//   rules:
//     - id: port-scan
//       kind: port_scan               # a FindingKind name
//       severity: medium              # info low medium high critical
//       match:                        # every listed field must match one of its values
//         network.direction: inbound
//         event.action: [deny, drop, reject, allow]
//         destination.port: ["1-1023", 3389]   # ports and ranges; addresses take CIDRs
//       match_not:
//         source.ip: [192.0.2.1]      # none of these may match
//       group_by: [source.ip, destination.ip]
//       distinct: destination.port    # omit for a plain event count
//       threshold: 12
//       window: 10m                   # s, m, h, d
//       title: "Port scan of {target} from {source}"   # optional; {source} {target} {port} {count}
//       {distinct} advice: "What the member should do."
//
// A sequence rule fires when its steps happen in order within `window` of the first step's
// first event, per group (threshold and distinct do not apply):
//
//       group_by: [source.ip, user.hash]
//       sequence:
//         - match: {event.outcome: failure}
//           min: 5                      # at least 5 such events (default 1)
//         - match: {event.outcome: success}
//
// load_rules validates everything and names file, line and problem on error.
//
// Thread safety: Rule is an immutable value after loading.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr_set.h"
#include "core/event.h"
#include "core/result.h"
#include "detect/finding.h"

namespace cyberalarm::detect {

// Event fields rules can name, by their ECS names.
enum class Field : std::uint8_t {
    kSourceIp,
    kDestinationIp,
    kSourcePort,
    kDestinationPort,
    kTransport,
    kAction,
    kCategory,
    kOutcome,
    kDirection,
    kRuleId,
    kRuleName,
    kUserHash,
    kObserverName,
    kEventCode,
    kAppProtocol,
    kFormat,
};

std::optional<Field> field_from_name(std::string_view ecs_name);
std::string_view field_name(Field field);
// The textual value of a word field (not an address or port) of `e`: "tcp", "drop", a rule id.
std::string_view field_word(const core::Event& e, Field field);

// One field test: the field's value must be one of `values` (or in `addresses` / `ports`).
struct Condition {
    Field field = Field::kSourceIp;
    core::CidrSet addresses;                                     // for address fields
    std::vector<std::pair<std::uint16_t, std::uint16_t>> ports;  // inclusive ranges
    std::vector<std::string> words;                              // lower-case, other fields
    [[nodiscard]] bool matches(const core::Event& e) const;
};

struct SequenceStep {
    std::vector<Condition> match;
    std::uint64_t min = 1;  // events matching this step before the next step counts
};

struct Rule {
    std::string id;
    FindingKind kind = FindingKind::kPortScan;
    core::Severity severity = core::Severity::kMedium;
    std::string title;  // template; empty = a default per kind
    std::string advice;
    std::vector<Condition> match;
    std::vector<Condition> match_not;
    std::vector<Field> group_by;
    std::optional<Field> distinct;
    std::vector<SequenceStep> sequence;  // empty: a threshold or distinct rule
    std::uint64_t threshold = 1;
    std::int64_t window_ns = 0;
    std::string origin;  // "file:line" it was loaded from

    [[nodiscard]] bool selects(const core::Event& e) const;
    // For sequence rules: whether `e` satisfies step `step`'s conditions.
    [[nodiscard]] bool step_matches(std::size_t step, const core::Event& e) const;
};

// Parses a YAML rules document; `origin` names it in errors ("rules/scan.yaml").
[[nodiscard]] core::Result<std::vector<Rule>> load_rules(std::string_view yaml,
                                                         std::string_view origin);
// Every *.yaml / *.yml file in a directory, in name order.
[[nodiscard]] core::Result<std::vector<Rule>> load_rules_dir(const std::filesystem::path& dir);
// The rules built into the binary (rules/builtin.yaml in the source tree).
[[nodiscard]] core::Result<std::vector<Rule>> builtin_rules();
std::string_view builtin_rules_yaml();

// "90s", "10m", "2h", "1d" → nanoseconds.
[[nodiscard]] core::Result<std::int64_t> parse_duration(std::string_view text);

}  // namespace cyberalarm::detect
