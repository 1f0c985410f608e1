// ReportJob: scheduled member and analyst reports (see report_job.h).
#include "server/report_job.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "report/analyst.h"
#include "report/member.h"
#include "server/clock.h"
#include "server/notify.h"

namespace cyberalarm::server {
namespace {

constexpr std::int64_t kHourNs = 3600LL * core::kNanosPerSecond;
constexpr std::int64_t kDayNs = 24 * kHourNs;

struct Rendered {
    std::string kind;
    std::string html;
    std::string pdf;
};

core::Result<Rendered> render(store::Store& store, const store::Tenant& tenant, std::int64_t from,
                              std::int64_t to, std::int64_t now_ns, const ReportJobOptions& o) {
    Rendered out;
    if (tenant.level == store::TenantLevel::kMember) {
        report::MemberReportOptions mo;
        mo.from_ns = from;
        mo.to_ns = to;
        mo.now_ns = now_ns;
        mo.geo = o.geo;
        auto in = report::member_report_input(store, tenant.id, mo);
        if (!in) {
            return core::fail(std::move(in.error()));
        }
        auto pdf = report::render_pdf(*in);
        if (!pdf) {
            return core::fail(std::move(pdf.error()));
        }
        out.kind = "member-weekly";
        out.html = report::render_html(*in);
        out.pdf = std::move(*pdf);
        return out;
    }
    report::AnalystOptions ao;
    ao.from_ns = from;
    ao.to_ns = to;
    ao.now_ns = now_ns;
    ao.pseudonym_key = o.pseudonym_key;
    // Stored once for every reader of this tenant: pseudonyms throughout, except the force's
    // own contact list (see analyst.h). A reader allowed to see names asks for them on demand.
    ao.show_names = false;
    auto r = report::analyst_report(store, tenant.id, ao);
    if (!r) {
        return core::fail(std::move(r.error()));
    }
    auto pdf = report::render_analyst_pdf(*r);
    if (!pdf) {
        return core::fail(std::move(pdf.error()));
    }
    out.kind = "analyst-weekly";
    out.html = report::render_analyst_html(*r);
    out.pdf = std::move(*pdf);
    return out;
}

std::string_view kind_for(const store::Tenant& t) {
    return t.level == store::TenantLevel::kMember ? "member-weekly" : "analyst-weekly";
}

}  // namespace

std::pair<std::int64_t, std::int64_t> report_week(std::int64_t now_ns, int weekday, int hour) {
    const std::int64_t day = now_ns / kDayNs;
    const int today = static_cast<int>((day + 4) % 7);  // 1970-01-01 was a Thursday (4)
    std::int64_t end = (day - (today - weekday + 7) % 7) * kDayNs + hour * kHourNs;
    if (end > now_ns) {
        end -= 7 * kDayNs;
    }
    return {end - 7 * kDayNs, end};
}

ReportJob::ReportJob(store::Store& store, Notifier* notifier, ReportJobOptions options)
    : store_(store), notifier_(notifier), options_(std::move(options)) {}

ReportJob::~ReportJob() {
    stop();
}

void ReportJob::start() {
    if (!thread_.joinable()) {
        thread_ = std::thread([this] { run(); });
    }
}

void ReportJob::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ReportJob::run() {
    std::int64_t done_end = 0;  // the period last completed; the store still decides
    std::unique_lock lock(mu_);
    while (!stopping_) {
        const auto now = wall_clock_ns();
        const auto [from, to] = report_week(now, options_.weekday, options_.hour);
        if (to != done_end) {
            lock.unlock();
            auto stats = run_once(now);
            lock.lock();
            if (stats && stats->failed == 0) {
                done_end = to;
            }
            if (stats) {
                spdlog::info("event=reports_run from={} to={} written={} skipped={} failed={} "
                             "announced={}",
                             from, to, stats->written, stats->skipped, stats->failed,
                             stats->announced);
            } else {
                spdlog::warn("event=reports_run_failed reason=\"{}\"", stats.error().message());
            }
        }
        cv_.wait_for(lock, std::chrono::minutes(1), [this] { return stopping_; });
    }
}

core::Result<ReportRunStats> ReportJob::run_once(std::int64_t now_ns) {
    const auto [from, to] = report_week(now_ns, options_.weekday, options_.hour);
    auto tenants = store_.list_tenants(std::nullopt);
    if (!tenants) {
        return core::fail(std::move(tenants.error()));
    }
    ReportRunStats stats;
    for (const auto& t : *tenants) {
        {
            std::lock_guard lock(mu_);
            if (stopping_) {
                break;  // the rest is written after the restart
            }
        }
        auto written = write_one(t, from, to, now_ns, stats);
        if (!written) {
            ++stats.failed;
            spdlog::warn("event=report_failed tenant={} reason=\"{}\"", t.id,
                         written.error().message());
        }
    }
    return stats;
}

core::Result<bool> ReportJob::write_one(const store::Tenant& tenant, std::int64_t from,
                                        std::int64_t to, std::int64_t now_ns,
                                        ReportRunStats& stats) {
    auto stored = store_.list_reports(store::Scope::service(), tenant.id);
    if (!stored) {
        return core::fail(std::move(stored.error()));
    }
    bool have_html = false;
    bool have_pdf = false;
    for (const auto& r : *stored) {
        if (r.kind == kind_for(tenant) && r.from_ns == from && r.to_ns == to) {
            have_html |= r.content_type == "text/html";
            have_pdf |= r.content_type == "application/pdf";
        }
    }
    if (have_html && have_pdf) {
        ++stats.skipped;
        return false;
    }
    auto rendered = render(store_, tenant, from, to, now_ns, options_);
    if (!rendered) {
        return core::fail(std::move(rendered.error()));
    }
    std::int64_t html_id = 0;
    // The PDF first: the HTML is what gets announced, so a crash between the two leaves the
    // HTML missing and the next run writes it (and announces it) then.
    for (auto [type, body] : {std::pair{"application/pdf", &rendered->pdf},
                              std::pair{"text/html", &rendered->html}}) {
        if ((type == std::string_view("text/html") && have_html) ||
            (type == std::string_view("application/pdf") && have_pdf)) {
            continue;
        }
        store::ReportRecord rec;
        rec.tenant = tenant.id;
        rec.kind = rendered->kind;
        rec.from_ns = from;
        rec.to_ns = to;
        rec.created_ns = now_ns;
        rec.content_type = type;
        rec.body = std::move(*body);
        auto id = store_.put_report(std::move(rec));
        if (!id) {
            return core::fail(std::move(id.error()));
        }
        if (type == std::string_view("text/html")) {
            html_id = *id;
        }
    }
    ++stats.written;
    if (html_id != 0 && notifier_ != nullptr) {
        Notice n;
        n.member = tenant.id;
        n.member_name = tenant.name;
        n.report = ReportReady{html_id, rendered->kind, from, to,
                               fmt::format("{}/reports/{}", options_.base_url, html_id)};
        stats.announced += notifier_->notify(std::move(n));
    }
    return true;
}

}  // namespace cyberalarm::server
