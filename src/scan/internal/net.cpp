#include "scan/internal/net.h"

#include "scan/internal/pacer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cyberalarm::scan::internal {

using core::Error;
using core::ErrorCode;
using core::fail;

socklen_t to_sockaddr(const core::IpAddress& ip, std::uint16_t port, sockaddr_storage& out) {
    std::memset(&out, 0, sizeof out);
    if (ip.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(ip.v4_value());
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, ip.bytes().data(), 16);
    return sizeof(sockaddr_in6);
}

bool is_self_connect(int fd) {
    sockaddr_storage me{}, peer{};
    socklen_t mlen = sizeof me, plen = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&me), &mlen) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) != 0 || mlen != plen) {
        return false;
    }
    return std::memcmp(&me, &peer, mlen) == 0;
}

std::string endpoint_text(const core::IpAddress& ip, std::uint16_t port) {
    return ip.is_v6() ? "[" + ip.to_string() + "]:" + std::to_string(port)
                      : ip.to_string() + ":" + std::to_string(port);
}

namespace {

Error unavailable(const core::IpAddress& ip, std::uint16_t port, std::string why) {
    return Error(ErrorCode::kUnavailable, "connecting to " + endpoint_text(ip, port) + ": " + why);
}

int wait_for(int fd, short events, Millis timeout) {
    pollfd p{fd, events, 0};
    int rc;
    do {
        rc = ::poll(&p, 1, static_cast<int>(std::max<long>(0, timeout.count())));
    } while (rc < 0 && errno == EINTR);
    return rc;
}

}  // namespace

core::Result<Fd> connect_tcp(const core::IpAddress& ip, std::uint16_t port, Millis timeout) {
    if (Pacer* pacer = current_pacer()) {
        pacer->wait(ip);
    }
    sockaddr_storage sa;
    socklen_t len = to_sockaddr(ip, port, sa);
    Fd fd(::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return fail(unavailable(ip, port, std::string("socket: ") + std::strerror(errno)));
    }
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) == 0) {
        return fd;
    }
    if (errno != EINPROGRESS) {
        return fail(unavailable(ip, port, std::strerror(errno)));
    }
    int rc = wait_for(fd.get(), POLLOUT, timeout);
    if (rc == 0) {
        return fail(unavailable(ip, port, "timed out after " + std::to_string(timeout.count()) +
                                              " ms"));
    }
    int err = 0;
    socklen_t elen = sizeof err;
    if (rc < 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
        err = errno;
    }
    if (err != 0) {
        return fail(unavailable(ip, port, std::strerror(err)));
    }
    return fd;
}

core::Status send_all(int fd, std::string_view data, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return fail(Error(ErrorCode::kUnavailable, std::string("send: ") + std::strerror(errno)));
        }
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || wait_for(fd, POLLOUT, left) <= 0) {
            return fail(Error(ErrorCode::kUnavailable, "send: timed out"));
        }
    }
    return {};
}

core::Result<long> receive_chunk(int fd, char* buf, std::size_t len, Millis timeout) {
    for (;;) {
        ssize_t n = ::recv(fd, buf, len, 0);
        if (n >= 0) {
            return static_cast<long>(n);
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return fail(Error(ErrorCode::kUnavailable, std::string("recv: ") + std::strerror(errno)));
        }
        int rc = wait_for(fd, POLLIN, timeout);
        if (rc == 0) {
            return -1L;
        }
        if (rc < 0) {
            return fail(Error(ErrorCode::kUnavailable, std::string("poll: ") + std::strerror(errno)));
        }
        timeout = Millis(0);  // readable now: the next recv returns at once
    }
}

core::Result<std::string> receive_some(int fd, std::size_t max, Millis timeout) {
    return receive(fd, max, timeout, [](const std::string&) { return false; });
}

}  // namespace cyberalarm::scan::internal
