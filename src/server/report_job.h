// ReportJob: the scheduled reports. Once a week (reports.weekday at reports.hour UTC) it
// writes the week that just ended for every member (kind "member-weekly") and every force,
// region and nation (kind "analyst-weekly"), stores each as HTML and PDF with put_report,
// and announces it through the Notifier by email with a link `<base_url>/reports/<id>`.
// The link needs a login: the report is served only to an authenticated user allowed to read
// that tenant; it is never attached and never at a guessable URL (ids are not secrets).
//
// Restart-safe: before writing, the job looks for a stored report of the same tenant, kind
// and period and skips what is already there, so a restart (or a second run) never writes a
// period twice; a period missed while the server was down is written on the next run.
//
// Thread safety: start()/stop() from the owner; run_once() is what the thread calls and may
// also be called directly (tests, an operator's "run now").
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "core/result.h"
#include "report/geo.h"
#include "store/store.h"

namespace cyberalarm::server {

class Notifier;

struct ReportJobOptions {
    int weekday = 1;                 // 0 Sunday … 6 Saturday (UTC)
    int hour = 6;                    // 0..23 UTC
    std::string base_url;            // "https://cyberalarm.example.org" (no trailing slash)
    std::string pseudonym_key;       // for analyst reports (stable across runs)
    const report::GeoLookup* geo = nullptr;  // optional country/ASN for member reports
};

// The week the job reports on at `now_ns`: [end − 7 days, end), where end is the latest
// (weekday, hour) UTC at or before now.
[[nodiscard]] std::pair<std::int64_t, std::int64_t> report_week(std::int64_t now_ns, int weekday,
                                                                int hour);

struct ReportRunStats {
    std::uint64_t written = 0;    // reports stored (HTML and PDF count as one)
    std::uint64_t skipped = 0;    // already stored for this period
    std::uint64_t failed = 0;     // could not be generated or stored (logged)
    std::uint64_t announced = 0;  // notices queued
};

class ReportJob {
public:
    // notifier may be null (no announcements).
    ReportJob(store::Store& store, Notifier* notifier, ReportJobOptions options);
    ~ReportJob();  // stop()
    ReportJob(const ReportJob&) = delete;
    ReportJob& operator=(const ReportJob&) = delete;

    void start();  // a thread that checks once a minute
    void stop();

    // Writes whatever of the week at `now_ns` is missing. Fails only if the tenants cannot be
    // listed; a tenant that fails is counted and the rest go on.
    [[nodiscard]] core::Result<ReportRunStats> run_once(std::int64_t now_ns);

private:
    void run();
    // Stores HTML and PDF of one tenant's report unless present; true if written.
    core::Result<bool> write_one(const store::Tenant& tenant, std::int64_t from, std::int64_t to,
                                 std::int64_t now_ns, ReportRunStats& stats);

    store::Store& store_;
    Notifier* notifier_;
    const ReportJobOptions options_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cyberalarm::server
