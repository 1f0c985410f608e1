// Analyst reports across a real store's members: campaigns, rising ports, sectors, findings by
// kind, the contact list; pseudonyms unless names may be shown; internal addresses never.
#include <gtest/gtest.h>

#include "report/analyst.h"
#include "report/member.h"
#include "store_fixture.h"

namespace cyberalarm::report::test {
namespace {

class AnalystReportTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto& m = f_.tree().members;
        // 198.51.100.7 attacks all three members this week on 3389 (new); 203.0.113.9
        // members 0 and 1, which also see traffic from the members' network (192.0.2.5) and
        // a private address: neither may appear.
        for (std::size_t i = 0; i < m.size(); ++i) {
            std::vector<core::Event> ev;
            for (int k = 0; k < 20; ++k) {
                ev.push_back(make_event(kWeekStart + kDay + k * kSec, "198.51.100.7",
                                        "192.0.2.10", 3389));
                ev.push_back(make_event(kWeekStart - kDay + k * kSec, "203.0.113.20",
                                        "192.0.2.10", 22));
            }
            f_.events(m[i], ev);
        }
        std::vector<core::Event> extra;
        for (int k = 0; k < 30; ++k) {
            extra.push_back(make_event(kWeekStart + 2 * kDay + k * kSec, "203.0.113.9",
                                       "192.0.2.10", 80));
            extra.push_back(make_event(kWeekStart + 2 * kDay + k * kSec, "192.0.2.5", "192.0.2.10",
                                       445));
            extra.push_back(make_event(kWeekStart + 2 * kDay + k * kSec, "10.9.9.9", "192.0.2.10",
                                       445));
        }
        f_.events(m[0], extra);
        f_.events(m[1], extra);
        f_.finding(m[0], "crit", detect::FindingKind::kKnownBad, core::Severity::kCritical,
                   kWeekStart + 3 * kDay, "Talks to a known botnet server");
        f_.finding(m[1], "bf", detect::FindingKind::kBruteForce, core::Severity::kHigh,
                   kWeekStart + 3 * kDay);
        f_.finding(m[2], "crit-old", detect::FindingKind::kExposure, core::Severity::kCritical,
                   kWeekStart - 20 * kDay, "Database open to the internet");
        ASSERT_TRUE(f_.store().set_finding_status(store::Scope::service(), m[2].id, "crit-old",
                                                  store::FindingStatus::kResolved, 1));
    }

    AnalystReport run(const store::Tenant& tenant, bool names) {
        AnalystOptions o;
        o.from_ns = kWeekStart;
        o.to_ns = kWeekStart + kWeekNs;
        o.now_ns = o.to_ns;
        o.show_names = names;
        o.pseudonym_key = "k1";
        auto r = analyst_report(f_.store(), tenant.id, o);
        EXPECT_TRUE(r) << r.error().to_string();
        return r ? *r : AnalystReport{};
    }

    StoreFixture f_;
};

TEST_F(AnalystReportTest, RegionReportFindsTheCampaignAndTheRisingPort) {
    auto r = run(f_.tree().region, false);
    EXPECT_EQ(r.title, "Regional threat picture");
    EXPECT_EQ(r.members, 3u);
    EXPECT_EQ(r.members_reporting, 3u);
    ASSERT_EQ(r.campaigns.size(), 2u);  // most members first
    EXPECT_EQ(r.campaigns[0].source, "198.51.100.7");
    EXPECT_EQ(r.campaigns[0].members, 3u);
    EXPECT_EQ(r.campaigns[0].events, 60u);
    EXPECT_EQ(r.campaigns[1].source, "203.0.113.9");
    EXPECT_EQ(r.campaigns[1].members, 2u);
    ASSERT_FALSE(r.rising.empty());
    bool rdp = false;
    for (const auto& p : r.rising) {
        rdp |= p.port == 3389 && p.events_before == 0 && p.events_now == 60;
        EXPECT_NE(p.port, 22);  // fell to nothing
    }
    EXPECT_TRUE(rdp);
    ASSERT_EQ(r.contact.size(), 1u);  // member 2's critical finding is resolved
    EXPECT_EQ(r.contact[0].open_critical, 1u);
    EXPECT_EQ(r.contact[0].label, member_pseudonym("k1", f_.tree().members[0].id));
    EXPECT_EQ(r.contact[0].force, "Force One");
    ASSERT_EQ(r.sectors.size(), 3u);  // charity and education: one serious each
    EXPECT_EQ(r.sectors[0].serious, 1u);
    EXPECT_EQ(r.sectors[1].serious, 1u);
    EXPECT_EQ(r.sectors[2].sector, "government");  // its only finding is from weeks ago
    EXPECT_EQ(r.sectors[2].serious, 0u);
    ASSERT_EQ(r.kinds.size(), 2u);
    EXPECT_EQ(r.kinds[0].counts.size(), 7u);
    EXPECT_EQ(r.kinds[0].counts[3] + r.kinds[1].counts[3], 2u);

    auto html = render_analyst_html(r);
    for (const char* name : {"Acme", "Brook", "Cole"}) {
        EXPECT_EQ(html.find(name), std::string::npos) << name;
    }
    EXPECT_EQ(html.find("192.0.2.5"), std::string::npos);
    EXPECT_EQ(html.find("10.9.9.9"), std::string::npos);
    EXPECT_NE(html.find("198.51.100.7"), std::string::npos);
    EXPECT_NE(html.find(member_pseudonym("k1", f_.tree().members[0].id)), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    for (const char* h : {"Sources attacking many members", "Ports and services rising",
                          "Most affected sectors", "Findings by kind over time",
                          "Members to contact"}) {
        EXPECT_NE(html.find(h), std::string::npos) << h;
    }
}

TEST_F(AnalystReportTest, PseudonymsAreStableAndKeyed) {
    EXPECT_EQ(member_pseudonym("k1", 7), member_pseudonym("k1", 7));
    EXPECT_NE(member_pseudonym("k1", 7), member_pseudonym("k1", 8));
    EXPECT_NE(member_pseudonym("k1", 7), member_pseudonym("k2", 7));
}

TEST_F(AnalystReportTest, ForceReportNamesItsMembersToContact) {
    auto r = run(f_.tree().force1, false);
    EXPECT_EQ(r.members, 2u);
    ASSERT_EQ(r.contact.size(), 1u);
    EXPECT_EQ(r.contact[0].label, "Acme <School>");
    for (const auto& m : r.most_affected) {
        EXPECT_EQ(m.label.find("Brook"), std::string::npos);  // pseudonymised elsewhere
    }
    auto html = render_analyst_html(r);
    EXPECT_NE(html.find("Acme &lt;School&gt;"), std::string::npos);
    auto named = run(f_.tree().force1, true);
    bool brook = false;
    for (const auto& m : named.most_affected) {
        brook |= m.label == "Brook Charity";
    }
    EXPECT_TRUE(brook);
}

TEST_F(AnalystReportTest, PdfParses) {
    auto pdf = render_analyst_pdf(run(f_.tree().nation, false));
    ASSERT_TRUE(pdf) << pdf.error().to_string();
    auto text = pdf_text(f_.dir(), *pdf);
    if (!text) {
        GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    }
    for (const char* expected : {"National threat picture", "Sources attacking many members",
                                 "198.51.100.7", "Members to contact", "Most affected sectors"}) {
        EXPECT_NE(text->find(expected), std::string::npos) << expected;
    }
    EXPECT_EQ(text->find("Acme"), std::string::npos);
}

TEST_F(AnalystReportTest, RefusesAMember) {
    AnalystOptions o;
    o.from_ns = kWeekStart;
    o.to_ns = kWeekStart + kWeekNs;
    EXPECT_EQ(analyst_report(f_.store(), f_.tree().members[0].id, o).error().code(),
              core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cyberalarm::report::test
