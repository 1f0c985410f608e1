// The streaming detection engine: events in, findings out, per member.
//
// Each rule keeps per-group state over a sliding event-time window. Events may arrive out
// of order: a group's state is kept until the newest event time seen ("now") has moved past
// the group's last event by the rule's window plus the allowed lateness, then it expires.
// State is bounded: at most max_groups_per_rule groups per rule (the least recently updated
// is evicted first) and at most `threshold` window entries per group. Expiries and
// evictions are counted in stats().
//
// When a group reaches its rule's threshold a finding opens; later events of the same group
// update that finding (counts, last seen, listed addresses and ports) until the group
// expires. Rules of the same kind and the same group_by share findings, so two rules that
// see the same scan do not report it twice.
//
// Built in beside the rules: known_bad (any event touching a threat-intel indicator) and
// beaconing (an internal host connecting to one outside destination at a regular interval).
//
// Thread safety: one Engine per member and thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cidr_set.h"
#include "core/event.h"
#include "detect/finding.h"
#include "detect/rule.h"

namespace cyberalarm::intel {
class IntelSet;
}

namespace cyberalarm::detect {

struct BeaconOptions {
    std::size_t min_connections = 8;  // connections before a verdict
    std::int64_t min_interval_ns = std::int64_t{10} * 1'000'000'000;  // shorter is not beaconing
    double max_jitter = 0.15;  // median absolute deviation / median interval
    std::size_t history = 64;  // connection times kept per pair
    std::int64_t idle_ns = std::int64_t{2} * 3600 * 1'000'000'000;  // pair forgotten after
};

struct EngineOptions {
    std::string member;
    // The member's own networks (sealed). Empty: RFC 1918, CGNAT, ULA, link-local and
    // loopback ranges are taken as internal.
    core::CidrSet internal;
    core::CidrSet trusted;  // events from these sources are not considered (sealed)
    std::int64_t lateness_ns = std::int64_t{60} * 1'000'000'000;
    std::size_t max_groups_per_rule = 100'000;
    const intel::IntelSet* intel = nullptr;  // borrowed; nullptr = no known_bad detection
    BeaconOptions beacon;
};

struct EngineStats {
    std::uint64_t events = 0;
    std::uint64_t skipped_trusted = 0;
    std::uint64_t late = 0;  // older than now - lateness when they arrived
    std::uint64_t groups_expired = 0;
    std::uint64_t groups_evicted = 0;  // dropped at the max_groups_per_rule bound
    std::uint64_t findings = 0;
};

class Engine {
public:
    Engine(std::vector<Rule> rules, EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs one event through every rule and detector. Fills in event.direction (from the
    // member's networks) when the parser left it unknown, so callers can reuse it.
    void observe(core::Event& event);

    // Findings opened or changed since the last call (for incremental storage).
    [[nodiscard]] std::vector<Finding> take_updates();
    // Every finding so far, ordered by first seen.
    [[nodiscard]] std::vector<Finding> findings() const;
    [[nodiscard]] const EngineStats& stats() const;

    // The direction the engine assigns to an event (inbound, outbound, internal, external).
    [[nodiscard]] core::Direction classify(const core::Event& event) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::detect
