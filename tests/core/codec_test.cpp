#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "core/event_codec.h"

namespace cyberalarm::core {
namespace {

Event sample() {
    Event e;
    e.time_ns = 1700000000123000000;
    e.format = "iptables";
    e.observer_name = "gw1";
    e.src_ip = *IpAddress::parse("203.0.113.7");
    e.dst_ip = *IpAddress::parse("2001:db8::5");
    e.set_src_port(51234);
    e.set_dst_port(22);
    e.set_transport(Transport::kTcp);
    e.action = Action::kDrop;
    e.direction = Direction::kInbound;
    e.set_src_bytes(60);
    e.set_duration_ns(-5);
    e.rule_name = "wan \"in\"";
    e.rule_id = "7";
    e.severity = Severity::kHigh;
    e.user_hash = "00ff";
    e.ingress_interface = "eth0";
    return e;
}

TEST(EventCodec, RoundTrips) {
    Event e = sample();
    std::string buf;
    encode_event(e, buf);
    encode_event(Event{}, buf);
    std::size_t used = 0;
    auto back = decode_event(std::as_bytes(std::span(buf.data(), buf.size())), &used);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, e);
    auto second =
        decode_event(std::as_bytes(std::span(buf.data() + used, buf.size() - used)), &used);
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, Event{});
}

TEST(EventCodec, EveryTruncationIsAnError) {
    std::string buf;
    encode_event(sample(), buf);
    for (std::size_t n = 0; n < buf.size(); ++n) {
        auto r = decode_event(std::as_bytes(std::span(buf.data(), n)), nullptr);
        EXPECT_FALSE(r) << "prefix of " << n << " bytes decoded";
    }
}

TEST(EcsJson, WritesNestedEcsAndReadsItBack) {
    Event e = sample();
    std::string json = to_ecs_json(e);
    EXPECT_NE(json.find("\"@timestamp\":\"2023-11-14T22:13:20.123Z\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"source\":{\"ip\":\"203.0.113.7\",\"port\":51234,\"bytes\":60}"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find("\"network\":{\"transport\":\"tcp\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"action\":\"drop\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"name\":\"wan \\\"in\\\"\""), std::string::npos) << json;
    auto back = from_ecs_json(json);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, e);
}

}  // namespace
}  // namespace cyberalarm::core

namespace cyberalarm::core {
namespace {

TEST(EcsJson, InvalidUtf8BecomesReplacementCharacter) {
    Event e;
    e.rule_name = std::string("bad\xff\xfe byte \xc3\xa9 ok", 16);
    std::string json = to_ecs_json(e);
    EXPECT_NE(json.find("bad\xEF\xBF\xBD\xEF\xBF\xBD byte \xc3\xa9 ok"), std::string::npos) << json;
    auto back = from_ecs_json(json);
    ASSERT_TRUE(back) << back.error().to_string();
}

}  // namespace
}  // namespace cyberalarm::core

namespace cyberalarm::core {
namespace {

// Regression (fuzzer find): control bytes in a string must be escaped (RapidJSON 1.1's SSE2
// scanner let them through).
TEST(EcsJson, ControlBytesAreEscaped) {
    Event e;
    e.rule_name = std::string("staff\x1e User\x01 x\"y\\z");
    std::string json = to_ecs_json(e);
    EXPECT_NE(json.find("staff\\u001E User\\u0001 x\\\"y\\\\z"), std::string::npos) << json;
    for (unsigned char c : json) {
        EXPECT_GE(c, 0x20);
    }
    EXPECT_TRUE(from_ecs_json(json));
}

}  // namespace
}  // namespace cyberalarm::core
