#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/time.h"
#include "intel/importers.h"
#include "support/test_support.h"

namespace cyberalarm::intel {
namespace {

core::IpAddress ip(std::string_view s) { return *core::IpAddress::parse(s); }

TEST(List, LabThreatIntelFile) {
    CA_REQUIRE_CORPUS();
    IntelSet set;
    auto stats = import_file((test::corpus_dir() / "lab-logs" / "threat-intel.txt").string(), {}, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    set.seal();
    EXPECT_EQ(stats->format, FeedFormat::kList);
    EXPECT_EQ(stats->added, 6u);
    EXPECT_EQ(stats->skipped, 0u);
    EXPECT_NE(set.match(ip("198.18.66.6"), 0), nullptr);
    EXPECT_NE(set.match(ip("2001:db8:bad::dead"), 0), nullptr);
    EXPECT_NE(set.match(ip("198.19.250.77"), 0), nullptr);
    EXPECT_EQ(set.match(ip("198.19.251.1"), 0), nullptr);
}

TEST(List, CommentsBlanksAndForms) {
    constexpr std::string_view kList =
        "\xEF\xBB\xBF# a blocklist\r\n"
        "\r\n"
        "192.0.2.1\r\n"
        "   192.0.2.0/28   # trailing comment\n"
        "198.51.100.0/24 ; SBL12345\n"
        "evil[.]example\n"
        "0.0.0.0 ads.tracker.example\n"
        "2001:db8::/32,second,column\n"
        "garbage!\n"
        "10.0.0.0/33\n"
        "localhost\n"
        "1.2.3.999\n";
    IntelSet set;
    ImportOptions opt;
    opt.source = "blocklist";
    opt.confidence = 70;
    auto stats = import_list(kList, opt, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    set.seal();
    EXPECT_EQ(stats->added, 6u);
    EXPECT_EQ(stats->skipped_for(SkipReason::kBadValue), 4u);
    ASSERT_FALSE(stats->examples.empty());
    EXPECT_EQ(stats->examples[0].rfind("line 9:", 0), 0u) << stats->examples[0];
    const Indicator* a = set.match(ip("192.0.2.1"), 0);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->type, IndicatorType::kAddress);
    EXPECT_EQ(a->source, "blocklist");
    EXPECT_EQ(a->confidence, 70);
    EXPECT_EQ(set.match(ip("192.0.2.2"), 0)->type, IndicatorType::kPrefix);
    EXPECT_NE(set.match_domain("evil.example", 0), nullptr);
    EXPECT_NE(set.match_domain("ads.tracker.example", 0), nullptr);
    EXPECT_EQ(set.match(ip("0.0.0.0"), 0), nullptr);
    EXPECT_NE(set.match(ip("2001:db8::5"), 0), nullptr);
}

TEST(List, LimitsAndLongLines) {
    IntelSet set;
    ImportOptions opt;
    opt.max_indicators = 2;
    auto r = import_list("192.0.2.1\n192.0.2.2\n192.0.2.3\n", opt, set);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ(r.error().line(), 3u);
    EXPECT_EQ(set.size(), 0u);
    auto longline = import_list(std::string(100000, 'a') + "\n192.0.2.1\n", {}, set);
    ASSERT_TRUE(longline);
    EXPECT_EQ(longline->skipped_for(SkipReason::kLineTooLong), 1u);
    EXPECT_EQ(longline->added, 1u);
}

TEST(Csv, HeaderNamedColumns) {
    constexpr std::string_view kCsv =
        "# exported 2024-04-01\n"
        "Indicator,Type,Source,Confidence,First Seen,Last Seen,Expires,Description\n"
        "198.51.100.10,ip,CERT-A,90,2024-03-01T00:00:00Z,2024-03-05,2024-09-01T00:00:00Z,"
        "\"Cobalt Strike, team server\"\n"
        "203.0.113.0/25,cidr,,high,,,,scanner range\n"
        "phish.example,domain,CERT-B,,1709251200,,,\n"
        "d41d8cd98f00b204e9800998ecf8427e,md5,CERT-A,90,,,,\n"
        "phish.example,ip,CERT-B,,,,,\n"
        "192.0.2.5,ip,,150,,,,\n"
        "192.0.2.6,ip,,,yesterday,,,\n"
        "\"192.0.2.7,ip\n"
        "192.0.2.8\n";
    IntelSet set;
    auto stats = import_csv(kCsv, {}, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    set.seal();
    EXPECT_EQ(stats->format, FeedFormat::kCsv);
    EXPECT_EQ(stats->added, 4u);
    EXPECT_EQ(stats->skipped_for(SkipReason::kUnsupportedType), 1u);
    EXPECT_EQ(stats->skipped_for(SkipReason::kBadValue), 2u);   // domain typed ip, open quote
    EXPECT_EQ(stats->skipped_for(SkipReason::kBadField), 2u);   // confidence 150, "yesterday"
    const Indicator* a = set.match(ip("198.51.100.10"), 0);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->source, "CERT-A");
    EXPECT_EQ(a->confidence, 90);
    EXPECT_EQ(a->label, "Cobalt Strike, team server");
    EXPECT_EQ(a->last_seen_ns, core::parse_iso8601("2024-03-05T00:00:00Z")->ns);
    EXPECT_EQ(a->expires_ns, core::parse_iso8601("2024-09-01T00:00:00Z")->ns);
    EXPECT_EQ(set.match(ip("203.0.113.9"), 0)->confidence, 80);
    const Indicator* d = set.match_domain("phish.example", 0);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->first_seen_ns, std::int64_t{1709251200} * core::kNanosPerSecond);
    EXPECT_NE(set.match(ip("192.0.2.8"), 0), nullptr);  // short row
}

TEST(Csv, SemicolonAndTab) {
    IntelSet set;
    auto semi = import_csv("ip;source\n192.0.2.1;x\n", {}, set);
    ASSERT_TRUE(semi);
    EXPECT_EQ(semi->added, 1u);
    auto tab = import_csv("value\tlabel\n192.0.2.2\tc2\n", {}, set);
    ASSERT_TRUE(tab);
    EXPECT_EQ(tab->added, 1u);
    set.seal();
    EXPECT_EQ(set.match(ip("192.0.2.1"), 0)->source, "x");
    EXPECT_EQ(set.match(ip("192.0.2.2"), 0)->label, "c2");
}

TEST(Csv, HeaderErrors) {
    IntelSet set;
    ImportOptions opt;
    opt.origin = "feed.csv";
    auto none = import_csv("# only a comment\nfoo,bar\n1,2\n", opt, set);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code(), core::ErrorCode::kParse);
    EXPECT_EQ(none.error().line(), 2u);
    EXPECT_NE(none.error().to_string().find("feed.csv"), std::string::npos);
    EXPECT_FALSE(import_csv("", opt, set));
}

TEST(Detect, Formats) {
    EXPECT_EQ(detect_format("  {\"type\": \"bundle\", \"objects\": []}"), FeedFormat::kStix21);
    EXPECT_EQ(detect_format("{\"Event\": {}}"), FeedFormat::kMisp);
    EXPECT_EQ(detect_format("[{\"Event\": {}}]"), FeedFormat::kMisp);
    EXPECT_EQ(detect_format("# c\nvalue,type\n1.2.3.4,ip\n"), FeedFormat::kCsv);
    EXPECT_EQ(detect_format("# c\n1.2.3.4\n"), FeedFormat::kList);
    EXPECT_EQ(detect_format("1.2.3.4, spam source\n"), FeedFormat::kList);
    EXPECT_EQ(detect_format(""), FeedFormat::kList);
}

TEST(ImportFile, DetectsAndReportsErrors) {
    IntelSet set;
    auto missing = import_file("/nonexistent/feed.txt", {}, set);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), core::ErrorCode::kIo);
    EXPECT_NE(missing.error().to_string().find("/nonexistent/feed.txt"), std::string::npos);

    std::string path = ::testing::TempDir() + "intel_feed.json";
    {
        std::ofstream f(path);
        f << R"({"type":"bundle","objects":[{"type":"indicator","pattern_type":"stix",)"
          << R"("pattern":"[ipv4-addr:value = '192.0.2.77']"}]})";
    }
    auto stix = import_file(path, {}, set);
    ASSERT_TRUE(stix) << stix.error().to_string();
    EXPECT_EQ(stix->format, FeedFormat::kStix21);
    ImportOptions small;
    small.max_input_bytes = 8;
    auto big = import_file(path, small, set);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code(), core::ErrorCode::kResourceExhausted);
    ImportOptions forced;
    forced.format = FeedFormat::kList;
    auto as_list = import_file(path, forced, set);
    ASSERT_TRUE(as_list);
    EXPECT_EQ(as_list->added, 0u);
    std::remove(path.c_str());
    set.seal();
    EXPECT_NE(set.match(ip("192.0.2.77"), 0), nullptr);
}

}  // namespace
}  // namespace cyberalarm::intel
