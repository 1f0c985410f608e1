// A tiny TCP server on 127.0.0.1 (port 0) for scanner tests: each accepted connection is
// handed to `handler` on the server thread, one at a time. Stops and joins on destruction.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace cyberalarm::scan::loopback {

// Ports near `port` (±n, within 1..65535), for "closed" expectations around a listener.
inline std::vector<std::uint16_t> around(std::uint16_t port, int n) {
    std::vector<std::uint16_t> out;
    for (int k = -n; k <= n; ++k) {
        int p = port + k;
        if (p > 0 && p < 65536) {
            out.push_back(static_cast<std::uint16_t>(p));
        }
    }
    return out;
}

// A TCP listener on [::1] on a free port (written to `port`); -1 when the machine has no ::1.
inline int listen_v6_loopback(std::uint16_t& port) {
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    socklen_t len = sizeof sa;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(fd, 8) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return -1;
    }
    port = ntohs(sa.sin6_port);
    return fd;
}

// A socket of `type` bound to 127.0.0.1 on a free port (written to `port`); -1 on failure.
inline int bind_loopback(int type, std::uint16_t& port) {
    int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return -1;
    }
    port = ntohs(sa.sin_port);
    return fd;
}

class LoopbackServer {
public:
    using Handler = std::function<void(int fd)>;

    explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
        fd_ = bind_loopback(SOCK_STREAM, port_);
        ::listen(fd_, 64);
        thread_ = std::thread([this] { loop(); });
    }
    ~LoopbackServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int accepted() const { return accepted_.load(); }

    // Helpers for handlers.
    static void send_text(int fd, const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            off += static_cast<std::size_t>(n);
        }
    }
    // Reads until `until` appears, the peer closes, or 2 s pass.
    static std::string read_until(int fd, const std::string& until) {
        std::string got;
        char buf[4096];
        for (int i = 0; i < 200 && got.find(until) == std::string::npos; ++i) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 10) <= 0) {
                continue;
            }
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            got.append(buf, static_cast<std::size_t>(n));
        }
        return got;
    }

private:
    void loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) {
                continue;
            }
            ++accepted_;
            handler_(c);
            ::close(c);
        }
    }

    Handler handler_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::thread thread_;
};

}  // namespace cyberalarm::scan::loopback
