// DetectionWorker: detection on ingest. Stored batches are queued here (the acknowledgement
// does not wait); worker threads run one detect::Engine per member over them, store what
// the engines opened or changed with Store::upsert_findings, and hand new or escalated
// findings at or above a severity to the Notifier.
//
// Members are spread over the workers by id, so one member's events are always seen by one
// engine, in the order they were stored. Each engine takes the member's internal networks
// from its Tenant record (read once, when the engine is made) and the shared threat-intel
// set.
//
// A finding keeps its stable id across batches, so a scan that spans batches is one stored
// finding whose counts grow. Engine state lives in memory only: after a restart the engines
// start empty. So that a finding continuing across a restart (or an engine group that
// expired and re-opened under the same id) is not overwritten with smaller counts, the
// first update of an id in this process is merged onto what the store holds: counts add,
// first/last seen widen, listed addresses and ports are united, distinct counts take the
// larger (a lower bound), severity the higher. Notification is decided against the stored
// severity, so a restart does not notify again.
//
// Findings are stored at most once per flush_interval (and at the latest one interval after
// the last batch): under load one upsert per changed finding per interval rather than per
// batch, so detection does not take the store's single writer away from ingest. wait_idle()
// and stop() store them at once.
//
// Bounds: the queue holds at most max_queue_events events beyond the batch being pushed
// (overloaded() then says so and ingest answers 429); each engine bounds its own state.
//
// Thread safety: submit(), overloaded() and the queries from any thread; start()/stop()
// from the owner.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/event.h"
#include "detect/engine.h"
#include "detect/rule.h"
#include "intel/intel_set.h"
#include "server/metrics.h"
#include "server/notify.h"
#include "store/store.h"

namespace cyberalarm::server {

struct DetectionOptions {
    std::vector<detect::Rule> rules;
    std::shared_ptr<const intel::IntelSet> intel;  // sealed; nullptr: no known_bad matching
    std::size_t max_queue_events = 1'000'000;
    unsigned workers = 1;
    core::Severity notify_min_severity = core::Severity::kHigh;
    std::chrono::milliseconds flush_interval{1000};
};

class DetectionWorker {
public:
    // `notifier` may be null (no notifications). Both must outlive the worker.
    DetectionWorker(store::Store& store, Metrics& metrics, Notifier* notifier,
                    DetectionOptions options);
    ~DetectionWorker();  // stop()
    DetectionWorker(const DetectionWorker&) = delete;
    DetectionWorker& operator=(const DetectionWorker&) = delete;

    void start();
    // Processes everything queued, stores its findings, then joins the workers.
    void stop();

    // Queues a stored batch's events for `member`. Never blocks and never refuses: the
    // events are already stored, and ingest consults overloaded() before accepting more.
    void submit(store::TenantId member, std::vector<core::Event> events);
    [[nodiscard]] bool overloaded() const;
    [[nodiscard]] std::size_t queued_events() const;
    // Waits until every queued event is processed and its findings stored.
    [[nodiscard]] bool wait_idle(std::chrono::milliseconds timeout) const;

private:
    struct Known {  // what this process knows about one finding id (evidence dropped)
        detect::Finding baseline;      // what the engine's finding adds to (count 0: nothing)
        std::uint64_t engine_count = 0;  // the engine's own count at its last update
        detect::Finding last_stored;   // count 0: never stored
        core::Severity notified = core::Severity::kUnknown;  // highest severity notified
    };
    struct MemberState {
        std::unique_ptr<detect::Engine> engine;
        std::string name;
        std::map<std::string, Known> known;  // by finding id
        bool dirty = false;                  // events observed since the last flush
    };
    struct Batch {
        store::TenantId member = 0;
        std::vector<core::Event> events;
    };
    struct Shard {
        std::mutex mu;
        std::condition_variable cv;
        std::deque<Batch> queue;
        bool busy = false;
        bool stopping = false;
        std::map<store::TenantId, MemberState> members;  // touched by the shard's thread only
        std::chrono::steady_clock::time_point last_flush;
        std::thread thread;
    };

    void run(Shard& shard);
    void observe(Shard& shard, Batch& batch);
    // Stores every changed finding of the shard's members and queues their notices.
    void flush(Shard& shard);
    void flush_member(store::TenantId member, MemberState& state);
    MemberState& member_state(Shard& shard, store::TenantId member);
    // Merges an engine update onto what is known, deciding whether to notify.
    detect::Finding merge(MemberState& state, store::TenantId member, detect::Finding update,
                          bool& notify, bool& escalated);

    store::Store& store_;
    Metrics& metrics_;
    Notifier* notifier_;
    const DetectionOptions options_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<std::size_t> queued_{0};   // events waiting in queues
    std::atomic<std::size_t> pending_{0};  // events queued, being processed or not yet flushed
    mutable std::atomic<int> idle_waiters_{0};  // wait_idle() callers: flush without delay
    mutable std::mutex idle_mu_;
    mutable std::condition_variable idle_cv_;
    bool started_ = false;
};

}  // namespace cyberalarm::server
