// The server's scanner: scans members' verified assets when a member asks (the API's
// POST /members/{id}/scans) and on a schedule, and stores each run and its results for the
// member's reports (docs/design/server.md, "Scans").
//
// Safety is the scanner's (src/scan/target.h): every run is checked against the member's
// verified assets as they are when the run starts, not when it was asked for, so an asset
// removed or un-verified in between is not scanned. Runs go one at a time on one thread;
// the scanner caps concurrency and pace per address within a run. Outside the scan window a
// requested run waits in the queue and a scheduled one is not started.
//
// Restart: a run still "queued" or "running" in the store when the service starts was cut
// off by a stop or a crash; it is finished as "failed: interrupted by a server restart" and
// the schedule makes up for it at its next pass.
//
// Thread safety: request() may be called from any thread; start()/stop() from the owner.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "scan/probes.h"
#include "scan/scanner.h"
#include "scan/target.h"
#include "scan/vulndb.h"
#include "store/store.h"

namespace cyberalarm::server {

struct ScanServiceOptions {
    std::filesystem::path probes;  // "" = the installed probe file
    std::filesystem::path vulndb;  // "" = no CVE matching (a note in each run says so)
    scan::ScanOptions scan;        // ports, window, identification and check options
    // Scheduled scans: every member with verified assets is scanned this often (0 = never).
    std::chrono::hours every{168};
    // How often the scheduler looks for members that are due.
    std::chrono::milliseconds tick{60'000};
    std::size_t max_queue = 256;  // runs waiting; request() answers kUnavailable beyond
    scan::Resolver resolver;      // empty = the system resolver
    std::function<std::int64_t()> now_ns;  // empty = the wall clock
};

class ScanService {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<ScanService>> create(
        store::Store& store, ScanServiceOptions options);
    ~ScanService();
    ScanService(const ScanService&) = delete;
    ScanService& operator=(const ScanService&) = delete;

    // Queues a run of `targets` for `member` and returns its id (the run is stored at once
    // with status "queued"). kPermissionDenied naming the target if one is not within the
    // member's verified assets now; kUnavailable when the queue is full.
    [[nodiscard]] core::Result<std::int64_t> request(store::TenantId member,
                                                     const std::vector<std::string>& targets,
                                                     std::string_view requested_by);

    // Queues a scheduled run for every member that is due: it has verified assets, no run of
    // its own waiting, and no scheduled run started within `every`. Returns how many were
    // queued. Called by the scheduler thread each tick; public for tests.
    [[nodiscard]] core::Result<std::size_t> schedule_due();

    void start();
    // Stops taking runs, cancels the one in progress (what it found is stored, the run
    // finished as "failed: stopped by a server shutdown") and finishes the waiting ones alike.
    void stop();

    // Waits until no run is queued or running, or `timeout` passes; true when idle (tests).
    bool wait_idle(std::chrono::milliseconds timeout);

    [[nodiscard]] std::size_t queued() const;
    [[nodiscard]] std::uint64_t runs_done() const { return done_.load(); }
    [[nodiscard]] std::uint64_t runs_failed() const { return failed_.load(); }

private:
    struct Job {
        std::int64_t scan_id = 0;
        store::TenantId member = 0;
        std::vector<std::string> targets;
    };

    ScanService(store::Store& store, ScanServiceOptions options, scan::ProbeSet probes,
                std::unique_ptr<scan::VulnDb> db);
    [[nodiscard]] std::int64_t now() const;
    [[nodiscard]] core::Result<scan::TargetPolicy> policy_of(store::TenantId member) const;
    [[nodiscard]] core::Result<std::int64_t> enqueue(store::TenantId member,
                                                     std::vector<std::string> targets,
                                                     std::string_view requested_by);
    [[nodiscard]] core::Status finish_interrupted();
    void run_worker();
    void run_scheduler();
    void run_job(const Job& job);
    void finish(const Job& job, std::string_view status);

    store::Store& store_;
    ScanServiceOptions options_;
    scan::ProbeSet probes_;
    std::unique_ptr<scan::VulnDb> db_;

    std::mutex schedule_mu_;  // one schedule_due() at a time
    mutable std::mutex mu_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<Job> queue_;
    bool busy_ = false;
    bool stopping_ = false;
    std::atomic<bool> cancel_{false};
    std::atomic<std::uint64_t> done_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::thread worker_;
    std::thread scheduler_;
};

}  // namespace cyberalarm::server
