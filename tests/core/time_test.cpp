#include "core/time.h"

#include <gtest/gtest.h>

namespace cyberalarm::core {
namespace {

TEST(Time, CivilRoundTrip) {
    for (std::int64_t ns : {std::int64_t{0}, std::int64_t{951782400} * kNanosPerSecond,
                            std::int64_t{1700000000123456789}}) {
        auto t = ns_to_civil(ns);
        EXPECT_EQ(*civil_to_ns(t), ns);
    }
    CivilTime leap{2024, 2, 29, 12, 0, 0, 0};
    EXPECT_TRUE(civil_to_ns(leap));
    CivilTime bad{2023, 2, 29, 12, 0, 0, 0};
    EXPECT_FALSE(civil_to_ns(bad));
}

TEST(Time, ParsesIso8601Variants) {
    auto a = parse_iso8601("2021-03-12T14:10:18Z");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->has_zone);
    EXPECT_EQ(format_iso8601(a->ns), "2021-03-12T14:10:18.000Z");
    auto b = parse_iso8601("2021-03-12T16:10:18.123456+02:00 rest");
    ASSERT_TRUE(b);
    EXPECT_EQ(format_iso8601(b->ns), "2021-03-12T14:10:18.123456000Z");
    EXPECT_EQ(b->consumed, 32u);
    auto c = parse_iso8601("2021-03-12 14:10:18");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->has_zone);
    auto d = parse_iso8601("2021-03-12T14:10:18-0530");
    ASSERT_TRUE(d);
    EXPECT_EQ(format_iso8601(d->ns), "2021-03-12T19:40:18.000Z");
    EXPECT_FALSE(parse_iso8601("2021-13-12T14:10:18Z"));
    EXPECT_FALSE(parse_iso8601("2021-03-1"));
}

TEST(Time, YearInference) {
    auto ref = *civil_to_ns({2024, 1, 5, 0, 0, 0, 0});
    EXPECT_EQ(infer_year(12, ref), 2023);
    EXPECT_EQ(infer_year(1, ref), 2024);
    EXPECT_EQ(infer_year(2, ref), 2024);
    auto dec = *civil_to_ns({2024, 12, 31, 23, 0, 0, 0});
    EXPECT_EQ(infer_year(1, dec), 2025);
}

TEST(TimeZone, OffsetsAndIanaZones) {
    auto utc = TimeZone::parse("UTC");
    ASSERT_TRUE(utc);
    EXPECT_TRUE(utc->is_utc());
    auto plus2 = TimeZone::parse("+02:00");
    ASSERT_TRUE(plus2);
    auto local = *civil_to_ns({2024, 6, 1, 12, 0, 0, 0});
    EXPECT_EQ(format_iso8601(plus2->local_to_utc(local)), "2024-06-01T10:00:00.000Z");
    auto london = TimeZone::parse("Europe/London");
    ASSERT_TRUE(london) << london.error().to_string();
    EXPECT_EQ(format_iso8601(london->local_to_utc(local)), "2024-06-01T11:00:00.000Z");
    auto winter = *civil_to_ns({2024, 1, 1, 12, 0, 0, 0});
    EXPECT_EQ(format_iso8601(london->local_to_utc(winter)), "2024-01-01T12:00:00.000Z");
    auto bad = TimeZone::parse("Mars/Olympus");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message().find("Mars/Olympus"), std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::core
