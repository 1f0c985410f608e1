#include "server/clock.h"
#include "server/detection.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cyberalarm::server {

namespace {

template <typename T>
void unite(std::vector<T>& into, const std::vector<T>& from) {
    std::vector<T> out;
    out.reserve(into.size() + from.size());
    std::set_union(into.begin(), into.end(), from.begin(), from.end(), std::back_inserter(out));
    if (out.size() > detect::kMaxListed) {
        out.resize(detect::kMaxListed);
    }
    into = std::move(out);
}

// `update` (the engine's view since it started) on top of `base` (what came before it).
detect::Finding combine(const detect::Finding& base, detect::Finding update) {
    update.count += base.count;
    if (base.first_seen_ns != 0) {
        update.first_seen_ns = update.first_seen_ns == 0
                                   ? base.first_seen_ns
                                   : std::min(update.first_seen_ns, base.first_seen_ns);
    }
    update.last_seen_ns = std::max(update.last_seen_ns, base.last_seen_ns);
    update.severity = std::max(update.severity, base.severity);
    unite(update.sources, base.sources);
    unite(update.targets, base.targets);
    unite(update.ports, base.ports);
    // Distinct counts cannot be added (the sets may overlap): the larger is a lower bound.
    update.distinct_sources = std::max({update.distinct_sources, base.distinct_sources,
                                        static_cast<std::uint64_t>(update.sources.size())});
    update.distinct_targets = std::max({update.distinct_targets, base.distinct_targets,
                                        static_cast<std::uint64_t>(update.targets.size())});
    update.distinct_ports = std::max({update.distinct_ports, base.distinct_ports,
                                      static_cast<std::uint64_t>(update.ports.size())});
    return update;
}

detect::Finding without_evidence(detect::Finding f) {
    f.evidence.clear();
    return f;
}

}  // namespace

DetectionWorker::DetectionWorker(store::Store& store, Metrics& metrics, Notifier* notifier,
                                 DetectionOptions options)
    : store_(store), metrics_(metrics), notifier_(notifier), options_(std::move(options)) {
    const unsigned n = std::max(1u, options_.workers);
    for (unsigned i = 0; i < n; ++i) {
        shards_.push_back(std::make_unique<Shard>());
    }
}

DetectionWorker::~DetectionWorker() {
    stop();
}

void DetectionWorker::start() {
    if (started_) {
        return;
    }
    started_ = true;
    for (auto& shard : shards_) {
        Shard* s = shard.get();
        s->thread = std::thread([this, s] { run(*s); });
    }
}

void DetectionWorker::stop() {
    for (auto& shard : shards_) {
        {
            std::lock_guard lock(shard->mu);
            shard->stopping = true;
        }
        shard->cv.notify_all();
    }
    for (auto& shard : shards_) {
        if (shard->thread.joinable()) {
            shard->thread.join();
        }
    }
}

void DetectionWorker::submit(store::TenantId member, std::vector<core::Event> events) {
    if (events.empty()) {
        return;
    }
    const std::size_t n = events.size();
    Shard& shard = *shards_[static_cast<std::size_t>(member) % shards_.size()];
    queued_.fetch_add(n);
    pending_.fetch_add(n);
    {
        std::lock_guard lock(shard.mu);
        shard.queue.push_back(Batch{member, std::move(events)});
    }
    shard.cv.notify_one();
}

bool DetectionWorker::overloaded() const {
    return queued_.load() >= options_.max_queue_events;
}

std::size_t DetectionWorker::queued_events() const {
    return queued_.load();
}

bool DetectionWorker::wait_idle(std::chrono::milliseconds timeout) const {
    // Asks the workers to store findings as soon as their queues are empty rather than at
    // the next flush interval.
    idle_waiters_.fetch_add(1);
    for (auto& shard : shards_) {
        std::lock_guard lock(shard->mu);  // so the wake-up cannot fall between check and wait
        shard->cv.notify_all();
    }
    std::unique_lock lock(idle_mu_);
    const bool idle = idle_cv_.wait_for(lock, timeout, [this] { return pending_.load() == 0; });
    idle_waiters_.fetch_sub(1);
    return idle;
}

void DetectionWorker::run(Shard& shard) {
    std::unique_lock lock(shard.mu);
    shard.last_flush = std::chrono::steady_clock::now();
    std::size_t unflushed = 0;  // events observed whose findings are not stored yet
    auto flush_now = [&] {
        lock.unlock();
        flush(shard);
        {
            std::lock_guard idle(idle_mu_);
            pending_.fetch_sub(unflushed);
        }
        unflushed = 0;
        idle_cv_.notify_all();
        lock.lock();
    };
    for (;;) {
        auto ready = [&] {
            return shard.stopping || !shard.queue.empty() ||
                   (unflushed > 0 && idle_waiters_.load() > 0);
        };
        if (unflushed > 0) {
            shard.cv.wait_until(lock, shard.last_flush + options_.flush_interval, ready);
        } else {
            shard.cv.wait(lock, ready);
        }
        if (shard.queue.empty()) {
            if (unflushed > 0) {
                flush_now();  // idle, someone waits, the interval passed, or stopping
                continue;
            }
            if (shard.stopping) {
                return;  // stopping with nothing left: the queue is flushed
            }
            continue;
        }
        Batch batch = std::move(shard.queue.front());
        shard.queue.pop_front();
        queued_.fetch_sub(batch.events.size());
        lock.unlock();
        observe(shard, batch);
        unflushed += batch.events.size();
        lock.lock();
        // Findings are stored at most once per interval while events keep coming, so that
        // detection does not take the store's single writer from ingest after every batch.
        if (std::chrono::steady_clock::now() - shard.last_flush >= options_.flush_interval) {
            flush_now();
        }
    }
}

DetectionWorker::MemberState& DetectionWorker::member_state(Shard& shard,
                                                            store::TenantId member) {
    auto [it, fresh] = shard.members.try_emplace(member);
    MemberState& state = it->second;
    if (!fresh) {
        return state;
    }
    detect::EngineOptions eo;
    eo.member = std::to_string(member);
    eo.intel = options_.intel.get();
    if (auto tenant = store_.get_tenant(member); tenant) {
        state.name = tenant->name;
        if (auto st = eo.internal.add_list(tenant->networks); !st) {
            spdlog::warn("event=member_networks_invalid member={} reason=\"{}\"", member,
                         st.error().message());
        }
    } else {
        spdlog::warn("event=member_lookup_failed member={} reason=\"{}\"", member,
                     tenant.error().message());
    }
    eo.internal.seal();
    eo.trusted.seal();
    state.engine = std::make_unique<detect::Engine>(options_.rules, std::move(eo));
    return state;
}

detect::Finding DetectionWorker::merge(MemberState& state, store::TenantId member,
                                       detect::Finding update, bool& notify, bool& escalated) {
    auto [it, fresh] = state.known.try_emplace(update.id);
    Known& k = it->second;
    if (fresh) {
        // First sight in this process: build on what an earlier run stored, if anything.
        if (auto stored = store_.get_finding(store::Scope::service(), member, update.id);
            stored) {
            k.baseline = without_evidence(stored->finding);
            k.last_stored = k.baseline;
            if (k.baseline.severity >= options_.notify_min_severity) {
                k.notified = k.baseline.severity;
            }
        }
    } else if (update.count < k.engine_count) {
        // The engine's group expired and re-opened under the same id: continue the total.
        k.baseline = k.last_stored;
    }
    k.engine_count = update.count;
    detect::Finding merged = k.baseline.count == 0 ? std::move(update)
                                                   : combine(k.baseline, std::move(update));
    escalated = k.last_stored.count != 0;
    notify = merged.severity >= options_.notify_min_severity && merged.severity > k.notified;
    if (notify) {
        k.notified = merged.severity;
    }
    k.last_stored = without_evidence(merged);
    return merged;
}

void DetectionWorker::observe(Shard& shard, Batch& batch) {
    MemberState& state = member_state(shard, batch.member);
    for (auto& event : batch.events) {
        state.engine->observe(event);
    }
    state.dirty = true;
    metrics_.detection_events(batch.events.size());
}

void DetectionWorker::flush(Shard& shard) {
    for (auto& [member, state] : shard.members) {
        if (state.dirty) {
            state.dirty = false;
            flush_member(member, state);
        }
    }
    shard.last_flush = std::chrono::steady_clock::now();
}

void DetectionWorker::flush_member(store::TenantId member, MemberState& state) {
    auto updates = state.engine->take_updates();
    if (updates.empty()) {
        return;
    }
    std::vector<detect::Finding> merged;
    std::vector<Notice> notices;
    merged.reserve(updates.size());
    for (auto& u : updates) {
        bool notify = false;
        bool escalated = false;
        merged.push_back(merge(state, member, std::move(u), notify, escalated));
        if (notify) {
            notices.push_back(Notice{member, state.name, escalated,
                                     without_evidence(merged.back()), std::nullopt,
                                     std::nullopt});
        }
    }
    if (auto st = store_.upsert_findings(member, merged, wall_clock_ns()); !st) {
        // The engine keeps the findings; the next update of each stores it again.
        spdlog::error("event=findings_store_failed member={} findings={} reason=\"{}\"", member,
                      merged.size(), st.error().message());
        return;
    }
    metrics_.findings_stored(merged.size());
    if (notifier_ != nullptr) {
        for (auto& n : notices) {
            notifier_->notify(std::move(n));
        }
    }
}

}  // namespace cyberalarm::server
