// RELP through librelp on loopback, with librelp's own client as the sender, and (where it
// is installed) rsyslog's omrelp.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
#include <librelp.h>
}

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "collector/inputs.h"
#include "collector/inputs_test_support.h"
#include "support/test_support.h"

extern char** environ;

// LeakSanitizer's switch for the current thread, present only in sanitizer builds.
extern "C" {
__attribute__((weak)) void __lsan_disable();
__attribute__((weak)) void __lsan_enable();
}

namespace cyberalarm::collector {
namespace {

using test::RecordingSink;
using namespace std::chrono_literals;

// A librelp client session to 127.0.0.1:port.
class RelpClient {
public:
    // librelp ignores windows below 2. With `tls`, the session is RELP over TLS (librelp's
    // OpenSSL driver), checking the server against tls->ca and presenting tls->client.
    struct Tls {
        std::filesystem::path ca;
        const test::TestCertFiles* client = nullptr;
    };
    explicit RelpClient(std::uint16_t port, int window = 128, const Tls* tls = nullptr)
        : quiet_leaks_(tls != nullptr && __lsan_disable != nullptr) {
        // librelp's OpenSSL client keeps certificates and a context it never frees. Only
        // this (test) thread's allocations are exempt: the input's threads are still checked.
        if (quiet_leaks_) {
            __lsan_disable();
        }
        relpEngineConstruct(&engine_);
        relpEngineSetDbgprint(engine_, nullptr);
        std::string syslog = "syslog";
        relpEngineSetEnableCmd(engine_, text(syslog), eRelpCmdState_Required);
        if (tls != nullptr) {
            relpEngineSetTLSLibByName(engine_, "openssl");
        }
        relpEngineCltConstruct(engine_, &client_);
        relpCltSetTimeout(client_, 30);
        relpCltSetWindowSize(client_, window);
        if (tls != nullptr) {
            std::string ca = tls->ca.string();
            std::string mode = "certvalid";
            relpCltEnableTLS(client_);
            relpCltSetAuthMode(client_, mode.data());
            relpCltSetCACert(client_, ca.data());
            if (tls->client != nullptr) {
                std::string cert = tls->client->cert.string();
                std::string key = tls->client->key.string();
                relpCltSetOwnCert(client_, cert.data());
                relpCltSetPrivKey(client_, key.data());
            }
        }
        std::string port_text = std::to_string(port);
        std::string host = "127.0.0.1";
        connected_ = relpCltConnect(client_, AF_INET, text(port_text), text(host)) == RELP_RET_OK;
    }
    ~RelpClient() {
        if (client_ != nullptr) {
            relpEngineCltDestruct(engine_, &client_);
        }
        relpEngineDestruct(&engine_);
        if (quiet_leaks_) {
            __lsan_enable();
        }
    }
    RelpClient(const RelpClient&) = delete;
    RelpClient& operator=(const RelpClient&) = delete;

    [[nodiscard]] bool connected() const { return connected_; }
    // Returns once the message is sent and the window has room again: a send that needs
    // the window waits for the server's ack of an earlier message.
    bool send(std::string message) {
        return relpCltSendSyslog(client_, text(message), message.size()) == RELP_RET_OK;
    }

private:
    static unsigned char* text(std::string& s) {
        return reinterpret_cast<unsigned char*>(s.data());
    }

    bool quiet_leaks_;
    relpEngine_t* engine_ = nullptr;
    relpClt_t* client_ = nullptr;
    bool connected_ = false;
};

std::unique_ptr<Input> start_relp(LineSink& sink, InputConfig c = {}) {
    c.name = "relp";
    c.kind = InputKind::kRelp;
    auto input = make_input(c);
    EXPECT_TRUE(input) << input.error().to_string();
    if (!input) {
        return nullptr;
    }
    auto bound = (*input)->bind();
    EXPECT_TRUE(bound) << bound.error().to_string();
    if (!bound || !(*input)->start(sink, 2)) {
        return nullptr;
    }
    return std::move(*input);
}

// 10,000 messages, each delivered exactly once. With a window of W, sending message k needs
// the ack of message k - W, so once W more messages have been sent after the 10,000, all of
// those were acknowledged.
TEST(RelpInputTest, TenThousandMessagesAckedAndDeliveredExactlyOnce) {
    constexpr int kMessages = 10'000;
    constexpr int kWindow = 128;
    RecordingSink sink;
    auto input = start_relp(sink);
    ASSERT_TRUE(input);
    {
        RelpClient client(input->bound_port(), kWindow);
        ASSERT_TRUE(client.connected());
        for (int i = 0; i < kMessages + kWindow; ++i) {
            ASSERT_TRUE(client.send("<13>Jan  1 00:00:00 fw app: seq=" + std::to_string(i)))
                << "message " << i;
        }
    }
    ASSERT_TRUE(sink.wait_for(kMessages + kWindow, 30s));
    input->stop();
    std::map<std::string, int> seen;
    for (const auto& line : sink.lines()) {
        ++seen[line];
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages + kWindow));
    for (int i = 0; i < kMessages; ++i) {
        EXPECT_EQ(seen["<13>Jan  1 00:00:00 fw app: seq=" + std::to_string(i)], 1) << i;
    }
    // The sender's own address, not the loopback relay's.
    EXPECT_EQ(sink.peers().front().to_string(), "127.0.0.1");
    EXPECT_EQ(sink.indexes().front(), 2u);
    auto stats = input->stats();
    EXPECT_EQ(stats.frames, static_cast<std::uint64_t>(kMessages + kWindow));
    EXPECT_EQ(stats.connections, 1u);
    EXPECT_EQ(stats.errors, 0u) << stats.last_error;
}

// librelp acks a message only after the sink took it: while the sink holds message 1, a
// client with a window of two cannot get message 3 out.
TEST(RelpInputTest, ASlowSinkDelaysTheAck) {
    RecordingSink sink;
    test::Gate gate;
    std::atomic<bool> first{true};
    sink.before_accept = [&](std::string_view) {
        if (first.exchange(false)) {
            gate.wait();
        }
    };
    auto input = start_relp(sink);
    ASSERT_TRUE(input);
    RelpClient client(input->bound_port(), 2);
    ASSERT_TRUE(client.connected());
    std::atomic<int> sent{0};
    std::jthread sender([&] {
        for (int i = 0; i < 4; ++i) {
            if (!client.send("<13>held " + std::to_string(i))) {
                return;
            }
            sent.fetch_add(1);
        }
    });
    test::GateOpener opener(gate);  // destroyed first: lets the sender finish on failure
    ASSERT_TRUE(gate.wait_for_waiter());
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(sent.load(), 2) << "message 3 went out before message 1 was acked";
    EXPECT_EQ(sink.count(), 0u);
    gate.open();
    sender.join();
    EXPECT_EQ(sent.load(), 4);
    ASSERT_TRUE(sink.wait_for(4));
    EXPECT_EQ(sink.lines(),
              (std::vector<std::string>{"<13>held 0", "<13>held 1", "<13>held 2", "<13>held 3"}));
}

// The same with a sink that accepts in batches: the ack waits for flush().
TEST(RelpInputTest, TheAckWaitsForTheFlush) {
    RecordingSink sink;
    test::Gate gate;
    std::atomic<bool> first{true};
    sink.before_flush = [&] {
        if (first.exchange(false)) {
            gate.wait();
        }
    };
    auto input = start_relp(sink);
    ASSERT_TRUE(input);
    RelpClient client(input->bound_port(), 2);
    ASSERT_TRUE(client.connected());
    std::atomic<int> sent{0};
    std::jthread sender([&] {
        for (int i = 0; i < 4; ++i) {
            if (!client.send("<13>batched " + std::to_string(i))) {
                return;
            }
            sent.fetch_add(1);
        }
    });
    test::GateOpener opener(gate);
    ASSERT_TRUE(gate.wait_for_waiter());
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(sent.load(), 2) << "message 3 went out before message 1 was flushed";
    EXPECT_EQ(sink.count(), 1u);
    gate.open();
    sender.join();
    ASSERT_TRUE(sink.wait_for(4));
    EXPECT_TRUE(test::eventually([&] { return sink.unflushed() == 0; }));
}

TEST(RelpInputTest, SessionsOverTheCapAreRefused) {
    RecordingSink sink;
    InputConfig c;
    c.max_connections = 1;
    auto input = start_relp(sink, c);
    ASSERT_TRUE(input);
    RelpClient first(input->bound_port());
    ASSERT_TRUE(first.connected());
    ASSERT_TRUE(first.send("<13>first"));
    {
        RelpClient second(input->bound_port());
        EXPECT_FALSE(second.connected() && second.send("<13>second"));
    }
    EXPECT_EQ(input->stats().rejected_connections, 1u);
    ASSERT_TRUE(first.send("<13>first again"));
    ASSERT_TRUE(sink.wait_for(2));
    EXPECT_EQ(sink.lines(), (std::vector<std::string>{"<13>first", "<13>first again"}));
}

TEST(RelpInputTest, OversizeMessagesAreCutAndCounted) {
    RecordingSink sink;
    InputConfig c;
    c.max_frame = 256;
    auto input = start_relp(sink, c);
    ASSERT_TRUE(input);
    RelpClient client(input->bound_port(), 1);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send("<13>" + std::string(1000, 'x')));
    ASSERT_TRUE(client.send("<13>" + std::string(252, 'y')));  // exactly max_frame: whole
    ASSERT_TRUE(client.send("<13>after"));
    ASSERT_TRUE(sink.wait_for(3));
    auto lines = sink.lines();
    EXPECT_EQ(lines[1], "<13>" + std::string(252, 'y'));
    EXPECT_EQ(lines.back(), "<13>after");
    EXPECT_EQ(lines[0], "<13>" + std::string(252, 'x'));
    EXPECT_EQ(input->stats().oversize, 1u);
}

TEST(RelpInputTest, IdleSessionsAreClosed) {
    RecordingSink sink;
    InputConfig c;
    c.idle_timeout = 200ms;
    auto input = start_relp(sink, c);
    ASSERT_TRUE(input);
    RelpClient client(input->bound_port(), 1);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send("<13>before"));
    ASSERT_TRUE(test::eventually([&] { return input->stats().idle_timeouts == 1; }));
    EXPECT_TRUE(test::eventually([&] { return input->stats().active_connections == 0; }));
    ASSERT_TRUE(sink.wait_for(1));
    RelpClient again(input->bound_port(), 2);  // a sender can always come back
    ASSERT_TRUE(again.connected());
    ASSERT_TRUE(again.send("<13>after"));
    ASSERT_TRUE(sink.wait_for(2));
}

TEST(RelpInputTest, StopIsPrompt) {
    RecordingSink sink;
    auto input = start_relp(sink);
    ASSERT_TRUE(input);
    RelpClient client(input->bound_port());
    ASSERT_TRUE(client.connected());
    auto t0 = std::chrono::steady_clock::now();
    input->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

// RELP over TLS (omrelp tls="on"): TLS is terminated in front of librelp, with the same
// client-certificate rules as the TLS input.
TEST(RelpInputTest, RelpOverTlsWithClientCertificates) {
    test::TempDir dir;
    test::TestPki pki(dir.path());
    RecordingSink sink;
    InputConfig c;
    c.tls_cert = pki.server().cert;
    c.tls_key = pki.server().key;
    c.tls_ca = pki.ca();
    c.tls_require_client_cert = true;
    c.handshake_timeout = 2s;
    auto input = start_relp(sink, c);
    ASSERT_TRUE(input);
    {
        RelpClient::Tls tls{pki.ca(), &pki.client()};
        RelpClient client(input->bound_port(), 2, &tls);
        ASSERT_TRUE(client.connected());
        for (int i = 0; i < 100; ++i) {
            ASSERT_TRUE(client.send("<13>over tls " + std::to_string(i)));
        }
    }
    ASSERT_TRUE(sink.wait_for(100));
    {
        RelpClient::Tls tls{pki.ca(), &pki.other_client()};
        RelpClient stranger(input->bound_port(), 2, &tls);
        EXPECT_FALSE(stranger.connected() && stranger.send("<13>stranger"));
    }
    {
        RelpClient plain(input->bound_port(), 2);
        EXPECT_FALSE(plain.connected() && plain.send("<13>plain"));
    }
    ASSERT_TRUE(test::eventually([&] { return input->stats().tls_failures == 2; }));
    input->stop();
    EXPECT_EQ(sink.count(), 100u);
    EXPECT_EQ(sink.peers().front().to_string(), "127.0.0.1");
}

// rsyslog reading a file and forwarding it with omrelp, as a member's gateway would.
TEST(RelpInputTest, FromRsyslogOmrelp) {
    const std::filesystem::path rsyslogd = "/usr/sbin/rsyslogd";
    const std::filesystem::path omrelp = "/usr/lib/x86_64-linux-gnu/rsyslog/omrelp.so";
    if (!std::filesystem::exists(rsyslogd) || !std::filesystem::exists(omrelp)) {
        GTEST_SKIP() << "rsyslog with omrelp is not installed (apt install rsyslog-relp)";
    }
    constexpr int kLines = 500;
    RecordingSink sink;
    auto input = start_relp(sink);
    ASSERT_TRUE(input);
    test::TempDir dir;
    {
        std::ofstream log(dir.path() / "in.log");
        for (int i = 0; i < kLines; ++i) {
            log << "line " << i << "\n";
        }
    }
    auto conf = dir.path() / "rsyslog.conf";
    std::ofstream(conf) << "global(workDirectory=\"" << dir.path().string() << "\")\n"
                        << "module(load=\"imfile\" mode=\"polling\" PollingInterval=\"1\")\n"
                        << "module(load=\"omrelp\")\n"
                        << "input(type=\"imfile\" File=\"" << (dir.path() / "in.log").string()
                        << "\" Tag=\"gw:\")\n"
                        << "action(type=\"omrelp\" target=\"127.0.0.1\" port=\""
                        << input->bound_port() << "\")\n";
    std::string pidfile = (dir.path() / "rsyslogd.pid").string();
    std::vector<std::string> args = {rsyslogd.string(), "-n", "-f", conf.string(), "-i", pidfile};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    bool all = sink.wait_for(kLines, 30s);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(all) << "got " << sink.count() << " of " << kLines << " lines from rsyslog";
    input->stop();
    std::map<std::string, int> seen;
    for (const auto& line : sink.lines()) {
        auto at = line.find("line ");
        ASSERT_NE(at, std::string::npos) << line;
        ++seen[line.substr(at)];
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kLines));
    for (const auto& [text, n] : seen) {
        EXPECT_EQ(n, 1) << text;
    }
}

}  // namespace
}  // namespace cyberalarm::collector
