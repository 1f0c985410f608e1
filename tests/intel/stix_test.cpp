#include <gtest/gtest.h>

#include "core/time.h"
#include "intel/importers.h"

namespace cyberalarm::intel {
namespace {

core::IpAddress ip(std::string_view s) { return *core::IpAddress::parse(s); }
std::int64_t at(std::string_view iso) { return core::parse_iso8601(iso)->ns; }

// Modelled on the STIX 2.1 specification's examples (section 4.7 Indicator).
constexpr std::string_view kBundle = R"({
  "type": "bundle",
  "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [
    {
      "type": "indicator", "spec_version": "2.1",
      "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
      "created": "2024-03-01T10:00:00.000Z", "modified": "2024-03-02T11:00:00.000Z",
      "name": "Botnet C2", "indicator_types": ["malicious-activity"],
      "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
      "valid_from": "2024-03-01T10:00:00Z", "valid_until": "2024-06-01T00:00:00Z",
      "confidence": 85
    },
    {
      "type": "indicator", "spec_version": "2.1",
      "id": "indicator--1", "created": "2024-03-01T10:00:00Z", "modified": "2024-03-01T10:00:00Z",
      "labels": ["scanner"],
      "pattern": "[ipv4-addr:value = '203.0.113.0/24'] OR [ipv6-addr:value = '2001:db8:bad::/48']",
      "pattern_type": "stix", "valid_from": "2024-03-01T10:00:00Z"
    },
    {
      "type": "indicator", "spec_version": "2.1", "id": "indicator--2",
      "created": "2024-03-01T10:00:00Z", "modified": "2024-03-01T10:00:00Z",
      "pattern": "[domain-name:value = 'Evil.Example' OR file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      "pattern_type": "stix", "valid_from": "2024-03-01T10:00:00Z"
    },
    {
      "type": "indicator", "spec_version": "2.1", "id": "indicator--3",
      "created": "2024-03-01T10:00:00Z", "modified": "2024-03-01T10:00:00Z",
      "pattern": "[ipv4-addr:value = '192.0.2.9' AND network-traffic:dst_port = 443]",
      "pattern_type": "stix", "valid_from": "2024-03-01T10:00:00Z"
    },
    {
      "type": "indicator", "spec_version": "2.1", "id": "indicator--4",
      "created": "2024-03-01T10:00:00Z", "modified": "2024-03-01T10:00:00Z",
      "pattern": "alert tcp any any -> any any", "pattern_type": "snort",
      "valid_from": "2024-03-01T10:00:00Z"
    },
    {
      "type": "identity", "spec_version": "2.1",
      "id": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
      "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
      "name": "Regional CERT", "identity_class": "organization"
    },
    {"type": "malware", "id": "malware--1", "name": "x", "is_family": true}
  ]
})";

TEST(Stix, ImportsBundle) {
    IntelSet set;
    ImportOptions opt;
    opt.source = "feed";
    auto stats = import_stix21(kBundle, opt, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    set.seal();
    EXPECT_EQ(stats->format, FeedFormat::kStix21);
    EXPECT_EQ(stats->added, 4u);
    EXPECT_EQ(stats->skipped_for(SkipReason::kUnsupportedType), 1u);     // the file hash
    EXPECT_EQ(stats->skipped_for(SkipReason::kUnsupportedPattern), 2u);  // AND, snort

    const Indicator* c2 = set.match(ip("198.51.100.1"), 0);
    ASSERT_NE(c2, nullptr);
    EXPECT_EQ(c2->source, "Regional CERT");
    EXPECT_EQ(c2->confidence, 85);
    EXPECT_EQ(c2->label, "Botnet C2");
    EXPECT_EQ(c2->expires_ns, at("2024-06-01T00:00:00Z"));
    EXPECT_EQ(c2->first_seen_ns, at("2024-03-01T10:00:00Z"));
    EXPECT_EQ(c2->last_seen_ns, at("2024-03-02T11:00:00Z"));
    EXPECT_EQ(set.match(ip("198.51.100.1"), at("2024-07-01T00:00:00Z")), nullptr);

    const Indicator* scan = set.match(ip("203.0.113.77"), 0);
    ASSERT_NE(scan, nullptr);
    EXPECT_EQ(scan->source, "feed");
    EXPECT_EQ(scan->confidence, 50);
    EXPECT_EQ(scan->label, "scanner");
    EXPECT_NE(set.match(ip("2001:db8:bad::1"), 0), nullptr);
    EXPECT_NE(set.match_domain("www.evil.example", 0), nullptr);
    EXPECT_EQ(set.match(ip("192.0.2.9"), 0), nullptr);
}

TEST(Stix, PatternForms) {
    constexpr std::string_view kDoc = R"({"type": "bundle", "objects": [
      {"type": "indicator", "id": "indicator--a", "pattern_type": "stix",
       "pattern": "([ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')] OR [ipv4-addr:value ISSUBSET '10.9.0.0/16']) WITHIN 60 SECONDS"},
      {"type": "indicator", "id": "indicator--b", "pattern_type": "stix",
       "pattern": "[network-traffic:dst_ref.value = '198.51.100.200' OR ipv4-addr:value != '192.0.2.99']"},
      {"type": "indicator", "id": "indicator--c", "pattern_type": "stix",
       "pattern": "[ipv4-addr:value = '2001:db8::1']"},
      {"type": "indicator", "id": "indicator--d", "pattern_type": "stix",
       "pattern": "[ipv4-addr:value = 'unterminated]"},
      {"type": "indicator", "id": "indicator--e", "pattern_type": "stix",
       "pattern": "[ipv4-addr:value = '192.0.2.50'] FOLLOWEDBY [domain-name:value = 'x.example']"},
      {"type": "indicator", "id": "indicator--f", "pattern_type": "stix", "revoked": true,
       "pattern": "[ipv4-addr:value = '192.0.2.51']"}
    ]})";
    IntelSet set;
    auto stats = import_stix21(kDoc, {}, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    set.seal();
    EXPECT_EQ(stats->added, 4u);
    EXPECT_NE(set.match(ip("192.0.2.1"), 0), nullptr);
    EXPECT_NE(set.match(ip("192.0.2.2"), 0), nullptr);
    EXPECT_NE(set.match(ip("10.9.4.4"), 0), nullptr);
    EXPECT_NE(set.match(ip("198.51.100.200"), 0), nullptr);
    EXPECT_EQ(set.match(ip("192.0.2.99"), 0), nullptr);
    EXPECT_EQ(set.match(ip("2001:db8::1"), 0), nullptr);  // wrong object type
    EXPECT_EQ(set.match(ip("192.0.2.50"), 0), nullptr);
    EXPECT_EQ(set.match(ip("192.0.2.51"), 0), nullptr);
    EXPECT_EQ(stats->skipped_for(SkipReason::kUnsupportedPattern), 2u);  // !=, FOLLOWEDBY
    EXPECT_EQ(stats->skipped_for(SkipReason::kBadValue), 2u);  // v6 in ipv4-addr, unterminated
    EXPECT_EQ(stats->skipped_for(SkipReason::kNotForDetection), 1u);
    EXPECT_FALSE(stats->examples.empty());
}

TEST(Stix, WrongTypesAreSkippedNotFatal) {
    constexpr std::string_view kDoc = R"({"type": "bundle", "objects": [
      {"type": "indicator", "pattern": 7},
      {"type": "indicator", "pattern": "[ipv4-addr:value = '192.0.2.1']", "valid_until": 12},
      {"type": "indicator", "pattern": "[ipv4-addr:value = '192.0.2.2']", "confidence": "high",
       "name": ["x"], "created_by_ref": 5, "labels": "no"},
      {"type": 1}, 5, null, "x", []
    ]})";
    IntelSet set;
    auto stats = import_stix21(kDoc, {}, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    EXPECT_EQ(stats->added, 1u);
    EXPECT_EQ(stats->skipped_for(SkipReason::kBadField), 2u);
}

TEST(Stix, MalformedJsonNamesLocation) {
    ImportOptions opt;
    opt.origin = "feed.json";
    IntelSet set;
    auto r = import_stix21("{\"type\": \"bundle\",\n \"objects\": [ {\"type\": } ]}", opt, set);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kParse);
    EXPECT_EQ(r.error().line(), 2u);
    EXPECT_NE(r.error().offset(), core::Error::kNoOffset);
    EXPECT_NE(r.error().message().find("feed.json"), std::string::npos);
    EXPECT_EQ(set.size(), 0u);
}

TEST(Stix, NotABundle) {
    IntelSet set;
    EXPECT_EQ(import_stix21("[]", {}, set)->added, 0u);
    auto r = import_stix21(R"({"hello": 1})", {}, set);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kUnsupported);
    EXPECT_FALSE(import_stix21("", {}, set));
    EXPECT_FALSE(import_stix21(std::string(100, '['), {}, set));  // too deep
}

TEST(Stix, LimitIsAllOrNothing) {
    ImportOptions opt;
    opt.max_indicators = 3;
    IntelSet set;
    auto r = import_stix21(kBundle, opt, set);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ(set.size(), 0u);
    opt.max_indicators = 4;
    EXPECT_TRUE(import_stix21(kBundle, opt, set));
    opt.max_input_bytes = 10;
    auto big = import_stix21(kBundle, opt, set);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code(), core::ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace cyberalarm::intel
