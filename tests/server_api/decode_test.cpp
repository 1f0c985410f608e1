// The decoders of untrusted request input: query strings, times, JSON bodies.
#include <gtest/gtest.h>

#include "core/event.h"
#include "core/time.h"
#include "server/api/internal/decode.h"

namespace cyberalarm::server::api {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlus) {
    EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_EQ(percent_decode("%3A%3a", false), "::");
}

TEST(PercentDecode, RefusesMalformedControlAndBadUtf8) {
    EXPECT_FALSE(percent_decode("%", true));
    EXPECT_FALSE(percent_decode("%4", true));
    EXPECT_FALSE(percent_decode("%zz", true));
    EXPECT_FALSE(percent_decode("%00", true));
    EXPECT_FALSE(percent_decode("%0a", true));
    EXPECT_FALSE(percent_decode("%7f", true));
    EXPECT_FALSE(percent_decode("%c0%af", true));  // overlong '/'
    EXPECT_FALSE(percent_decode("%ed%a0%80", true));  // surrogate
    EXPECT_EQ(percent_decode("%c3%a9", true), "\xc3\xa9");
}

TEST(ParseTime, Rfc3339AndUnixSeconds) {
    EXPECT_EQ(parse_time("1767312000"), 1767312000LL * core::kNanosPerSecond);
    EXPECT_EQ(parse_time("2026-01-02T00:00:00Z"), 1767312000LL * core::kNanosPerSecond);
    EXPECT_EQ(parse_time("2026-01-02T01:00:00+01:00"), 1767312000LL * core::kNanosPerSecond);
    EXPECT_EQ(parse_time("2026-01-02T00:00:00.5Z"),
              1767312000LL * core::kNanosPerSecond + 500'000'000);
    EXPECT_FALSE(parse_time("2026-01-02T00:00:00"));  // no zone
    EXPECT_FALSE(parse_time("2026-01-02"));
    EXPECT_FALSE(parse_time("2026-01-02T00:00:00Zjunk"));
    EXPECT_FALSE(parse_time("-5"));
    EXPECT_FALSE(parse_time("99999999999999"));
    EXPECT_FALSE(parse_time(""));
}

TEST(QueryParams, ParsesAndTypes) {
    auto q = QueryParams::parse("port=22&address=192.0.2.1&from=2026-01-02T00:00:00Z&limit=5");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_TRUE(q->only({"port", "address", "from", "limit"}));
    EXPECT_EQ(q->port("port").value(), std::uint16_t{22});
    EXPECT_EQ(q->address("address").value()->to_string(), "192.0.2.1");
    EXPECT_EQ(q->time("from").value(), 1767312000LL * core::kNanosPerSecond);
    EXPECT_EQ(q->limit(100, 1000).value(), 5u);
    EXPECT_EQ(q->describe(), "address=192.0.2.1&from=2026-01-02T00:00:00Z&limit=5&port=22");
}

TEST(QueryParams, ErrorsNameTheParameter) {
    auto q = QueryParams::parse("port=0&address=nope&limit=5000&from=yesterday");
    ASSERT_TRUE(q);
    auto port = q->port("port");
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().status, 400);
    EXPECT_EQ(port.error().code, "invalid_argument");
    EXPECT_EQ(port.error().field, "port");
    EXPECT_EQ(port.error().message, "port: must be 1-65535");
    EXPECT_EQ(q->address("address").error().field, "address");
    EXPECT_EQ(q->limit(100, 1000).error().field, "limit");
    EXPECT_EQ(q->time("from").error().field, "from");
    EXPECT_EQ(q->port("port70000").value(), std::nullopt);
}

TEST(QueryParams, StrictAboutShape) {
    EXPECT_EQ(QueryParams::parse("port=1&port=2").error().field, "port");
    EXPECT_EQ(QueryParams::parse("a=%zz").error().field, "a");
    EXPECT_FALSE(QueryParams::parse("=1"));
    std::string many;
    for (int i = 0; i < 40; ++i) {
        many += "p" + std::to_string(i) + "=1&";
    }
    EXPECT_FALSE(QueryParams::parse(many));
    EXPECT_FALSE(QueryParams::parse("v=" + std::string(kMaxParamValueBytes + 1, 'x')));
    auto q = QueryParams::parse("port=22&evil=1");
    ASSERT_TRUE(q);
    auto only = q->only({"port"});
    ASSERT_FALSE(only);
    EXPECT_EQ(only.error().field, "evil");
    EXPECT_EQ(QueryParams::parse("port=+22")->port("port").error().field, "port");
}

TEST(QueryParams, Choice) {
    constexpr std::array kValues = {core::Category::kFirewall, core::Category::kIds};
    auto q = QueryParams::parse("category=ids&bad=flow");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->choice("category", kValues).value(), core::Category::kIds);
    auto bad = q->choice("bad", kValues);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "bad: one of firewall, ids");
}

TEST(Body, ParsesStrictObjects) {
    auto b = Body::parse("application/json; charset=utf-8",
                         R"({"name":"x","n":5,"ok":true,"list":["a","b"],"t":"1767312000"})",
                         1024);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_TRUE(b->only({"name", "n", "ok", "list", "t"}));
    EXPECT_EQ(b->string("name", 10).value(), "x");
    EXPECT_EQ(b->integer("n", 1, 10).value(), 5);
    EXPECT_EQ(b->boolean("ok").value(), true);
    EXPECT_EQ(b->string_list("list", 5, 5).value()->size(), 2u);
    EXPECT_EQ(b->time("t").value(), 1767312000LL * core::kNanosPerSecond);
    EXPECT_TRUE(Body::parse("", "", 10));  // an empty body is {}
}

TEST(Body, RefusesWithTheRightStatus) {
    EXPECT_EQ(Body::parse("text/plain", "{}", 100).error().status, 415);
    EXPECT_EQ(Body::parse("application/json", std::string(200, ' '), 100).error().status, 413);
    EXPECT_EQ(Body::parse("application/json", "{", 100).error().status, 400);
    EXPECT_EQ(Body::parse("application/json", "[1]", 100).error().status, 400);
    EXPECT_EQ(Body::parse("application/json", R"({"a":1,"a":2})", 100).error().status, 400);
    const std::string deep = std::string(50, '[') + std::string(50, ']');
    EXPECT_EQ(Body::parse("application/json", R"({"a":)" + deep + "}", 1000).error().status, 400);
    auto b = Body::parse("application/json", R"({"n":"5","s":"","c":"a\u0001"})", 100);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->integer("n", 1, 10).error().status, 422);
    EXPECT_EQ(b->integer("n", 1, 10).error().field, "n");
    EXPECT_EQ(b->string("s", 10).error().status, 422);
    EXPECT_EQ(b->string("c", 10).error().status, 422);
    EXPECT_EQ(b->string("missing", 10).error().message, "missing: required");
    EXPECT_EQ(b->only({"n"}).error().status, 400);
    auto big = Body::parse("application/json", R"({"n":18446744073709551615})", 100);
    EXPECT_EQ(big->integer("n", 0, INT64_MAX).error().status, 422);
}

}  // namespace
}  // namespace cyberalarm::server::api
