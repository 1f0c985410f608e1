// Version comparison, the CVE JSON 5 / NVD importers and the matcher, on the real records in
// ../shared/corpus/vulndb (MANIFEST.md there says what each record should do on the lab).
#include <gtest/gtest.h>

#include <algorithm>

#include "scan/version.h"
#include "scan/vulndb.h"
#include "support/test_support.h"

namespace cyberalarm::scan {
namespace {

TEST(VersionCompare, UpstreamVersions) {
    EXPECT_LT(compare_versions("9.2p1", "9.8"), 0);
    EXPECT_GT(compare_versions("9.8p1", "9.8"), 0);  // portable release after the base
    EXPECT_LT(compare_versions("9.7p1", "9.8p1"), 0);
    EXPECT_EQ(compare_versions("1.22.1", "1.22.1"), 0);
    EXPECT_LT(compare_versions("1.22.1", "1.26.2"), 0);
    EXPECT_LT(compare_versions("1.9.9", "1.22.0"), 0);  // numeric, not lexical
    EXPECT_GT(compare_versions("10.0", "9.9p1"), 0);
    EXPECT_LT(compare_versions("7.0.15", "7.2.6"), 0);
    EXPECT_LT(compare_versions("1.0~rc1", "1.0"), 0);  // '~' sorts before the end
    EXPECT_EQ(compare_versions("1.02", "1.2"), 0);
}

TEST(VersionCompare, DebianEpochsAndRevisions) {
    EXPECT_GT(compare_versions("1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u2"), 0);
    EXPECT_GT(compare_versions("1:1.0", "9.9"), 0);  // the epoch wins
    EXPECT_LT(compare_versions("9.2p1-2", "9.2p1-2+deb12u1"), 0);
    EXPECT_GT(compare_versions("2:1.0-1", "1:2.0-1"), 0);
    EXPECT_EQ(compare_versions("0:1.0-1", "1.0-1"), 0);
}

TEST(VersionCompare, TotalOnOddInput) {
    EXPECT_EQ(compare_versions("", ""), 0);
    EXPECT_LT(compare_versions("", "1"), 0);
    EXPECT_NE(compare_versions("R31 P3", "R4"), 0);
    EXPECT_EQ(compare_versions("abc", "abc"), 0);
}

TEST(SplitDistro, DebianAndUbuntuBanners) {
    DistroInfo d = split_distro("Debian-2+deb12u3");
    EXPECT_EQ(d.name, "debian");
    EXPECT_EQ(d.revision, "2+deb12u3");
    EXPECT_EQ(d.release, "12");
    DistroInfo m = split_distro("10.11.6-MariaDB-0+deb12u1");
    EXPECT_EQ(m.name, "debian");
    EXPECT_EQ(m.revision, "0+deb12u1");
    DistroInfo u = split_distro("Ubuntu-3ubuntu0.10");
    EXPECT_EQ(u.name, "ubuntu");
    EXPECT_EQ(u.revision, "3ubuntu0.10");
    EXPECT_TRUE(split_distro("").name.empty());
    EXPECT_TRUE(split_distro("(protocol 2.0)").name.empty());
}

TEST(VersionRangeTest, Boundaries) {
    VersionRange r;
    r.start = "8.6";
    r.end = "9.8";
    EXPECT_TRUE(r.contains("9.2p1"));
    EXPECT_TRUE(r.contains("8.6"));
    EXPECT_FALSE(r.contains("9.8"));
    EXPECT_FALSE(r.contains("8.5p1"));
    r.end_inclusive = true;
    EXPECT_TRUE(r.contains("9.8"));
    EXPECT_EQ(r.describe(), ">= 8.6, <= 9.8");
}

TEST(VulnImport, RejectsWhatIsNotARecord) {
    EXPECT_FALSE(parse_vuln_json("{").has_value());
    EXPECT_FALSE(parse_vuln_json("[]").has_value());
    EXPECT_FALSE(parse_vuln_json(R"({"cveMetadata":{"cveId":"nope"}})").has_value());
    auto nvd = parse_vuln_json(R"({"id":"CVE-2000-0001","vulnStatus":"Received"})");
    ASSERT_TRUE(nvd.has_value());
    EXPECT_TRUE((*nvd)[0].ranges.empty());
}

TEST(VulnImport, GithubRangeStringsAndChanges) {
    auto recs = parse_vuln_json(R"({"cveMetadata":{"cveId":"CVE-2099-0001"},
      "containers":{"cna":{"affected":[
        {"vendor":"redis","product":"redis","versions":[{"version":">= 7.0.0, < 7.2.6","status":"affected"}]},
        {"vendor":"F5","product":"NGINX Open Source","versions":[{"version":"1.5.13","lessThan":"*",
          "status":"affected","changes":[{"at":"1.27.0","status":"unaffected"},{"at":"1.26.2","status":"unaffected"}]}]}],
        "metrics":[{"cvssV3_1":{"baseScore":7.5,"vectorString":"CVSS:3.1/AV:N"}}]}}})");
    ASSERT_TRUE(recs.has_value()) << recs.error().to_string();
    const VulnRecord& r = (*recs)[0];
    EXPECT_DOUBLE_EQ(r.cvss, 7.5);
    ASSERT_EQ(r.ranges.size(), 2u);
    EXPECT_EQ(r.ranges[0].describe(), ">= 7.0.0, < 7.2.6");
    EXPECT_EQ(r.ranges[1].vendor, "f5");
    EXPECT_EQ(r.ranges[1].product, "nginx_open_source");
    EXPECT_EQ(r.ranges[1].describe(), ">= 1.5.13, < 1.26.2");
}

class CorpusDb : public ::testing::Test {
protected:
    void SetUp() override {
        CA_REQUIRE_CORPUS();
        auto dir = test::corpus_dir() / "vulndb";
        if (!std::filesystem::exists(dir)) {
            GTEST_SKIP() << "corpus has no vulndb/ folder";
        }
        auto n = db_.import_dir(dir);
        ASSERT_TRUE(n.has_value()) << n.error().to_string();
        files_ = *n;
    }

    std::vector<std::string> ids(const ProductKey& p, const std::string& v,
                                 const DistroInfo& d = {}) {
        std::vector<std::string> out;
        for (const VulnMatch& m : db_.match(p, v, d)) {
            out.push_back(m.record->id);
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    bool has(const std::vector<std::string>& v, const char* id) {
        return std::find(v.begin(), v.end(), id) != v.end();
    }

    VulnDb db_;
    std::size_t files_ = 0;
    ProductKey openssh_{{"openbsd:openssh"}, {"openssh"}};
    ProductKey nginx_{{"f5:nginx", "nginx:nginx", "f5:nginx_open_source"}, {"nginx"}};
    ProductKey redis_{{"redis:redis"}, {"redis"}};
    ProductKey vsftpd_{{"vsftpd_project:vsftpd", "beasts:vsftpd"}, {"vsftpd"}};
    ProductKey memcached_{{"memcached:memcached"}, {"memcached"}};
    ProductKey mariadb_{{"mariadb:mariadb"}, {"mariadb"}};
};

TEST_F(CorpusDb, ImportsEveryRecordAndMergesSources) {
    EXPECT_EQ(files_, 48u);
    EXPECT_EQ(db_.size(), 40u);  // 39 CVEs plus the Heartbleed excerpt
    const VulnRecord* r = db_.find("CVE-2024-6387");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->sources.size(), 2u);
    EXPECT_DOUBLE_EQ(r->cvss, 8.1);
    EXPECT_FALSE(r->summary.empty());
}

TEST_F(CorpusDb, RoundTripsThroughTheFileFormat) {
    std::string text = db_.serialise();
    auto back = VulnDb::parse(text);
    ASSERT_TRUE(back.has_value()) << back.error().to_string();
    EXPECT_EQ(back->size(), db_.size());
    EXPECT_EQ(back->serialise(), text);
    EXPECT_FALSE(VulnDb::parse("{\"format\":\"other\",\"version\":1}\n").has_value());
    auto bad = VulnDb::parse(text.substr(0, text.find('\n') + 1) + "{\"id\":3}\n");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().line(), 2u);
}

TEST_F(CorpusDb, OpenSshOnTheLab) {
    auto v = ids(openssh_, "9.2p1");
    EXPECT_TRUE(has(v, "CVE-2024-6387"));   // regreSSHion: 8.6 ≤ v < 9.8
    EXPECT_TRUE(has(v, "CVE-2023-28531"));  // 8.9 ≤ v < 9.3
    EXPECT_TRUE(has(v, "CVE-2023-51385"));
    EXPECT_FALSE(has(v, "CVE-2025-26466"));  // 9.5p1..9.9p1 only
    EXPECT_FALSE(has(v, "CVE-2023-25136"));  // 9.1 only
    EXPECT_FALSE(has(v, "CVE-2018-15473"));  // ≤ 7.7
    EXPECT_TRUE(has(v, "CVE-2025-32728"));   // "before 10.0" from the text, no configurations
    EXPECT_FALSE(has(ids(openssh_, "9.8p1"), "CVE-2024-6387"));
    EXPECT_TRUE(has(ids(openssh_, "8.5p1"), "CVE-2024-6387"));  // single-version CPE 8.5:p1
    EXPECT_FALSE(has(ids(openssh_, "7.4"), "CVE-2024-6387"));
}

TEST_F(CorpusDb, DebianRevisionLowersConfidenceAndSaysWhy) {
    DistroInfo deb = split_distro("Debian-2+deb12u3");
    auto matches = db_.match(openssh_, "9.2p1", deb);
    auto it = std::find_if(matches.begin(), matches.end(),
                           [](const VulnMatch& m) { return m.record->id == "CVE-2024-6387"; });
    ASSERT_NE(it, matches.end());
    EXPECT_EQ(it->confidence, Confidence::kLow);
    EXPECT_NE(it->reason.find("2+deb12u3"), std::string::npos);
    EXPECT_NE(it->reason.find("backports"), std::string::npos);
    auto plain = db_.match(openssh_, "9.2p1", {});
    auto p = std::find_if(plain.begin(), plain.end(),
                          [](const VulnMatch& m) { return m.record->id == "CVE-2024-6387"; });
    ASSERT_NE(p, plain.end());
    EXPECT_EQ(p->confidence, Confidence::kHigh);
}

TEST_F(CorpusDb, NginxOnTheLab) {
    auto v = ids(nginx_, "1.22.1");
    EXPECT_TRUE(has(v, "CVE-2024-7347"));   // CVE-5 F5 ranges with changes
    EXPECT_TRUE(has(v, "CVE-2025-23419"));
    EXPECT_TRUE(has(v, "CVE-2025-53859"));
    EXPECT_FALSE(has(v, "CVE-2022-41741"));  // fixed exactly in 1.22.1
    EXPECT_FALSE(has(v, "CVE-2021-23017"));
    EXPECT_FALSE(has(v, "CVE-2013-2028"));
    EXPECT_TRUE(has(ids(nginx_, "1.22.0"), "CVE-2022-41741"));
    EXPECT_FALSE(has(ids(nginx_, "1.26.2"), "CVE-2024-7347"));
}

TEST_F(CorpusDb, RedisOnTheLab) {
    auto v = ids(redis_, "7.0.15");
    EXPECT_TRUE(has(v, "CVE-2025-49844"));
    EXPECT_TRUE(has(v, "CVE-2024-31449"));  // ">= 7.0.0, < 7.2.6" range string
    EXPECT_TRUE(has(v, "CVE-2025-21605"));
    EXPECT_FALSE(has(v, "CVE-2024-46981"));  // CNA ranges skip the 7.0 branch: literal reading
    EXPECT_FALSE(has(v, "CVE-2023-45145"));
    EXPECT_FALSE(has(v, "CVE-2022-24834"));
    EXPECT_FALSE(has(v, "CVE-2022-0543"));  // needs Debian 9/10/11, banner shows no platform
    DistroInfo deb11{"debian", "1", "11"};
    EXPECT_TRUE(has(ids(redis_, "6.0.16", deb11), "CVE-2022-0543"));
    DistroInfo deb12{"debian", "1", "12"};
    EXPECT_FALSE(has(ids(redis_, "7.0.15", deb12), "CVE-2022-0543"));
}

TEST_F(CorpusDb, FamousOldCvesStayQuiet) {
    EXPECT_FALSE(has(ids(vsftpd_, "3.0.3"), "CVE-2011-2523"));
    EXPECT_TRUE(has(ids(vsftpd_, "2.3.4"), "CVE-2011-2523"));
    EXPECT_FALSE(has(ids(vsftpd_, "3.0.3"), "CVE-2015-1419"));
    EXPECT_FALSE(has(ids(memcached_, "1.6.18"), "CVE-2018-1000115"));
    EXPECT_TRUE(has(ids(memcached_, "1.6.18"), "CVE-2023-46852"));  // "before 1.6.22" text
    EXPECT_FALSE(has(ids(mariadb_, "10.11.6"), "CVE-2022-47015"));
    EXPECT_FALSE(has(ids(mariadb_, "10.11.6"), "CVE-2012-2122"));
}

}  // namespace
}  // namespace cyberalarm::scan
