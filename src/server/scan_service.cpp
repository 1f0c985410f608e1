#include "server/scan_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "scan/record.h"
#include "server/clock.h"

namespace cyberalarm::server {

namespace {

constexpr std::string_view kScheduled = "schedule";
constexpr std::string_view kQueued = "queued";
constexpr std::string_view kInterrupted = "failed: interrupted by a server restart";
constexpr std::string_view kStopped = "failed: stopped by a server shutdown";

// Every member, for the scheduler and the restart sweep.
core::Result<std::vector<store::TenantId>> all_members(store::Store& store) {
    auto tenants = store.list_tenants(std::nullopt);
    if (!tenants) {
        return core::fail(std::move(tenants.error()));
    }
    std::vector<store::TenantId> members;
    for (const auto& t : *tenants) {
        if (t.level == store::TenantLevel::kMember) {
            members.push_back(t.id);
        }
    }
    return members;
}

}  // namespace

core::Result<std::unique_ptr<ScanService>> ScanService::create(store::Store& store,
                                                               ScanServiceOptions options) {
    const auto probe_file =
        options.probes.empty() ? scan::ProbeSet::default_path() : options.probes;
    auto probes = scan::ProbeSet::load(probe_file);
    if (!probes) {
        return core::fail(std::move(probes.error()).context("scanner.probes"));
    }
    std::unique_ptr<scan::VulnDb> db;
    if (!options.vulndb.empty()) {
        auto loaded = scan::VulnDb::load(options.vulndb);
        if (!loaded) {
            return core::fail(std::move(loaded.error()).context("scanner.vulndb"));
        }
        db = std::make_unique<scan::VulnDb>(std::move(*loaded));
    }
    if (!options.resolver) {
        options.resolver = scan::system_resolver();
    }
    std::unique_ptr<ScanService> s(
        new ScanService(store, std::move(options), std::move(*probes), std::move(db)));
    if (auto st = s->finish_interrupted(); !st) {
        return core::fail(std::move(st.error()).context("finishing interrupted scans"));
    }
    return s;
}

ScanService::ScanService(store::Store& store, ScanServiceOptions options, scan::ProbeSet probes,
                         std::unique_ptr<scan::VulnDb> db)
    : store_(store), options_(std::move(options)), probes_(std::move(probes)), db_(std::move(db)) {}

ScanService::~ScanService() {
    stop();
}

std::int64_t ScanService::now() const {
    return options_.now_ns ? options_.now_ns() : wall_clock_ns();
}

core::Result<scan::TargetPolicy> ScanService::policy_of(store::TenantId member) const {
    auto assets = store_.list_assets(store::Scope::of({member}), member);
    if (!assets) {
        return core::fail(std::move(assets.error()));
    }
    return scan::TargetPolicy::from_assets(*assets);
}

core::Status ScanService::finish_interrupted() {
    auto members = all_members(store_);
    if (!members) {
        return core::fail(std::move(members.error()));
    }
    for (const auto member : *members) {
        auto runs = store_.list_scans(store::Scope::of({member}), member);
        if (!runs) {
            return core::fail(std::move(runs.error()));
        }
        for (const auto& run : *runs) {
            if (run.finished_ns == 0) {
                if (auto st = store_.finish_scan(run.id, kInterrupted, now()); !st) {
                    return st;
                }
                spdlog::warn("event=scan_interrupted scan={} member={}", run.id, member);
            }
        }
    }
    return {};
}

core::Result<std::int64_t> ScanService::request(store::TenantId member,
                                                const std::vector<std::string>& targets,
                                                std::string_view requested_by) {
    // Refuse at once what the policy would refuse when the run starts, so the member hears
    // why now rather than finding a failed run later.
    auto policy = policy_of(member);
    if (!policy) {
        return core::fail(std::move(policy.error()));
    }
    if (auto resolved = policy->resolve(targets, options_.resolver); !resolved) {
        return core::fail(std::move(resolved.error()));
    }
    return enqueue(member, targets, requested_by);
}

core::Result<std::int64_t> ScanService::enqueue(store::TenantId member,
                                                std::vector<std::string> targets,
                                                std::string_view requested_by) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return core::fail(core::Error(core::ErrorCode::kUnavailable, "the scanner is stopping"));
        }
        if (queue_.size() >= options_.max_queue) {
            return core::fail(core::Error(core::ErrorCode::kUnavailable, 
                "the scan queue is full (" + std::to_string(options_.max_queue) +
                " runs waiting); try again later"));
        }
    }
    store::ScanRun run;
    run.member = member;
    run.targets = scan::join_targets(targets);
    run.requested_by = std::string(requested_by);
    run.started_ns = now();
    run.status = std::string(kQueued);
    auto stored = store_.start_scan(store::Scope::of({member}), std::move(run));
    if (!stored) {
        return core::fail(std::move(stored.error()));
    }
    spdlog::info("event=scan_queued scan={} member={} by={}", stored->id, member, requested_by);
    {
        std::lock_guard lock(mu_);
        queue_.push_back(Job{stored->id, member, std::move(targets)});
    }
    wake_.notify_all();
    return stored->id;
}

core::Result<std::size_t> ScanService::schedule_due() {
    if (options_.every.count() <= 0 || !options_.scan.window.open_at(now())) {
        return std::size_t{0};
    }
    std::lock_guard one_pass(schedule_mu_);  // the thread and a caller never queue twice
    auto members = all_members(store_);
    if (!members) {
        return core::fail(std::move(members.error()));
    }
    const std::int64_t every_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.every).count();
    std::size_t queued = 0;
    for (const auto member : *members) {
        const auto scope = store::Scope::of({member});
        auto assets = store_.list_assets(scope, member);
        if (!assets) {
            return core::fail(std::move(assets.error()));
        }
        auto targets = scan::verified_targets(*assets);
        if (targets.empty()) {
            continue;
        }
        auto runs = store_.list_scans(scope, member);
        if (!runs) {
            return core::fail(std::move(runs.error()));
        }
        // A scheduled run cut off by a stop or a crash does not count: it is made up for.
        const bool due = std::none_of(runs->begin(), runs->end(), [&](const store::ScanRun& r) {
            return r.finished_ns == 0 ||
                   (r.requested_by == kScheduled && r.started_ns > now() - every_ns &&
                    r.status != kInterrupted && r.status != kStopped);
        });
        if (!due) {
            continue;
        }
        const std::string list = scan::join_targets(targets);
        auto id = enqueue(member, std::move(targets), kScheduled);
        if (!id) {
            if (id.error().code() == core::ErrorCode::kUnavailable) {
                break;  // full or stopping: the next tick tries again
            }
            return core::fail(std::move(id.error()));
        }
        // A requested run is audited by the API that took the request; a scheduled one here.
        store::AuditRecord audit;
        audit.time_ns = now();
        audit.actor = "system:scanner";
        audit.action = "scan";
        audit.member = member;
        audit.target = "scan:" + std::to_string(*id);
        audit.detail = "scheduled every " + std::to_string(options_.every.count()) +
                       " h; targets=" + list;
        if (auto logged = store_.append_audit(std::move(audit)); !logged) {
            return core::fail(std::move(logged.error()));
        }
        ++queued;
    }
    return queued;
}

void ScanService::start() {
    std::lock_guard lock(mu_);
    if (worker_.joinable() || stopping_) {
        return;
    }
    worker_ = std::thread([this] { run_worker(); });
    scheduler_ = std::thread([this] { run_scheduler(); });
}

void ScanService::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
    }
    cancel_ = true;
    wake_.notify_all();
    if (worker_.joinable()) {
        worker_.join();
    }
    if (scheduler_.joinable()) {
        scheduler_.join();
    }
    std::deque<Job> left;
    {
        std::lock_guard lock(mu_);
        left.swap(queue_);
    }
    for (const auto& job : left) {
        finish(job, kStopped);
    }
    idle_.notify_all();
}

bool ScanService::wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return idle_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_; });
}

std::size_t ScanService::queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

void ScanService::run_scheduler() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        lock.unlock();
        if (auto n = schedule_due(); !n) {
            spdlog::error("event=scan_schedule_failed error=\"{}\"", n.error().to_string());
        } else if (*n > 0) {
            spdlog::info("event=scans_scheduled runs={}", *n);
        }
        lock.lock();
        wake_.wait_for(lock, options_.tick, [&] { return stopping_; });
    }
}

void ScanService::run_worker() {
    std::unique_lock lock(mu_);
    while (true) {
        // Outside the scan window a requested run waits in the queue for it to open.
        wake_.wait_for(lock, options_.tick, [&] {
            return stopping_ || (!queue_.empty() && options_.scan.window.open_at(now()));
        });
        if (stopping_) {
            return;
        }
        if (queue_.empty() || !options_.scan.window.open_at(now())) {
            continue;
        }
        Job job = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        run_job(job);
        lock.lock();
        busy_ = false;
        if (queue_.empty()) {
            idle_.notify_all();
        }
    }
}

void ScanService::run_job(const Job& job) {
    spdlog::info("event=scan_started scan={} member={} targets={}", job.scan_id, job.member,
                 scan::join_targets(job.targets));
    auto policy = policy_of(job.member);
    if (!policy) {
        finish(job, "failed: " + policy.error().message());
        return;
    }
    // The member's assets as they are now: one removed since the request is refused here.
    auto resolved = policy->resolve(job.targets, options_.resolver);
    if (!resolved) {
        finish(job, "failed: " + resolved.error().message());
        return;
    }
    scan::Scanner scanner(probes_, db_.get());
    auto report = scanner.run(*resolved, options_.scan, &cancel_);
    if (!report) {
        finish(job, "failed: " + report.error().message());
        return;
    }
    const std::string_view status = cancel_.load() ? kStopped : std::string_view("done");
    if (auto st = scan::record_report(store_, job.scan_id, job.member, *report, status, now());
        !st) {
        spdlog::error("event=scan_store_failed scan={} error=\"{}\"", job.scan_id,
                      st.error().to_string());
        ++failed_;
        return;
    }
    ++(status == "done" ? done_ : failed_);
    spdlog::info("event=scan_finished scan={} member={} open_ports={} findings={} status=\"{}\"",
                 job.scan_id, job.member, report->open_tcp.size(), report->findings.size(),
                 status);
}

void ScanService::finish(const Job& job, std::string_view status) {
    ++failed_;
    if (auto st = store_.finish_scan(job.scan_id, status, now()); !st) {
        spdlog::error("event=scan_store_failed scan={} error=\"{}\"", job.scan_id,
                      st.error().to_string());
    }
    spdlog::warn("event=scan_failed scan={} member={} status=\"{}\"", job.scan_id, job.member,
                 status);
}

}  // namespace cyberalarm::server
