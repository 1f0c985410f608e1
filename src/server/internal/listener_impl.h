// Private to listener.cpp and listener_session.cpp: the listener's state and one
// connection's state machine.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/listener.h"

namespace cyberalarm::server::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

class Session;

struct ListenerCounters {
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> connections_refused{0};
    std::atomic<std::uint64_t> handshake_failures{0};
    std::atomic<std::uint64_t> timeouts{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> too_large{0};
    std::atomic<std::uint64_t> active{0};
};

// What a session needs from its listener.
// Declaration order matters: the io_context is destroyed first (its pending handlers own
// the last sessions, whose destructors use the members above it).
struct ListenerCore {
    ListenerOptions options;
    HttpHandler handler;
    HeadCheck head_check;
    ssl::context tls{ssl::context::tls_server};
    ListenerCounters counters;
    std::atomic<bool> stopping{false};

    std::mutex sessions_mu;
    std::condition_variable sessions_cv;  // signalled when a session ends
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

    std::optional<asio::thread_pool> pool;  // services run here
    asio::io_context ioc;

    // Runs the service, turning an escaped exception into a 500 (caught once, here).
    HttpResponse call(const HttpRequest& request);
    void add(const std::shared_ptr<Session>& session);
    void remove(Session* session);
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, ListenerCore& core);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void run();
    // The listener is stopping: close on the session's strand if no request is under way.
    void request_stop();

private:
    void stop();
    enum class Phase { kHandshake, kIdle, kHeader, kBody, kHandling, kWriting, kClosing };

    void on_handshake(beast::error_code ec);
    void wait_request();
    void read_header();
    void on_header(beast::error_code ec);
    void on_body(beast::error_code ec);
    void dispatch();
    // Answers and closes (keep_alive false) or waits for the next request.
    void respond(HttpResponse response, bool keep_alive, bool body_unread = false);
    void on_written(beast::error_code ec);
    void refuse(int status, std::string_view reason, bool body_unread);
    void close(bool linger);
    void drain();
    void count_failure(beast::error_code ec);
    HttpRequest head_request() const;

    beast::ssl_stream<beast::tcp_stream> stream_;
    ListenerCore& core_;
    Phase phase_ = Phase::kHandshake;
    std::string peer_;
    std::optional<ClientCertificate> cert_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
    bool close_after_write_ = false;
    bool linger_after_write_ = false;
    std::array<char, 4096> drain_buf_{};
};

}  // namespace cyberalarm::server::internal
