#include "detect/engine.h"

#include <algorithm>

#include "detect/internal/beacon.h"
#include "detect/internal/finding_book.h"
#include "detect/internal/group_key.h"
#include "detect/internal/group_table.h"
#include "intel/intel_set.h"

namespace cyberalarm::detect {

namespace {

using internal::FindingBook;
using internal::GroupKey;

// What a window remembers of one event (and, for distinct rules, the counted value).
struct Entry {
    std::int64_t t = 0;
    core::IpAddress src;
    core::IpAddress dst;
    std::uint16_t port = 0;
    bool has_port = false;
    std::uint64_t value = 0;
};

Entry entry_of(const core::Event& e, std::uint64_t value = 0) {
    return {e.time_ns, e.src_ip, e.dst_ip, e.dst_port, e.has(core::Event::kDstPort), value};
}

// A group's window entries, oldest first, kept sorted by event time. Entries dropped from the
// front are skipped until an eighth of the window is dead, then erased in one move: O(1)
// amortised per event (about 8 entries moved), and the buffer's capacity is kept across
// groups.
class Window {
public:
    [[nodiscard]] std::size_t size() const { return v_.size() - start_; }
    [[nodiscard]] const Entry& front() const { return v_[start_]; }
    [[nodiscard]] const Entry& back() const { return v_.back(); }
    [[nodiscard]] auto begin() const { return v_.begin() + static_cast<std::ptrdiff_t>(start_); }
    [[nodiscard]] auto end() const { return v_.end(); }
    void clear() {
        v_.clear();
        start_ = 0;
    }
    void insert_sorted(const Entry& en) {
        auto pos = v_.end();
        const auto first = v_.begin() + static_cast<std::ptrdiff_t>(start_);
        while (pos != first && std::prev(pos)->t > en.t) {
            --pos;  // out-of-order event: keep the window sorted
        }
        v_.insert(pos, en);
    }
    // Distinct rules: the entry holding value `v`, or nullptr.
    Entry* find_value(std::uint64_t v) {
        auto it = std::find_if(v_.begin() + static_cast<std::ptrdiff_t>(start_), v_.end(),
                               [v](const Entry& en) { return en.value == v; });
        return it == v_.end() ? nullptr : &*it;
    }
    void push_back(const Entry& en) { v_.push_back(en); }
    // Drops the entries older than `t` (any order).
    void erase_older_than(std::int64_t t) {
        v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
        std::erase_if(v_, [t](const Entry& en) { return en.t < t; });
    }
    // Keeps the newest `n` entries.
    void keep_newest(std::size_t n) {
        if (size() <= n) {
            return;
        }
        start_ = v_.size() - n;
        if (start_ >= n / 8 + 16) {  // at most 1/8 + 16 dead: memory stays near n
            v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(start_));
            start_ = 0;
        }
    }

private:
    std::vector<Entry> v_;
    std::size_t start_ = 0;
};

struct Group {
    // Count and sequence rules: the newest entries in time order. Distinct rules: one entry
    // per value (its newest), fewer than `threshold`.
    Window entries;
    std::int64_t last_ns = 0;
    std::int64_t seq_start = 0;    // sequence rules: time of the sequence's first event
    std::uint64_t step_count = 0;  // sequence rules: events matching the awaited step so far
    std::uint32_t step = 0;        // sequence rules: the step being waited for
    std::uint32_t finding = 0;     // the finding's index in the book, once fired
    bool fired = false;
    bool owner = false;  // false: another rule of the same kind opened this finding first

    // Back to a fresh group, keeping the buffer's capacity.
    void reset() {
        entries.clear();
        last_ns = 0;
        seq_start = 0;
        step_count = 0;
        step = 0;
        finding = 0;
        fired = false;
        owner = false;
    }
};

// One rule's groups, their window state and their expiry order.
class RuleState {
public:
    explicit RuleState(Rule rule) : rule_(std::move(rule)) {}

    [[nodiscard]] bool selects(const core::Event& e) const { return rule_.selects(e); }

    void observe(const core::Event& e, const EngineOptions& opt, FindingBook& book,
                 EngineStats& stats) {
        GroupKey key;
        for (Field f : rule_.group_by) {
            internal::append_field(key, e, f);
        }
        bool inserted = false;
        Group& g = groups_.touch(key, inserted);
        g.last_ns = std::max(g.last_ns, e.time_ns);
        if (g.fired) {
            if (g.owner) {
                book.add(g.finding, e);
            }
        } else if (!rule_.sequence.empty() ? add_step(g, e)
                   : rule_.distinct        ? add_distinct(g, e)
                                           : add_count(g, e)) {
            fire(g, e, opt, book, stats);
        }
        if (inserted && groups_.size() > opt.max_groups_per_rule) {
            evict_oldest(book);  // never `g`: it is the newest
            ++stats.groups_evicted;
        }
    }

    // Drops groups idle for longer than the window plus the lateness allowance.
    void expire(std::int64_t now, const EngineOptions& opt, FindingBook& book, EngineStats& stats) {
        std::int64_t horizon = now - rule_.window_ns - opt.lateness_ns;
        while (!groups_.empty() && groups_.oldest().last_ns < horizon) {
            evict_oldest(book);
            ++stats.groups_expired;
        }
    }

private:
    bool add_count(Group& g, const core::Event& e) {
        g.entries.insert_sorted(entry_of(e));
        g.entries.keep_newest(rule_.threshold);
        return g.entries.size() >= rule_.threshold &&
               g.entries.back().t - g.entries.front().t <= rule_.window_ns;
    }

    // Sequence rules: steps in order, all within the window of the first step's first event.
    bool add_step(Group& g, const core::Event& e) {
        constexpr std::size_t kKept = 64;  // window entries kept as evidence of the sequence
        if (g.seq_start != 0 && e.time_ns - g.seq_start > rule_.window_ns) {
            g.step = 0;
            g.step_count = 0;
            g.seq_start = 0;
            g.entries.clear();
        }
        if (!rule_.step_matches(g.step, e)) {
            return false;
        }
        if (g.seq_start == 0) {
            g.seq_start = e.time_ns;
        }
        g.entries.insert_sorted(entry_of(e));
        g.entries.keep_newest(kKept);
        if (++g.step_count < rule_.sequence[g.step].min) {
            return false;
        }
        g.step_count = 0;
        if (++g.step < rule_.sequence.size()) {
            return false;
        }
        g.step = 0;
        g.seq_start = 0;
        return true;
    }

    // At most `threshold` values are held (the group fires when it has that many within the
    // window), so finding a value is a short scan of contiguous entries.
    bool add_distinct(Group& g, const core::Event& e) {
        const std::uint64_t v = internal::field_digest(e, *rule_.distinct);
        if (Entry* en = g.entries.find_value(v); en == nullptr) {
            g.entries.push_back(entry_of(e, v));
        } else if (en->t < e.time_ns) {
            *en = entry_of(e, v);
        }
        if (g.entries.size() < rule_.threshold) {
            return false;
        }
        // Forget values last seen before the window; what remains is in the window.
        g.entries.erase_older_than(g.last_ns - rule_.window_ns);
        return g.entries.size() >= rule_.threshold;
    }

    void fire(Group& g, const core::Event& e, const EngineOptions& opt, FindingBook& book,
              EngineStats& stats) {
        const std::string id =
            std::string(to_string(rule_.kind)) + ":" + internal::key_text(e, rule_.group_by);
        std::size_t before = book.size();
        g.finding = static_cast<std::uint32_t>(book.open(id, rule_.kind, rule_.severity, rule_.id,
                                                         rule_.title, rule_.advice, opt.member));
        g.fired = true;
        g.owner = book.size() > before;
        if (!g.owner) {
            g.entries.clear();
            return;  // the same activity, already reported by another rule
        }
        ++stats.findings;
        // The events that made the threshold count too; the window holds the current event
        // as well, which book.add below counts, so skip one entry equal to it.
        bool skipped_current = false;
        auto prior = [&](const Entry& en) {
            bool is_current = en.t == e.time_ns && en.src == e.src_ip && en.dst == e.dst_ip &&
                              en.port == e.dst_port;
            if (is_current && !skipped_current) {
                skipped_current = true;
                return;
            }
            book.add_prior(g.finding, en.t, en.src, en.dst, en.port, en.has_port);
        };
        for (const auto& en : g.entries) {
            prior(en);
        }
        book.add(g.finding, e);
        g.entries.clear();
    }

    void evict_oldest(FindingBook& book) {
        Group& g = groups_.oldest();
        if (g.fired) {
            book.close(g.finding);
        }
        groups_.pop_oldest();
    }

    Rule rule_;
    internal::GroupTable<Group> groups_;  // least recently updated first
};

core::CidrSet default_internal() {
    core::CidrSet set;
    (void)set.add_list(
        "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 127.0.0.0/8 "
        "169.254.0.0/16 fc00::/7 fe80::/10 ::1/128");
    set.seal();
    return set;
}

constexpr std::uint64_t kExpireEvery = 1024;

}  // namespace

struct Engine::Impl {
    EngineOptions opt;
    std::vector<RuleState> rules;
    FindingBook book;
    internal::BeaconDetector beacons;
    EngineStats stats;
    std::int64_t now = 0;

    Impl(std::vector<Rule> r, EngineOptions o) : opt(std::move(o)), beacons(opt.beacon) {
        if (opt.internal.empty()) {
            opt.internal = default_internal();
        }
        for (auto& rule : r) {
            rules.emplace_back(std::move(rule));
        }
    }

    // One finding per indicator and member-side address: a listed range is one finding, not
    // one per address in it, and each internal machine that called out gets its own.
    void known_bad(const core::Event& e) {
        if (opt.intel == nullptr) {
            return;
        }
        for (const core::IpAddress* ip : {&e.src_ip, &e.dst_ip}) {
            const intel::Indicator* hit = ip->is_set() ? opt.intel->match(*ip, e.time_ns) : nullptr;
            if (hit == nullptr) {
                continue;
            }
            bool range = hit->type == intel::IndicatorType::kPrefix;
            const core::IpAddress& other = ip == &e.src_ip ? e.dst_ip : e.src_ip;
            std::string indicator = range ? hit->prefix.to_string() : ip->to_string();
            std::string title = std::string("Known-bad ") + (range ? "range " : "address ") +
                                indicator + (ip == &e.src_ip ? " reached " : " contacted from ") +
                                other.to_string();
            std::size_t before = book.size();
            std::size_t idx = book.open(
                "known_bad:" + indicator + "|" + other.to_string(), FindingKind::kKnownBad,
                hit->confidence >= 75 ? core::Severity::kHigh : core::Severity::kMedium,
                "known-bad", title,
                "An address on a threat-intelligence list exchanged traffic with your network. If "
                "an internal machine contacted it, check that machine for malware; if it reached "
                "one of your services, check that service's logs for what it did.",
                opt.member);
            if (book.size() > before) {
                ++stats.findings;
                Finding& f = book.at(idx);
                f.intel_source = hit->source;
                f.intel_confidence = hit->confidence;
                f.signature_name = hit->label;
            }
            book.add(idx, e);
            break;
        }
    }
};

Engine::Engine(std::vector<Rule> rules, EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(rules), std::move(options))) {}

Engine::~Engine() = default;

core::Direction Engine::classify(const core::Event& e) const {
    if (e.direction != core::Direction::kUnknown) {
        return e.direction;
    }
    bool src_in = impl_->opt.internal.contains(e.src_ip);
    bool dst_in = impl_->opt.internal.contains(e.dst_ip);
    if (src_in && dst_in)
        return core::Direction::kInternal;
    if (src_in)
        return core::Direction::kOutbound;
    if (dst_in)
        return core::Direction::kInbound;
    return core::Direction::kExternal;
}

void Engine::observe(core::Event& e) {
    Impl& m = *impl_;
    ++m.stats.events;
    if (!m.opt.trusted.empty() && m.opt.trusted.contains(e.src_ip)) {
        ++m.stats.skipped_trusted;
        return;
    }
    e.direction = classify(e);
    if (e.time_ns < m.now - m.opt.lateness_ns) {
        ++m.stats.late;
    }
    m.now = std::max(m.now, e.time_ns);
    for (auto& r : m.rules) {
        if (r.selects(e)) {
            r.observe(e, m.opt, m.book, m.stats);
        }
    }
    m.known_bad(e);
    if (e.direction == core::Direction::kOutbound) {
        m.beacons.observe(e, m.now, m.opt.member, m.book, m.stats.findings);
    }
    if (m.stats.events % kExpireEvery == 0) {
        for (auto& r : m.rules) {
            r.expire(m.now, m.opt, m.book, m.stats);
        }
        m.beacons.expire(m.now);
    }
}

namespace {

// A scanner's probe that a firewall let through says a port is open, not that anyone uses the
// service from the internet; scans are reported as such. So exposure findings drop sources
// that are reported scanners, and an exposure seen only through scanners is left out.
std::vector<Finding> reconcile(std::vector<Finding> findings) {
    std::vector<core::IpAddress> scanners;
    for (const auto& f : findings) {
        if (f.kind == FindingKind::kPortScan || f.kind == FindingKind::kHostSweep) {
            scanners.insert(scanners.end(), f.sources.begin(), f.sources.end());
        }
    }
    std::sort(scanners.begin(), scanners.end());
    std::vector<Finding> out;
    out.reserve(findings.size());
    for (auto& f : findings) {
        if (f.kind == FindingKind::kExposure && !scanners.empty()) {
            std::erase_if(f.sources, [&](const core::IpAddress& ip) {
                return std::binary_search(scanners.begin(), scanners.end(), ip);
            });
            if (f.sources.empty()) {
                continue;
            }
            f.distinct_sources = std::min<std::uint64_t>(f.distinct_sources, f.sources.size());
        }
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

std::vector<Finding> Engine::take_updates() {
    return reconcile(impl_->book.take_updates());
}
std::vector<Finding> Engine::findings() const {
    return reconcile(impl_->book.all());
}
const EngineStats& Engine::stats() const {
    return impl_->stats;
}

}  // namespace cyberalarm::detect
