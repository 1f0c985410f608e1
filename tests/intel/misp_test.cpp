#include <gtest/gtest.h>

#include "core/time.h"
#include "intel/importers.h"

namespace cyberalarm::intel {
namespace {

core::IpAddress ip(std::string_view s) { return *core::IpAddress::parse(s); }

// Modelled on MISP's event export (the /events/view JSON).
constexpr std::string_view kEvent = R"({"Event": {
  "id": "1201", "uuid": "5e0a5a5b-8c1c-4b8f-9d0e-1a2b3c4d5e6f",
  "info": "Phishing campaign against councils",
  "threat_level_id": "1", "analysis": "2", "published": true,
  "Orgc": {"id": "3", "name": "CIRCL-like CERT", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f"},
  "Org": {"id": "1", "name": "Local"},
  "Tag": [{"name": "tlp:amber"}],
  "Attribute": [
    {"type": "ip-dst", "category": "Network activity", "to_ids": true,
     "value": "198.51.100.23", "comment": "landing page host",
     "first_seen": "2024-02-01T08:00:00.000000+00:00", "last_seen": "2024-02-03T09:30:00+00:00",
     "uuid": "a1"},
    {"type": "ip-src|port", "to_ids": true, "value": "203.0.113.5|4444", "uuid": "a2"},
    {"type": "domain|ip", "to_ids": "1", "value": "login-update.example|192.0.2.44", "uuid": "a3",
     "Tag": [{"name": "misp:confidence-level=\"rarely-confident\""}]},
    {"type": "hostname", "to_ids": true, "value": "cdn.bad-cdn.example", "uuid": "a4"},
    {"type": "ip-dst", "to_ids": false, "value": "192.0.2.200", "uuid": "a5"},
    {"type": "md5", "to_ids": true, "value": "d41d8cd98f00b204e9800998ecf8427e", "uuid": "a6"},
    {"type": "ip-dst", "to_ids": true, "value": "not-an-ip", "uuid": "a7"},
    {"type": "ip-dst", "to_ids": true, "deleted": true, "value": "192.0.2.201", "uuid": "a8"},
    {"type": "ip-dst", "to_ids": true, "value": "2001:db8:c2::/64", "timestamp": "1706774400"}
  ],
  "Object": [
    {"name": "ip-port", "Attribute": [
      {"type": "ip-dst", "object_relation": "ip", "to_ids": true, "value": "198.51.100.99"},
      {"type": "port", "object_relation": "dst-port", "to_ids": false, "value": "8443"}
    ]}
  ]
}})";

TEST(Misp, ImportsEvent) {
    IntelSet set;
    auto stats = import_misp(kEvent, {}, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    set.seal();
    EXPECT_EQ(stats->format, FeedFormat::kMisp);
    EXPECT_EQ(stats->added, 7u);
    EXPECT_EQ(stats->skipped_for(SkipReason::kNotForDetection), 2u);  // to_ids false, deleted
    EXPECT_EQ(stats->skipped_for(SkipReason::kUnsupportedType), 2u);  // md5, port
    EXPECT_EQ(stats->skipped_for(SkipReason::kBadValue), 1u);

    const Indicator* a = set.match(ip("198.51.100.23"), 0);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->source, "CIRCL-like CERT");
    EXPECT_EQ(a->confidence, 90);  // threat level high
    EXPECT_EQ(a->label, "landing page host");
    EXPECT_EQ(a->first_seen_ns, core::parse_iso8601("2024-02-01T08:00:00Z")->ns);
    EXPECT_EQ(a->last_seen_ns, core::parse_iso8601("2024-02-03T09:30:00Z")->ns);

    EXPECT_NE(set.match(ip("203.0.113.5"), 0), nullptr);
    const Indicator* d = set.match(ip("192.0.2.44"), 0);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->confidence, 25);
    EXPECT_EQ(d->label, "Phishing campaign against councils");
    EXPECT_NE(set.match_domain("login-update.example", 0), nullptr);
    EXPECT_NE(set.match_domain("x.cdn.bad-cdn.example", 0), nullptr);
    EXPECT_EQ(set.match(ip("192.0.2.200"), 0), nullptr);
    EXPECT_EQ(set.match(ip("192.0.2.201"), 0), nullptr);
    const Indicator* v6 = set.match(ip("2001:db8:c2::7"), 0);
    ASSERT_NE(v6, nullptr);
    EXPECT_EQ(v6->last_seen_ns, std::int64_t{1706774400} * core::kNanosPerSecond);
    EXPECT_NE(set.match(ip("198.51.100.99"), 0), nullptr);  // from an object
}

TEST(Misp, ToIdsCanBeIgnored) {
    ImportOptions opt;
    opt.require_to_ids = false;
    IntelSet set;
    auto stats = import_misp(kEvent, opt, set);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->added, 8u);
}

TEST(Misp, ListsAndResponseWrapper) {
    constexpr std::string_view kList = R"([
      {"Event": {"info": "a", "threat_level_id": 3,
                 "Attribute": [{"type": "ip-src", "to_ids": true, "value": "192.0.2.1"}]}},
      {"Event": {"info": "b", "Attribute": [{"type": "domain", "to_ids": 1, "value": "b.example"}]}}
    ])";
    IntelSet set;
    auto stats = import_misp(kList, {}, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    EXPECT_EQ(stats->added, 2u);
    auto wrapped = std::string(R"({"response": )") + std::string(kList) + "}";
    auto again = import_misp(wrapped, {}, set);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(again->added, 2u);
    set.seal();
    const Indicator* a = set.match(ip("192.0.2.1"), 0);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->confidence, 40);
    EXPECT_EQ(a->source, "intel");  // no Orgc: the default
}

TEST(Misp, WrongTypesEverywhere) {
    constexpr std::string_view kDoc = R"({"Event": {"Orgc": "x", "info": 5, "threat_level_id": [],
      "Tag": "t", "Attribute": [1, "x", null, {"type": 5, "value": 6},
        {"type": "ip-dst", "value": ["192.0.2.1"]},
        {"type": "ip-dst", "value": "192.0.2.2", "to_ids": "yes", "first_seen": 5.5},
        {"type": "ip-dst", "value": "192.0.2.3", "Tag": [1, {"name": 2}], "comment": {}}],
      "Object": [1, {"Attribute": {}}]}})";
    IntelSet set;
    auto stats = import_misp(kDoc, {}, set);
    ASSERT_TRUE(stats) << stats.error().to_string();
    EXPECT_EQ(stats->added, 1u);
}

TEST(Misp, Errors) {
    IntelSet set;
    ImportOptions opt;
    opt.origin = "event.json";
    auto bad = import_misp("{\"Event\": {\"Attribute\": [\n\n{\"type\": \"ip-dst\",}]}}", opt, set);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().line(), 3u);
    EXPECT_NE(bad.error().to_string().find("event.json"), std::string::npos);
    auto not_misp = import_misp(R"({"objects": []})", opt, set);
    ASSERT_FALSE(not_misp);
    EXPECT_EQ(not_misp.error().code(), core::ErrorCode::kUnsupported);
    opt.max_indicators = 2;
    auto full = import_misp(kEvent, opt, set);
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ(set.size(), 0u);
}

}  // namespace
}  // namespace cyberalarm::intel
