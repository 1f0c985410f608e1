// The server's scheduled report job on a real store: which week it writes, that it stores
// HTML and PDF for every member and every force/region/nation, that a second run or a
// restarted job writes nothing twice, and that the announcement carries a link only.
#include <gtest/gtest.h>

#include <set>

#include "server/notify.h"
#include "server/report_job.h"
#include "store_fixture.h"

namespace cyberalarm::report::test {
namespace {

constexpr std::int64_t kHour = 3600 * kSec;

TEST(ReportWeek, EndsAtTheLatestScheduledHour) {
    // kWeekStart is Monday 2026-11-16 00:00 UTC.
    auto [from, to] = server::report_week(kWeekStart + 7 * kDay + 7 * kHour, 1, 6);
    EXPECT_EQ(to, kWeekStart + 7 * kDay + 6 * kHour);
    EXPECT_EQ(from, kWeekStart + 6 * kHour);
    auto [from2, to2] = server::report_week(kWeekStart + 7 * kDay + 5 * kHour, 1, 6);
    EXPECT_EQ(to2, kWeekStart + 6 * kHour);
    EXPECT_EQ(from2, kWeekStart - 7 * kDay + 6 * kHour);
    auto [from3, to3] = server::report_week(kWeekStart + 3 * kDay, 0, 0);  // Sunday midnight
    EXPECT_EQ(to3, kWeekStart - kDay);
    EXPECT_EQ(to3 - from3, 7 * kDay);
}

TEST(ReportJobRun, WritesEveryTenantOnceAndSurvivesRestart) {
    StoreFixture f;
    f.events(f.tree().members[0],
             {make_event(kWeekStart + kDay, "198.51.100.7", "192.0.2.10", 22)});
    server::ReportJobOptions o;
    o.weekday = 1;
    o.hour = 0;
    o.base_url = "https://portal.example";
    const std::int64_t now = kWeekStart + 7 * kDay + kHour;
    {
        server::ReportJob job(f.store(), nullptr, o);
        auto stats = job.run_once(now);
        ASSERT_TRUE(stats) << stats.error().to_string();
        EXPECT_EQ(stats->written, 7u);  // 3 members, 2 forces, a region, a nation
        EXPECT_EQ(stats->failed, 0u);
        auto again = job.run_once(now + kHour);
        ASSERT_TRUE(again);
        EXPECT_EQ(again->written, 0u);
        EXPECT_EQ(again->skipped, 7u);
    }
    server::ReportJob restarted(f.store(), nullptr, o);
    auto stats = restarted.run_once(now + 2 * kHour);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->written, 0u);

    auto reports = f.store().list_reports(store::Scope::service(), f.tree().members[0].id);
    ASSERT_TRUE(reports);
    ASSERT_EQ(reports->size(), 2u);
    std::set<std::string> types;
    for (const auto& r : *reports) {
        EXPECT_EQ(r.kind, "member-weekly");
        EXPECT_EQ(r.from_ns, kWeekStart);
        EXPECT_EQ(r.to_ns, kWeekStart + 7 * kDay);
        types.insert(r.content_type);
        auto full = f.store().get_report(store::Scope::service(), r.id);
        ASSERT_TRUE(full);
        EXPECT_FALSE(full->body.empty());
    }
    EXPECT_EQ(types, (std::set<std::string>{"text/html", "application/pdf"}));
    auto force = f.store().list_reports(store::Scope::service(), f.tree().force1.id);
    ASSERT_TRUE(force);
    ASSERT_EQ(force->size(), 2u);
    EXPECT_EQ(force->front().kind, "analyst-weekly");
    // Another member may not read it.
    EXPECT_FALSE(f.store().get_report(store::Scope::of({f.tree().members[1].id}),
                                      reports->front().id));
    // Next week's run writes the next week.
    server::ReportJob later(f.store(), nullptr, o);
    auto next = later.run_once(now + 7 * kDay);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->written, 7u);
}

TEST(ReportAnnouncement, EmailCarriesALinkNeverTheReport) {
    server::Notice n;
    n.member = 5;
    n.member_name = "Acme School";
    n.report = server::ReportReady{42, "member-weekly", kWeekStart, kWeekStart + 7 * kDay,
                                   "https://portal.example/reports/42"};
    auto mail = server::email_message(n, "alarm@example.org", kWeekStart + 7 * kDay);
    EXPECT_NE(mail.find("Subject: [cyberalarm] Your report for Acme School is ready"),
              std::string::npos);
    EXPECT_NE(mail.find("https://portal.example/reports/42"), std::string::npos);
    EXPECT_NE(mail.find("log in"), std::string::npos);
    EXPECT_EQ(mail.find("multipart"), std::string::npos);  // no attachment
    EXPECT_EQ(mail.find("Content-Disposition"), std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::report::test
