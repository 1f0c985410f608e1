#include "detect/internal/beacon.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace cyberalarm::detect::internal {

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

}  // namespace

BeaconVerdict judge_intervals(std::span<const std::int64_t> times, const BeaconOptions& opt) {
    BeaconVerdict v;
    if (times.size() < opt.min_connections) {
        return v;
    }
    std::vector<double> gaps;
    gaps.reserve(times.size());
    for (std::size_t i = 1; i < times.size(); ++i) {
        gaps.push_back(static_cast<double>(times[i] - times[i - 1]) / 1e9);
    }
    v.median_s = median(gaps);
    if (v.median_s * 1e9 < static_cast<double>(opt.min_interval_ns)) {
        return v;
    }
    std::vector<double> dev;
    dev.reserve(gaps.size());
    for (double g : gaps) {
        dev.push_back(std::fabs(g - v.median_s));
    }
    v.jitter = median(dev) / v.median_s;
    v.periodic = v.jitter <= opt.max_jitter;
    return v;
}

void BeaconDetector::observe(const core::Event& e, std::int64_t now, const std::string& member,
                             FindingBook& book, std::uint64_t& findings_opened) {
    (void)now;
    GroupKey key;
    append_field(key, e, Field::kSourceIp);
    append_field(key, e, Field::kDestinationIp);
    append_field(key, e, Field::kDestinationPort);
    bool inserted = false;
    Pair& p = pairs_.touch(key, inserted);
    if (inserted && pairs_.size() > max_pairs_) {
        pairs_.pop_oldest();  // never `p`: it is the newest
    }
    p.last_ns = std::max(p.last_ns, e.time_ns);
    auto pos = p.times.end();
    while (pos != p.times.begin() && *std::prev(pos) > e.time_ns) {
        --pos;
    }
    p.times.insert(pos, e.time_ns);
    if (p.times.size() > opt_.history) {
        p.times.erase(p.times.begin());  // at most `history` (64) times move
    }
    if (p.reported) {
        book.add(p.finding, e);
        return;
    }
    BeaconVerdict v = judge_intervals(p.times, opt_);
    if (!v.periodic) {
        return;
    }
    std::string id = "beaconing:" + key_text(e, {Field::kSourceIp, Field::kDestinationIp,
                                                 Field::kDestinationPort});
    char period[32];
    std::snprintf(period, sizeof period, "%.0f", v.median_s);
    std::size_t before = book.size();
    p.finding = book.open(
        id, FindingKind::kBeaconing, core::Severity::kHigh, "beaconing",
        std::string("{source} contacts {target} port {port} every ") + period + " s",
        "An internal machine connects to the same outside address at a regular interval, as "
        "malware does when it calls its controller. Find which program on that machine makes "
        "the connections; if you do not recognise it, isolate the machine and check it for "
        "malware.",
        member);
    findings_opened += book.size() > before ? 1 : 0;
    p.reported = true;
    bool skipped_current = false;  // p.times holds this event too; book.add counts it
    for (std::int64_t t : p.times) {
        if (t == e.time_ns && !skipped_current) {
            skipped_current = true;
            continue;
        }
        book.add_prior(p.finding, t, e.src_ip, e.dst_ip, e.dst_port, e.has(core::Event::kDstPort));
    }
    book.add(p.finding, e);
}

void BeaconDetector::expire(std::int64_t now) {
    while (!pairs_.empty() && pairs_.oldest().last_ns < now - opt_.idle_ns) {
        pairs_.pop_oldest();
    }
}

}  // namespace cyberalarm::detect::internal
