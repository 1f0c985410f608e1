// FindingBook: the findings an engine has opened, with the sets behind their distinct counts,
// and which of them changed since the last take. Internal to the detect library.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/event.h"
#include "detect/finding.h"

namespace cyberalarm::detect::internal {

struct IpHash {
    std::size_t operator()(const core::IpAddress& ip) const noexcept;
};

class FindingBook {
public:
    // Opens a finding (or returns the open one with this id). `distinct_field` names what
    // the rule counted, for the {distinct} placeholder.
    std::size_t open(const std::string& id, FindingKind kind, core::Severity severity,
                     const std::string& rule, const std::string& title_template,
                     const std::string& advice, const std::string& member);
    // Adds one event to finding `index` (counts, times, listed addresses and ports, evidence).
    void add(std::size_t index, const core::Event& e);
    // Adds what a window entry remembered about an event that came before the finding opened.
    void add_prior(std::size_t index, std::int64_t t, const core::IpAddress& src,
                   const core::IpAddress& dst, std::uint16_t port, bool has_port);
    Finding& at(std::size_t index) { return states_[index].finding; }
    // Marks a finding closed: a later episode with the same key opens a new finding.
    void close(const std::string& id) { open_.erase(id); }
    [[nodiscard]] std::size_t size() const { return states_.size(); }

    std::vector<Finding> take_updates();
    [[nodiscard]] std::vector<Finding> all() const;

private:
    struct State {
        Finding finding;
        std::string title_template;
        std::unordered_set<core::IpAddress, IpHash> sources;  // capped at kDistinctCap
        std::unordered_set<core::IpAddress, IpHash> targets;
        std::unordered_set<std::uint16_t> ports;
        bool dirty = true;
    };
    static constexpr std::size_t kDistinctCap = 65536;

    void note(State& s, std::int64_t t, const core::IpAddress& src, const core::IpAddress& dst,
              std::uint16_t port, bool has_port);
    [[nodiscard]] Finding render(const State& s) const;

    std::vector<State> states_;
    std::unordered_map<std::string, std::size_t> open_;  // id → index while the episode lasts
    std::unordered_map<std::string, int> episodes_;      // id → episodes so far
};

}  // namespace cyberalarm::detect::internal
