// Syslog over UDP on loopback.
#include <gtest/gtest.h>

#include <stdexcept>

#include "collector/inputs.h"
#include "collector/inputs_test_support.h"

namespace cyberalarm::collector {
namespace {

using test::RecordingSink;

std::unique_ptr<Input> bound_udp(const std::string& address = "127.0.0.1") {
    InputConfig c;
    c.name = "udp";
    c.kind = InputKind::kUdp;
    c.address = address;
    c.max_frame = 256;
    auto input = make_input(c);
    EXPECT_TRUE(input) << input.error().to_string();
    if (!input) {
        return nullptr;
    }
    auto bound = (*input)->bind();
    if (!bound) {
        ADD_FAILURE() << bound.error().to_string();
        return nullptr;
    }
    return std::move(*input);
}

TEST(UdpInputTest, OneDatagramIsOneMessage) {
    RecordingSink sink;  // outlives the input
    auto input = bound_udp();
    ASSERT_TRUE(input);
    ASSERT_NE(input->bound_port(), 0u);
    ASSERT_TRUE(input->start(sink, 3));
    std::uint16_t port = input->bound_port();
    test::send_udp(port, "<13>Jan  1 00:00:00 fw one");
    test::send_udp(port, "<13>Jan  1 00:00:00 fw two\n");
    test::send_udp(port, "<13>Jan  1 00:00:00 fw three\r\n");
    test::send_udp(port, "a\nb");  // not split: one datagram, one message
    test::send_udp(port, "\n");    // nothing in it
    test::send_udp(port, std::string(1000, 'x'));
    ASSERT_TRUE(sink.wait_for(5));
    ASSERT_TRUE(test::eventually([&] { return input->stats().udp_datagrams == 6; }));
    EXPECT_TRUE(test::eventually([&] { return sink.unflushed() == 0; }));
    input->stop();

    auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "<13>Jan  1 00:00:00 fw one");
    EXPECT_EQ(lines[1], "<13>Jan  1 00:00:00 fw two");
    EXPECT_EQ(lines[2], "<13>Jan  1 00:00:00 fw three");
    EXPECT_EQ(lines[3], "a\nb");
    EXPECT_EQ(lines[4], std::string(256, 'x'));
    EXPECT_EQ(sink.peers()[0].to_string(), "127.0.0.1");
    EXPECT_EQ(sink.indexes()[0], 3u);
    auto stats = input->stats();
    EXPECT_EQ(stats.frames, 5u);
    EXPECT_EQ(stats.oversize, 1u);
    EXPECT_EQ(stats.errors, 0u);
}

TEST(UdpInputTest, Ipv6Loopback) {
    RecordingSink sink;
    InputConfig c;
    c.name = "udp6";
    c.kind = InputKind::kUdp;
    c.address = "::1";
    auto made = make_input(c);
    ASSERT_TRUE(made);
    auto input = std::move(*made);
    if (!input->bind()) {
        GTEST_SKIP() << "no IPv6 loopback here";
    }
    ASSERT_TRUE(input->start(sink, 0));
    test::send_udp(input->bound_port(), "<13>v6 message", true);
    ASSERT_TRUE(sink.wait_for(1));
    EXPECT_EQ(sink.peers()[0].to_string(), "::1");
}

// The sink must not throw; if it does, the input counts it and carries on.
TEST(UdpInputTest, AThrowingSinkDoesNotStopTheInput) {
    RecordingSink sink;
    sink.before_accept = [](std::string_view line) {
        if (line == "boom") {
            throw std::runtime_error("sink failed");
        }
    };
    auto input = bound_udp();
    ASSERT_TRUE(input);
    ASSERT_TRUE(input->start(sink, 0));
    test::send_udp(input->bound_port(), "boom");
    ASSERT_TRUE(test::eventually([&] { return input->stats().errors == 1; }));
    test::send_udp(input->bound_port(), "after");
    ASSERT_TRUE(sink.wait_for(1));
    EXPECT_EQ(sink.lines(), (std::vector<std::string>{"after"}));
    EXPECT_NE(input->stats().last_error.find("sink failed"), std::string::npos);
}

TEST(UdpInputTest, APortInUseIsABindError) {
    auto first = bound_udp();
    ASSERT_TRUE(first);
    InputConfig c;
    c.name = "second";
    c.kind = InputKind::kUdp;
    c.port = first->bound_port();
    auto second = make_input(c);
    ASSERT_TRUE(second);
    auto r = (*second)->bind();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kIo);
    EXPECT_NE(r.error().message().find("cannot listen on 127.0.0.1"), std::string::npos);
}

TEST(UdpInputTest, StopIsPromptAndIdempotent) {
    RecordingSink sink;
    auto input = bound_udp();
    ASSERT_TRUE(input);
    ASSERT_TRUE(input->start(sink, 0));
    auto t0 = std::chrono::steady_clock::now();
    input->stop();
    input->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

}  // namespace
}  // namespace cyberalarm::collector
