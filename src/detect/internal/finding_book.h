// FindingBook: the findings an engine has opened, with the sets behind their distinct counts,
// and which of them changed since the last take. Adding an event to a finding costs a few
// probes of open-addressing sets (no allocation per event once they have grown) and keeps
// each listed part (the smallest kMaxListed values) up to date as values arrive, so taking
// an update never sorts a whole set. Internal to the detect library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "detect/finding.h"

namespace cyberalarm::detect::internal {

struct IpHash {
    std::size_t operator()(const core::IpAddress& ip) const noexcept;
};
struct PortHash {
    std::size_t operator()(std::uint16_t port) const noexcept {
        return (port * 0x9E3779B97F4A7C15ull) >> 40;
    }
};

// A set of distinct values (linear probing, load at most 1/2) with its smallest kMaxListed
// values kept sorted.
template <typename T, typename Hash>
class DistinctSet {
public:
    // Adds `v`; false when it was there already.
    bool insert(const T& v) {
        if ((size_ + 1) * 2 > slots_.size()) {
            grow();
        }
        const std::size_t mask = slots_.size() - 1;
        std::size_t pos = Hash{}(v) & mask;
        while (used_[pos] != 0) {
            if (slots_[pos] == v) {
                return false;
            }
            pos = (pos + 1) & mask;
        }
        used_[pos] = 1;
        slots_[pos] = v;
        ++size_;
        if (listed_.size() < kMaxListed || v < listed_.back()) {
            listed_.insert(std::upper_bound(listed_.begin(), listed_.end(), v), v);
            if (listed_.size() > kMaxListed) {
                listed_.pop_back();
            }
        }
        return true;
    }
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] const std::vector<T>& listed() const { return listed_; }

private:
    void grow() {
        std::vector<T> old = std::move(slots_);
        std::vector<std::uint8_t> old_used = std::move(used_);
        const std::size_t capacity = old.empty() ? 16 : old.size() * 2;
        slots_.assign(capacity, T{});
        used_.assign(capacity, 0);
        for (std::size_t i = 0; i < old.size(); ++i) {
            if (old_used[i] != 0) {
                std::size_t pos = Hash{}(old[i]) & (capacity - 1);
                while (used_[pos] != 0) {
                    pos = (pos + 1) & (capacity - 1);
                }
                used_[pos] = 1;
                slots_[pos] = old[i];
            }
        }
    }
    std::vector<T> slots_;
    std::vector<std::uint8_t> used_;
    std::size_t size_ = 0;
    std::vector<T> listed_;  // sorted, the smallest kMaxListed values
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
    // Marks finding `index` closed, if its episode is still the open one: a later episode
    // with the same id opens a new finding.
    void close(std::size_t index) {
        if (auto it = open_.find(states_[index].key); it != open_.end() && it->second == index) {
            open_.erase(it);
        }
    }
    [[nodiscard]] std::size_t size() const { return states_.size(); }

    std::vector<Finding> take_updates();
    [[nodiscard]] std::vector<Finding> all() const;

private:
    struct State {
        Finding finding;
        std::string key;  // the id it was opened under (finding.id adds the episode)
        std::string title_template;
        DistinctSet<core::IpAddress, IpHash> sources;  // capped at kDistinctCap
        DistinctSet<core::IpAddress, IpHash> targets;
        DistinctSet<std::uint16_t, PortHash> ports;
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
