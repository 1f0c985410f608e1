// Syslog over TCP on loopback: both RFC 6587 framings, bad frames among good ones, the
// connection cap, the idle timeout and backpressure.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "collector/inputs.h"
#include "collector/inputs_test_support.h"

namespace cyberalarm::collector {
namespace {

using test::RecordingSink;
using test::TcpClient;
using namespace std::chrono_literals;

std::unique_ptr<Input> started_tcp(RecordingSink& sink, const InputConfig& config) {
    auto input = make_input(config);
    EXPECT_TRUE(input) << input.error().to_string();
    if (!input) {
        return nullptr;
    }
    auto bound = (*input)->bind();
    EXPECT_TRUE(bound) << bound.error().to_string();
    auto started = (*input)->start(sink, 0);
    EXPECT_TRUE(started);
    return std::move(*input);
}

InputConfig tcp_config() {
    InputConfig c;
    c.name = "tcp";
    c.kind = InputKind::kTcp;
    c.max_frame = 256;
    return c;
}

TEST(TcpInputTest, LfFraming) {
    RecordingSink sink;
    auto input = started_tcp(sink, tcp_config());
    ASSERT_TRUE(input);
    TcpClient client(input->bound_port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send("<13>one\n<13>two\r\n<14>three\n"));
    ASSERT_TRUE(sink.wait_for(3));
    EXPECT_EQ(sink.lines(), (std::vector<std::string>{"<13>one", "<13>two", "<14>three"}));
    EXPECT_EQ(sink.peers()[0].to_string(), "127.0.0.1");
    // The lines are flushed without waiting for more input.
    EXPECT_TRUE(test::eventually([&] { return sink.unflushed() == 0; }));
    EXPECT_EQ(input->stats().connections, 1u);
}

TEST(TcpInputTest, OctetCountingAcrossReads) {
    RecordingSink sink;
    auto input = started_tcp(sink, tcp_config());
    ASSERT_TRUE(input);
    TcpClient client(input->bound_port());
    std::string stream = "9 <13>first11 <13>second\n";  // a frame may hold an LF
    for (char c : stream) {
        ASSERT_TRUE(client.send(std::string_view(&c, 1)));
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_TRUE(sink.wait_for(2));
    EXPECT_EQ(sink.lines(), (std::vector<std::string>{"<13>first", "<13>second\n"}));
}

// Bad and over-long frames are cut or passed on as they are, and counted; the good
// frames around them all arrive and the connection stays open.
TEST(TcpInputTest, BadFramesAmongGoodOnesAreCountedAndSurvived) {
    RecordingSink sink;
    auto input = started_tcp(sink, tcp_config());
    ASSERT_TRUE(input);
    TcpClient client(input->bound_port());
    std::string stream;
    stream += "<13>lf one\n";
    stream += "13 <13>octet one";
    stream += "12x <13>not a count\n";           // digits without a space: an LF frame
    stream += std::string(1000, 'L') + "\n";     // over-long LF frame: cut
    stream += "1000 " + std::string(1000, 'O');  // over-long octet frame: cut, rest skipped
    stream += "13 <13>octet two";
    stream += "<13>lf two\n";
    ASSERT_TRUE(client.send(stream));
    ASSERT_TRUE(sink.wait_for(7));
    auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[0], "<13>lf one");
    EXPECT_EQ(lines[1], "<13>octet one");
    EXPECT_EQ(lines[2], "12x <13>not a count");
    EXPECT_EQ(lines[3], std::string(256, 'L'));
    EXPECT_EQ(lines[4], std::string(256, 'O'));
    EXPECT_EQ(lines[5], "<13>octet two");
    EXPECT_EQ(lines[6], "<13>lf two");
    EXPECT_EQ(input->stats().oversize, 2u);

    // Still the same connection, still working.
    ASSERT_TRUE(client.send("<13>after\n"));
    ASSERT_TRUE(sink.wait_for(8));
    EXPECT_EQ(input->stats().connections, 1u);
    EXPECT_EQ(input->stats().active_connections, 1u);

    // A stream that ends inside an octet-counted frame: counted, nothing half-delivered.
    // A final frame without LF is delivered at close.
    TcpClient second(input->bound_port());
    ASSERT_TRUE(second.send("<13>last words"));
    second.close();
    TcpClient third(input->bound_port());
    ASSERT_TRUE(third.send("50 <13>cut short"));
    third.close();
    ASSERT_TRUE(test::eventually([&] { return input->stats().malformed == 1; }));
    ASSERT_TRUE(sink.wait_for(9));
    input->stop();
    lines = sink.lines();
    EXPECT_EQ(lines.size(), 9u);
    EXPECT_EQ(lines[8], "<13>last words");
    EXPECT_EQ(input->stats().frames, 9u);
}

TEST(TcpInputTest, ConnectionsOverTheCapAreRefusedAndCounted) {
    RecordingSink sink;
    auto config = tcp_config();
    config.max_connections = 2;
    auto input = started_tcp(sink, config);
    ASSERT_TRUE(input);
    TcpClient a(input->bound_port());
    TcpClient b(input->bound_port());
    ASSERT_TRUE(a.send("<13>a\n"));
    ASSERT_TRUE(b.send("<13>b\n"));
    ASSERT_TRUE(sink.wait_for(2));
    ASSERT_TRUE(test::eventually([&] { return input->stats().active_connections == 2; }));

    TcpClient c(input->bound_port());
    ASSERT_TRUE(c.connected());  // the kernel completes the handshake; the input closes it
    EXPECT_TRUE(c.closed_by_peer());
    EXPECT_EQ(input->stats().rejected_connections, 1u);

    // The two inside still work; when one leaves, a newcomer gets its place.
    ASSERT_TRUE(a.send("<13>a2\n"));
    ASSERT_TRUE(sink.wait_for(3));
    b.close();
    ASSERT_TRUE(test::eventually([&] { return input->stats().active_connections == 1; }));
    TcpClient d(input->bound_port());
    ASSERT_TRUE(d.send("<13>d\n"));
    ASSERT_TRUE(sink.wait_for(4));
    EXPECT_EQ(input->stats().rejected_connections, 1u);
    EXPECT_EQ(input->stats().connections, 3u);
}

TEST(TcpInputTest, IdleConnectionsAreClosed) {
    RecordingSink sink;
    auto config = tcp_config();
    config.idle_timeout = 300ms;
    auto input = started_tcp(sink, config);
    ASSERT_TRUE(input);
    TcpClient busy(input->bound_port());
    TcpClient idle(input->bound_port());
    // `busy` keeps talking past the timeout and stays; `idle` says nothing and is closed.
    for (int i = 0; i < 8; ++i) {
        ASSERT_TRUE(busy.send("<13>still here\n"));
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(idle.closed_by_peer());
    EXPECT_EQ(input->stats().idle_timeouts, 1u);
    ASSERT_TRUE(busy.send("<13>still here\n"));
    ASSERT_TRUE(sink.wait_for(9));
    EXPECT_TRUE(test::eventually([&] { return input->stats().active_connections == 1; }));
}

// Counts lines (without keeping them) and holds the first one until the gate opens.
class HoldingSink : public LineSink {
public:
    void on_line(std::size_t, std::string_view, const core::IpAddress&) override {
        if (count_.fetch_add(1) == 0) {
            gate.wait();
        }
    }
    [[nodiscard]] std::size_t count() const { return count_.load(); }
    test::Gate gate;

private:
    std::atomic<std::size_t> count_{0};
};

// While the sink holds a line, the input reads no further: the socket buffers fill and
// the sender is held back by TCP flow control. Nothing is lost when the sink resumes.
TEST(TcpInputTest, ASlowSinkHoldsTheSenderBack) {
    HoldingSink sink;
    auto config = tcp_config();
    config.max_frame = 8192;
    auto made = make_input(config);
    ASSERT_TRUE(made);
    auto input = std::move(*made);
    ASSERT_TRUE(input->bind());
    ASSERT_TRUE(input->start(sink, 0));
    TcpClient client(input->bound_port());
    std::string line = "<13>" + std::string(4091, 'p') + "\n";
    constexpr int kLines = 16 * 1024;  // 64 MiB: more than loopback socket buffers hold
    std::atomic<int> sent{0};
    std::jthread sender([&] {
        for (int i = 0; i < kLines; ++i) {
            if (!client.send(line)) {
                return;
            }
            sent.fetch_add(1);
        }
    });
    test::GateOpener opener(sink.gate);
    ASSERT_TRUE(sink.gate.wait_for_waiter());
    // Wait until the sender stops making progress.
    int last = -1;
    for (int i = 0; i < 100 && sent.load() != last; ++i) {
        last = sent.load();
        std::this_thread::sleep_for(200ms);
    }
    EXPECT_LT(sent.load(), kLines) << "the sender was not held back";
    EXPECT_EQ(sink.count(), 1u);
    sink.gate.open();
    sender.join();
    EXPECT_EQ(sent.load(), kLines);
    ASSERT_TRUE(test::eventually([&] { return sink.count() == kLines; }, 60s));
}

// The sink must not throw; if it does, the connection concerned is dropped and counted,
// and the input goes on accepting.
TEST(TcpInputTest, AThrowingSinkCostsOnlyItsConnection) {
    RecordingSink sink;
    sink.before_accept = [](std::string_view line) {
        if (line == "boom") {
            throw std::runtime_error("sink failed");
        }
    };
    auto input = started_tcp(sink, tcp_config());
    ASSERT_TRUE(input);
    TcpClient bad(input->bound_port());
    ASSERT_TRUE(bad.send("boom\n"));
    EXPECT_TRUE(bad.closed_by_peer());
    EXPECT_EQ(input->stats().errors, 1u);
    TcpClient good(input->bound_port());
    ASSERT_TRUE(good.send("<13>fine\n"));
    ASSERT_TRUE(sink.wait_for(1));
    EXPECT_EQ(sink.lines(), (std::vector<std::string>{"<13>fine"}));
}

TEST(TcpInputTest, StopClosesOpenConnectionsPromptly) {
    RecordingSink sink;
    auto input = started_tcp(sink, tcp_config());
    ASSERT_TRUE(input);
    TcpClient a(input->bound_port());
    TcpClient b(input->bound_port());
    ASSERT_TRUE(a.send("<13>x\n"));
    ASSERT_TRUE(sink.wait_for(1));
    auto t0 = std::chrono::steady_clock::now();
    input->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    EXPECT_TRUE(a.closed_by_peer());
    EXPECT_TRUE(b.closed_by_peer());
    EXPECT_EQ(input->stats().active_connections, 0u);
}

}  // namespace
}  // namespace cyberalarm::collector
