// The member report from a real SQLite store: what it gathers (summary, findings, scanner
// results, change since the week before), the HTML sections and escaping, and the PDF as
// poppler reads it back.
#include <gtest/gtest.h>

#include "report/member.h"
#include "report/report.h"
#include "store_fixture.h"

namespace cyberalarm::report::test {
namespace {

class MemberReport : public ::testing::Test {
protected:
    void SetUp() override {
        const auto& a = f_.tree().members[0];
        std::vector<core::Event> ev;
        // Previous week: 20 events from 203.0.113.1 to port 22.
        for (int i = 0; i < 20; ++i) {
            ev.push_back(make_event(kWeekStart - kDay + i * kSec, "203.0.113.1", "192.0.2.10", 22));
        }
        // This week: 60 from 198.51.100.7 to 3389 (40 blocked), 30 from 203.0.113.1 to 22,
        // 10 outbound from an internal address (must not be listed as an attacker).
        for (int i = 0; i < 60; ++i) {
            ev.push_back(make_event(kWeekStart + kDay + i * kSec, "198.51.100.7", "192.0.2.10",
                                    3389, i < 40 ? core::Action::kDeny : core::Action::kAllow));
        }
        for (int i = 0; i < 30; ++i) {
            ev.push_back(make_event(kWeekStart + 2 * kDay + i * kSec, "203.0.113.1", "192.0.2.10",
                                    22));
        }
        for (int i = 0; i < 10; ++i) {
            ev.push_back(make_event(kWeekStart + 3 * kDay + i * kSec, "10.1.2.3", "203.0.113.50",
                                    443, core::Action::kAllow));
        }
        f_.events(a, ev);
        f_.finding(a, "old-scan", detect::FindingKind::kPortScan, core::Severity::kLow,
                   kWeekStart - kDay);
        f_.finding(a, "rdp-brute", detect::FindingKind::kBruteForce, core::Severity::kHigh,
                   kWeekStart + kDay + 60 * kSec, "Password guessing on <RDP>");
        store::ScanResult vuln;
        vuln.target = "www.acme.example";
        vuln.port = 22;
        vuln.service = "ssh";
        vuln.product = "OpenSSH";
        vuln.version = "9.2p1";
        vuln.check = "cve";
        vuln.cve = "CVE-2024-6387";
        vuln.severity = core::Severity::kCritical;
        vuln.cvss = 8.1;
        vuln.title = "regreSSHion";
        vuln.evidence = "banner SSH-2.0-OpenSSH_9.2p1";
        vuln.advice = "Update OpenSSH to 9.8p1 or later.";
        vuln.seen_ns = kWeekStart + 4 * kDay;
        f_.scan_result(a, vuln);
        store::ScanResult open_port = vuln;
        open_port.check = "service";
        open_port.cve.clear();
        open_port.severity = core::Severity::kInfo;
        f_.scan_result(a, open_port);
        store::ScanResult old = vuln;
        old.seen_ns = kWeekStart - 3 * kDay;  // last week's scan: not in this report
        old.cve = "CVE-2023-0001";
        f_.scan_result(a, old);
    }

    ReportInput gather() {
        MemberReportOptions o;
        o.from_ns = kWeekStart;
        o.to_ns = kWeekStart + kWeekNs;
        o.now_ns = kWeekStart + kWeekNs + 3600 * kSec;
        auto in = member_report_input(f_.store(), f_.tree().members[0].id, o);
        EXPECT_TRUE(in) << in.error().to_string();
        return in ? *in : ReportInput{};
    }

    StoreFixture f_;
};

TEST_F(MemberReport, GathersTheWeekFromTheStore) {
    auto in = gather();
    EXPECT_EQ(in.title, "Weekly security report");
    EXPECT_EQ(in.member, "Acme <School>");
    EXPECT_EQ(in.summary.events, 100u);
    EXPECT_EQ(in.summary.blocked, 70u);
    EXPECT_EQ(in.summary.bucket_ns, 3600 * kSec);
    EXPECT_EQ(in.summary.timeline_total.size(), 168u);
    EXPECT_EQ(in.summary.timeline_total[24], 60u);  // Tuesday 00:00–01:00
    ASSERT_EQ(in.summary.top_sources.size(), 2u);   // the internal 10.1.2.3 is left out
    EXPECT_EQ(in.summary.top_sources[0].key, "198.51.100.7");
    EXPECT_EQ(in.summary.top_sources[0].count, 60u);
    EXPECT_EQ(in.summary.top_ports[0].key, "3389");
    ASSERT_EQ(in.findings.size(), 1u);  // last week's port scan belongs to last week
    EXPECT_EQ(in.findings[0].id, "rdp-brute");
    ASSERT_EQ(in.vulnerabilities.size(), 1u);  // not the open-port note, not last week's
    EXPECT_EQ(in.vulnerabilities[0].cve, "CVE-2024-6387");
    ASSERT_TRUE(in.change);
    EXPECT_EQ(in.change->events_before, 20u);
    EXPECT_EQ(in.change->findings_before, 1u);
    EXPECT_EQ(in.change->new_sources, std::vector<std::string>{"198.51.100.7"});
    EXPECT_TRUE(in.change->gone_sources.empty());
    // The store's port counts cover every event, outbound ones too (443 here): a known
    // limit of summarize_events, stated in docs/design/reports.md.
    EXPECT_EQ(in.change->new_ports, (std::vector<std::string>{"3389", "443"}));
    EXPECT_EQ(in.change->new_kinds, std::vector<std::string>{"Password guessing"});
    EXPECT_EQ(in.change->gone_kinds, std::vector<std::string>{"Port scan"});
    EXPECT_TRUE(in.source_origin.empty());  // no GeoIP database configured
}

TEST_F(MemberReport, HtmlHasEverySectionEscapedAndInert) {
    auto html = render_html(gather());
    for (const char* heading :
         {"Summary", "What to do first", "Findings", "Vulnerabilities from the scanner",
          "Activity over time", "Top attacking sources", "Top targeted ports and services",
          "Change since the last period", "About this report"}) {
        EXPECT_NE(html.find(std::string(">") + heading + "</h2>"), std::string::npos) << heading;
    }
    EXPECT_NE(html.find("CVE-2024-6387"), std::string::npos);
    EXPECT_NE(html.find("OpenSSH 9.2p1"), std::string::npos);
    EXPECT_NE(html.find("Update OpenSSH to 9.8p1 or later."), std::string::npos);
    EXPECT_NE(html.find("Acme &lt;School&gt;"), std::string::npos);
    EXPECT_EQ(html.find("Acme <School>"), std::string::npos);
    EXPECT_EQ(html.find("<RDP>"), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    // Countries are not mentioned without a database.
    EXPECT_EQ(html.find("Country"), std::string::npos);
    // The critical scanner result ranks above the high finding in "what to do first".
    auto first = html.find("id=\"first-h\"");
    auto vuln = html.find("regreSSHion", first);
    auto brute = html.find("Password guessing on &lt;RDP&gt;", first);
    ASSERT_NE(vuln, std::string::npos);
    ASSERT_NE(brute, std::string::npos);
    EXPECT_LT(vuln, brute);
    // Last week had 20 events, this week 100.
    EXPECT_NE(html.find("400% more than the period before"), std::string::npos);
    // The store does not count alerts: the report does not claim zero.
    EXPECT_EQ(html.find("security alerts"), std::string::npos);
}

TEST_F(MemberReport, PdfParsesAndHasTheHeadingsAndFigures) {
    auto pdf = render_pdf(gather());
    ASSERT_TRUE(pdf) << pdf.error().to_string();
    ASSERT_TRUE(pdf->starts_with("%PDF-"));
    auto text = pdf_text(f_.dir(), *pdf);
    if (!text) {
        GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    }
    for (const char* expected :
         {"Weekly security report", "Acme <School>", "Summary", "What to do first", "Findings",
          "Vulnerabilities from the scanner", "CVE-2024-6387", "Activity over time",
          "Top attacking sources", "198.51.100.7", "Top targeted ports and services", "3389",
          "Change since the last period", "About this report", "looked at 100 events"}) {
        EXPECT_NE(text->find(expected), std::string::npos) << expected << "\n" << *text;
    }
}

TEST_F(MemberReport, RefusesAForceAndAnEmptyRange) {
    MemberReportOptions o;
    o.from_ns = kWeekStart;
    o.to_ns = kWeekStart + kWeekNs;
    EXPECT_EQ(member_report_input(f_.store(), f_.tree().force1.id, o).error().code(),
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(member_report_input(f_.store(), 99999, o).error().code(),
              core::ErrorCode::kNotFound);
    o.to_ns = o.from_ns;
    EXPECT_EQ(member_report_input(f_.store(), f_.tree().members[0].id, o).error().code(),
              core::ErrorCode::kInvalidArgument);
}

TEST(ReportBucket, KeepsAtMost192Buckets) {
    EXPECT_EQ(bucket_for(0, kDay), 15 * 60 * kSec);
    EXPECT_EQ(bucket_for(0, kWeekNs), 3600 * kSec);
    EXPECT_EQ(bucket_for(0, 30 * kDay), 6 * 3600 * kSec);
    EXPECT_LE((1000 * kDay + bucket_for(0, 1000 * kDay) - 1) / bucket_for(0, 1000 * kDay), 192);
}

}  // namespace
}  // namespace cyberalarm::report::test
