// Tiny receivers on 127.0.0.1 for notification tests: an SMTP server that accepts every
// message (no TLS offered; the notifier allows that on loopback only) and an HTTP server that
// records each request and answers with a status the test chooses.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cyberalarm::test {

struct MailMessage {
    std::string from;
    std::vector<std::string> to;
    std::string data;  // headers and body, CRLF line ends, without the final "."
};

struct HttpMessage {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
};

// Accepts connections one at a time on a thread of its own.
class LoopbackServer {
public:
    LoopbackServer();
    virtual ~LoopbackServer();
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;
    [[nodiscard]] std::uint16_t port() const { return port_; }

protected:
    void start();
    void stop();
    // Serves one connection (blocking I/O on `fd`, closed by the caller afterwards).
    virtual void serve(int fd) = 0;
    // Reads a line ending in CRLF (without it); false at EOF.
    static bool read_line(int fd, std::string& buffer, std::string& line);
    static void write_all(int fd, std::string_view data);

    std::mutex mu_;
    std::condition_variable cv_;

private:
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

class SmtpReceiver : public LoopbackServer {
public:
    SmtpReceiver() { start(); }
    ~SmtpReceiver() override { stop(); }
    [[nodiscard]] bool wait_for(std::size_t n, std::chrono::milliseconds timeout);
    [[nodiscard]] std::vector<MailMessage> messages();

private:
    void serve(int fd) override;
    std::vector<MailMessage> messages_;
};

class HttpReceiver : public LoopbackServer {
public:
    HttpReceiver() { start(); }
    ~HttpReceiver() override { stop(); }
    // Statuses for the next requests, in order; afterwards 200.
    void answer_next(std::vector<int> statuses);
    [[nodiscard]] bool wait_for(std::size_t n, std::chrono::milliseconds timeout);
    [[nodiscard]] std::vector<HttpMessage> requests();

private:
    void serve(int fd) override;
    std::vector<HttpMessage> requests_;
    std::deque<int> statuses_;
};

}  // namespace cyberalarm::test
