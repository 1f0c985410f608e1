// Helpers for the input tests: a sink that records what it is given, loopback clients, and
// certificates made at run time with OpenSSL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "collector/inputs.h"

namespace cyberalarm::test {

using namespace std::chrono_literals;

// Records every line; can be made to block or slow down (backpressure tests), in on_line()
// or in flush() (a sink that accepts lines in batches).
class RecordingSink : public collector::LineSink {
public:
    void on_line(std::size_t input_index, std::string_view line,
                 const core::IpAddress& peer) override;
    void flush(std::size_t input_index) override;

    // Waits until at least n lines arrived; false on timeout.
    bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 10s);
    [[nodiscard]] std::vector<std::string> lines() const;
    [[nodiscard]] std::vector<core::IpAddress> peers() const;
    [[nodiscard]] std::size_t count() const;
    [[nodiscard]] std::vector<std::size_t> indexes() const;
    // Lines given to on_line() since the last flush(): an input must not leave lines waiting
    // for more input.
    [[nodiscard]] std::size_t unflushed() const;

    // Runs inside on_line() before the line is recorded (set before the input starts).
    std::function<void(std::string_view)> before_accept;
    // Runs inside flush() before it counts (set before the input starts).
    std::function<void()> before_flush;

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::string> lines_;
    std::vector<core::IpAddress> peers_;
    std::vector<std::size_t> indexes_;
    std::size_t unflushed_ = 0;
};

// A gate a sink can wait on until the test opens it.
class Gate {
public:
    void wait();
    void open();
    // True once some thread is waiting at the gate.
    bool wait_for_waiter(std::chrono::milliseconds timeout = 10s);

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = false;
    bool waiting_ = false;
};

// Opens the gate when it goes out of scope: declared after the input, it lets a failing
// test's input stop instead of waiting forever on a sink held at the gate.
class GateOpener {
public:
    explicit GateOpener(Gate& gate) : gate_(gate) {}
    ~GateOpener() { gate_.open(); }
    GateOpener(const GateOpener&) = delete;
    GateOpener& operator=(const GateOpener&) = delete;

private:
    Gate& gate_;
};

// Polls pred until it holds or the timeout passes.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s);

// A blocking TCP client on 127.0.0.1 (receive timeout 5 s, so a test never hangs).
class TcpClient {
public:
    explicit TcpClient(std::uint16_t port);
    ~TcpClient();
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    [[nodiscard]] bool connected() const { return fd_ >= 0; }
    bool send(std::string_view bytes);
    // True when the server closed the connection (read returned 0 or an error) within the
    // receive timeout.
    bool closed_by_peer();
    void close();
    [[nodiscard]] int fd() const { return fd_; }

private:
    int fd_ = -1;
};

void send_udp(std::uint16_t port, std::string_view datagram, bool ipv6 = false);

// Certificates for TLS tests, written as PEM files into dir.
struct TestCertFiles {
    std::filesystem::path cert;
    std::filesystem::path key;
};

class TestPki {
public:
    explicit TestPki(const std::filesystem::path& dir);

    // CA "ca" with a server certificate (localhost, 127.0.0.1) and a client certificate,
    // and an unrelated CA "other" with a client certificate of its own.
    [[nodiscard]] const std::filesystem::path& ca() const { return ca_; }
    [[nodiscard]] const TestCertFiles& server() const { return server_; }
    [[nodiscard]] const TestCertFiles& client() const { return client_; }
    [[nodiscard]] const TestCertFiles& other_client() const { return other_client_; }

private:
    std::filesystem::path ca_;
    TestCertFiles server_;
    TestCertFiles client_;
    TestCertFiles other_client_;
};

// Connects over TLS to 127.0.0.1:port, trusting ca, presenting `client` if given, sends
// `bytes`, then waits until the server closes or 2 s pass. Returns false if the handshake or
// the write failed; *server_refused says whether the server ended the session with an error
// (for TLS 1.3 a refused client certificate is only seen after the handshake).
struct TlsResult {
    bool handshake_ok = false;
    bool write_ok = false;
    bool refused = false;  // the server aborted (alert) after the handshake
};
TlsResult send_tls(std::uint16_t port, const std::filesystem::path& ca, const TestCertFiles* client,
                   std::string_view bytes);

}  // namespace cyberalarm::test
