// Runs the real cyberalarm-collector binary as a child process for end-to-end tests, and
// the small senders those tests need (TCP syslog, RELP through librelp's client).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cyberalarm::test {

// The collector binary under test (set by CMake).
std::filesystem::path collector_binary();

class CollectorProcess {
public:
    // `prefix` is prepended to the command line (e.g. {"unshare", "--mount", ...}); empty
    // for a plain start.
    CollectorProcess(std::filesystem::path config, std::filesystem::path status_socket,
                     std::vector<std::string> prefix = {});
    ~CollectorProcess();
    CollectorProcess(const CollectorProcess&) = delete;
    CollectorProcess& operator=(const CollectorProcess&) = delete;

    void start();
    // Waits until the status socket answers (the collector is bound and running).
    [[nodiscard]] bool wait_ready(std::chrono::milliseconds timeout);
    // SIGTERM and wait: the clean way. Returns the exit status (or -1).
    int stop();
    // SIGKILL and wait: the crash.
    void kill9();
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool running() const { return pid_ > 0; }

    // The status document, or nullopt if the socket does not answer.
    [[nodiscard]] std::optional<nlohmann::json> status() const;
    // The bound port of input `index` (from status "listen"), or 0.
    [[nodiscard]] std::uint16_t input_port(std::size_t index) const;
    // Waits until pred(status) holds.
    bool wait_status(const std::function<bool(const nlohmann::json&)>& pred,
                     std::chrono::milliseconds timeout) const;
    // What the collector wrote on stderr so far.
    [[nodiscard]] std::string stderr_text() const;

private:
    std::filesystem::path config_;
    std::filesystem::path socket_;
    std::vector<std::string> prefix_;
    std::filesystem::path stderr_file_;
    pid_t pid_ = -1;
};

// A plain TCP connection to 127.0.0.1:port that writes bytes (blocking). Throws on connect
// failure; send() returns false once the peer has gone.
class TcpSender {
public:
    explicit TcpSender(std::uint16_t port);
    ~TcpSender();
    TcpSender(const TcpSender&) = delete;
    TcpSender& operator=(const TcpSender&) = delete;
    bool send(std::string_view bytes);
    // Reads until the peer closes (at most 1 MiB, 5 s).
    std::string receive_all();
    void close();

private:
    int fd_ = -1;
};

// A RELP session (librelp's own client) to 127.0.0.1:port. send() returns once the message
// is written and the window has room, i.e. once earlier messages were acknowledged.
class RelpSender {
public:
    explicit RelpSender(std::uint16_t port);
    ~RelpSender();
    RelpSender(const RelpSender&) = delete;
    RelpSender& operator=(const RelpSender&) = delete;
    [[nodiscard]] bool connected() const { return connected_; }
    bool send(std::string message);

private:
    void* engine_ = nullptr;
    void* client_ = nullptr;
    bool connected_ = false;
};

// An iptables kernel-log line whose source address encodes `seq` (198.18.0.0 + seq, an
// external benchmark address) towards an internal host, so a test can tell every event apart.
std::string numbered_iptables_line(std::uint32_t seq);
// The seq back from an event's source address (198.18.0.0/15), or nullopt.
std::optional<std::uint32_t> seq_of(const std::string& source_ip);

}  // namespace cyberalarm::test
