#include "detect/internal/finding_book.h"

#include <algorithm>
#include <cstring>

namespace cyberalarm::detect::internal {

namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
        s.replace(p, from.size(), to);
    }
}

}  // namespace

std::size_t IpHash::operator()(const core::IpAddress& ip) const noexcept {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::memcpy(&a, ip.bytes().data(), 8);
    std::memcpy(&b, ip.bytes().data() + 8, 8);
    // Mixed to the low bits: the sets probe with (hash & mask), and an IPv4 address's
    // first bytes (the v4-mapped prefix) are the same for every address.
    std::uint64_t x = (a * 0x9E3779B97F4A7C15ull) ^ b;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    return x ^ (x >> 33);
}

std::size_t FindingBook::open(const std::string& id, FindingKind kind, core::Severity severity,
                              const std::string& rule, const std::string& title_template,
                              const std::string& advice, const std::string& member) {
    if (auto it = open_.find(id); it != open_.end()) {
        return it->second;
    }
    int episode = ++episodes_[id];
    State s;
    s.finding.id = episode == 1 ? id : id + "#" + std::to_string(episode);
    s.finding.kind = kind;
    s.finding.severity = severity;
    s.finding.rule = rule;
    s.finding.advice = advice;
    s.finding.member = member;
    s.key = id;
    s.title_template = title_template;
    states_.push_back(std::move(s));
    open_[id] = states_.size() - 1;
    return states_.size() - 1;
}

void FindingBook::note(State& s, std::int64_t t, const core::IpAddress& src,
                       const core::IpAddress& dst, std::uint16_t port, bool has_port) {
    Finding& f = s.finding;
    ++f.count;
    if (f.first_seen_ns == 0 || t < f.first_seen_ns) {
        f.first_seen_ns = t;
    }
    f.last_seen_ns = std::max(f.last_seen_ns, t);
    if (src.is_set() && s.sources.size() < kDistinctCap) {
        s.sources.insert(src);
    }
    if (dst.is_set() && s.targets.size() < kDistinctCap) {
        s.targets.insert(dst);
    }
    if (has_port && s.ports.size() < kDistinctCap) {
        s.ports.insert(port);
    }
    s.dirty = true;
}

void FindingBook::add(std::size_t index, const core::Event& e) {
    State& s = states_[index];
    note(s, e.time_ns, e.src_ip, e.dst_ip, e.dst_port, e.has(core::Event::kDstPort));
    Finding& f = s.finding;
    if (f.transport == core::Transport::kUnknown) {
        f.transport = e.transport;
    }
    // IDS, AV and spam findings name the signature behind them and are as severe as the
    // worst alert; for the other kinds a firewall rule name says nothing about the finding.
    bool alert_kind = f.kind == FindingKind::kIdsAlert || f.kind == FindingKind::kAvAlert ||
                      f.kind == FindingKind::kSpam;
    if (alert_kind && f.signature_id.empty() && f.signature_name.empty()) {
        f.signature_id = e.rule_id;
        f.signature_name = e.rule_name;
    }
    if (alert_kind && e.severity > f.severity) {
        f.severity = e.severity;
    }
    if (f.evidence.size() < kMaxEvidence) {
        f.evidence.push_back(e);
    }
}

void FindingBook::add_prior(std::size_t index, std::int64_t t, const core::IpAddress& src,
                            const core::IpAddress& dst, std::uint16_t port, bool has_port) {
    note(states_[index], t, src, dst, port, has_port);
}

Finding FindingBook::render(const State& s) const {
    Finding f = s.finding;
    f.sources = s.sources.listed();
    f.targets = s.targets.listed();
    f.ports = s.ports.listed();
    f.distinct_sources = s.sources.size();
    f.distinct_targets = s.targets.size();
    f.distinct_ports = s.ports.size();
    std::string t = s.title_template;
    auto first_ip = [](const std::vector<core::IpAddress>& v) {
        return v.empty() ? std::string("?") : v.front().to_string();
    };
    std::uint64_t distinct = std::max({f.distinct_sources > 1 ? f.distinct_sources : 0,
                                       f.distinct_targets > 1 ? f.distinct_targets : 0,
                                       f.distinct_ports > 1 ? f.distinct_ports : 0});
    replace_all(t, "{source}", first_ip(f.sources));
    replace_all(t, "{target}", first_ip(f.targets));
    replace_all(t, "{port}", f.ports.empty() ? "?" : std::to_string(f.ports.front()));
    replace_all(t, "{count}", std::to_string(f.count));
    replace_all(t, "{distinct}", std::to_string(distinct));
    replace_all(t, "{distinct_sources}", std::to_string(f.distinct_sources));
    replace_all(t, "{distinct_targets}", std::to_string(f.distinct_targets));
    replace_all(t, "{distinct_ports}", std::to_string(f.distinct_ports));
    replace_all(t, "{signature}", f.signature_name.empty() ? f.signature_id : f.signature_name);
    f.title = std::move(t);
    return f;
}

std::vector<Finding> FindingBook::take_updates() {
    std::vector<Finding> out;
    for (auto& s : states_) {
        if (s.dirty) {
            out.push_back(render(s));
            s.dirty = false;
        }
    }
    return out;
}

std::vector<Finding> FindingBook::all() const {
    std::vector<Finding> out;
    out.reserve(states_.size());
    for (const auto& s : states_) {
        out.push_back(render(s));
    }
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return a.first_seen_ns < b.first_seen_ns;
    });
    return out;
}

}  // namespace cyberalarm::detect::internal
