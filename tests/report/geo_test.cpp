// GeoLookup against a real MaxMind DB written here by MaxMind's own Perl writer
// (tests/report/data/make_test_mmdb.pl), and the member report's country column from it.
#include <gtest/gtest.h>

#include <fstream>

#include "report/geo.h"
#include "report/member.h"
#include "store_fixture.h"
#include "support/child_process.h"

namespace cyberalarm::report::test {
namespace {

class Geo : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = f_.dir() / "test.mmdb";
        auto r = cyberalarm::test::run_command(
            {"/usr/bin/perl", std::string(CA_SOURCE_DIR) + "/tests/report/data/make_test_mmdb.pl",
             db_.string()},
            f_.dir());
        if (r.exit_code != 0) {
            GTEST_SKIP() << "cannot write a test MaxMind DB (install libmaxmind-db-writer-perl): "
                         << r.err;
        }
        auto geo = GeoLookup::open(db_.string(), db_.string());
        if (!geo && geo.error().code() == core::ErrorCode::kUnsupported) {
            GTEST_SKIP() << "built without libmaxminddb";
        }
        ASSERT_TRUE(geo) << geo.error().to_string();
        geo_ = std::move(*geo);
    }

    StoreFixture f_;
    std::filesystem::path db_;
    std::unique_ptr<GeoLookup> geo_;
};

TEST_F(Geo, LooksUpCountryAndAsn) {
    auto info = geo_->lookup(*core::IpAddress::parse("198.51.100.7"));
    EXPECT_EQ(info.country_code, "DE");
    EXPECT_EQ(info.country, "Germany");
    EXPECT_EQ(info.asn, 64500u);
    EXPECT_EQ(info.as_org, "Example <Net>");
    EXPECT_EQ(info.describe(), "Germany · AS64500 Example <Net>");
    EXPECT_TRUE(geo_->lookup(*core::IpAddress::parse("203.0.113.1")).empty());
    EXPECT_TRUE(geo_->lookup(*core::IpAddress::parse("2001:db8::1")).empty());
}

TEST_F(Geo, RefusesAFileThatIsNotAMaxMindDb) {
    auto bad = f_.dir() / "bad.mmdb";
    std::ofstream(bad) << "not a database";
    auto geo = GeoLookup::open(bad.string(), "");
    ASSERT_FALSE(geo);
    EXPECT_EQ(geo.error().code(), core::ErrorCode::kInvalidArgument);
}

TEST_F(Geo, MemberReportShowsTheOriginEscaped) {
    const auto& a = f_.tree().members[0];
    f_.events(a, {make_event(kWeekStart + kDay, "198.51.100.7", "192.0.2.10", 22),
                  make_event(kWeekStart + kDay, "203.0.113.1", "192.0.2.10", 22)});
    MemberReportOptions o;
    o.from_ns = kWeekStart;
    o.to_ns = kWeekStart + kWeekNs;
    o.geo = geo_.get();
    auto in = member_report_input(f_.store(), a.id, o);
    ASSERT_TRUE(in) << in.error().to_string();
    ASSERT_EQ(in->source_origin.size(), 1u);  // 203.0.113.1 is not in the database
    EXPECT_EQ(in->source_origin.at("198.51.100.7"), "Germany · AS64500 Example <Net>");
    auto html = render_html(*in);
    EXPECT_NE(html.find("Country and network"), std::string::npos);
    EXPECT_NE(html.find("Germany · AS64500 Example &lt;Net&gt;"), std::string::npos);
    EXPECT_EQ(html.find("<Net>"), std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::report::test
