// Internal: what the network inputs share — the I/O thread, address conversion, the TLS
// server context, and an acceptor that enforces the per-input connection cap.
//
// Every network input runs its sockets on one boost::asio::io_context driven by one thread
// of its own (IoThread), so a sink that blocks under backpressure stalls only that input's
// reading, which is what pushes back on its senders. All connection state is touched only
// from that thread.
#pragma once

#include <sys/socket.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "collector/inputs.h"
#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::collector::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

core::IpAddress to_ip(const asio::ip::address& address);
// From a sockaddr filled in by the kernel (recvmsg); unset for families other than IP.
core::IpAddress to_ip(const sockaddr_storage& address);
core::Result<asio::ip::address> listen_address(const InputConfig& config);
// "message" of an error code, for last_error.
std::string describe(const boost::system::error_code& ec);
// Counts a connection's deadline passing: a TLS handshake that timed out, or an idle
// connection.
void count_deadline(InputStats& stats, bool handshaking, const core::IpAddress& peer);
// Counts and describes a TLS handshake that failed.
void count_handshake_failure(InputStats& stats, const core::IpAddress& peer,
                             const boost::system::error_code& ec);

// One io_context run by one thread. A handler that throws (a sink's exception) is counted
// as an error and the loop carries on; the connection whose handler threw is dropped.
class IoThread {
public:
    explicit IoThread(InputStats& stats) : stats_(stats) {}
    ~IoThread() { stop(); }
    IoThread(const IoThread&) = delete;
    IoThread& operator=(const IoThread&) = delete;

    asio::io_context& context() { return io_; }
    void start();
    // Lets outstanding handlers finish (the caller must have closed every socket and timer
    // first, usually by posting that work), then joins. Idempotent.
    // REQUIRES: not called from the I/O thread.
    void stop();

private:
    void run();

    asio::io_context io_{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::thread thread_;
    InputStats& stats_;
};

// The TLS server context of a tls (or relp-over-TLS) input: TLS 1.2 or later, the
// configured certificate and key, and client verification against tls_ca.
core::Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const InputConfig& config);

// One accepted connection of a stream input. Lives in shared_ptrs held by its own pending
// handlers (the usual asio pattern: it ends when its last operation completes).
class Connection {
public:
    virtual ~Connection() = default;
    virtual void start() = 0;
    // Closes the sockets and cancels the timers; pending handlers then complete.
    // I/O thread only.
    virtual void close() = 0;
    // Ends the connection because the input stops: at once unless the connection has
    // something to finish first (a relay letting librelp close its side). I/O thread only.
    virtual void shutdown() { close(); }
};

// True for the ways a sender ends a stream normally (FIN; TLS without close_notify).
bool is_clean_close(const boost::system::error_code& ec);

// The idle (or handshake) deadline of a connection. Activity only moves the deadline; the
// one pending wait re-arms itself until the deadline really passes, then calls on_expiry
// once. cancel() (when the connection closes) ends the watch for good.
class Deadline {
public:
    explicit Deadline(const asio::any_io_executor& executor) : timer_(executor) {}

    void extend(Clock::duration from_now) { deadline_ = Clock::now() + from_now; }
    // `keep_alive` (the owning connection) is held by the pending wait.
    template <class OnExpiry>
    void watch(std::shared_ptr<void> keep_alive, OnExpiry on_expiry) {
        timer_.expires_at(deadline_);
        timer_.async_wait([this, keep = std::move(keep_alive), on_expiry = std::move(on_expiry)](
                              const boost::system::error_code& ec) mutable {
            // A wait that completed just before cancel() still runs: check the flag too.
            if (ec || cancelled_) {
                return;
            }
            if (Clock::now() < deadline_) {
                watch(std::move(keep), std::move(on_expiry));
                return;
            }
            on_expiry();
        });
    }
    void cancel() {
        cancelled_ = true;
        timer_.cancel();
    }

private:
    asio::steady_timer timer_;
    Clock::time_point deadline_{};
    bool cancelled_ = false;
};

class StreamAcceptor;

// A connection's place under the cap; frees it when the connection is destroyed.
class ConnectionSlot {
public:
    ConnectionSlot(StreamAcceptor* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    ~ConnectionSlot();
    ConnectionSlot(ConnectionSlot&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)), id_(other.id_) {}
    ConnectionSlot& operator=(ConnectionSlot&&) = delete;
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

private:
    StreamAcceptor* owner_;
    std::uint64_t id_;
};

// Listens on the configured address and port, accepts connections up to max_connections
// (one more is accepted and closed at once, and counted) and hands each to the factory.
class StreamAcceptor {
public:
    using Factory = std::function<std::shared_ptr<Connection>(
        tcp::socket socket, const core::IpAddress& peer, ConnectionSlot slot)>;

    StreamAcceptor(asio::io_context& io, const InputConfig& config, InputStats& stats)
        : acceptor_(io), backoff_(io), config_(config), stats_(stats) {}

    [[nodiscard]] core::Result<void> bind();
    [[nodiscard]] std::uint16_t port() const { return port_; }
    // Starts accepting (posted to the I/O thread).
    void start(Factory factory);
    // Stops accepting and shuts every connection down. I/O thread only.
    void close_all();

private:
    friend class ConnectionSlot;
    void accept();
    void on_accepted(tcp::socket socket);
    void release(std::uint64_t id);

    tcp::acceptor acceptor_;
    asio::steady_timer backoff_;  // after an accept error (out of file descriptors)
    const InputConfig& config_;
    InputStats& stats_;
    Factory factory_;
    std::uint16_t port_ = 0;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::weak_ptr<Connection>> live_;
};

}  // namespace cyberalarm::collector::detail
