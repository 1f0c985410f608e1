// Sockets with deadlines for the scanner: an owning fd, TCP connect with a timeout, and
// send/receive that never block past their deadline. Plain POSIX calls (poll), because each
// probe is one short conversation and the discovery engine has its own epoll loop.
//
// Thread safety: Fd is a move-only owner; the functions are safe to call from many threads
// on different sockets.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ip.h"
#include "core/result.h"
#include "core/unique_fd.h"

namespace cyberalarm::scan::internal {

using Fd = core::UniqueFd;

using Millis = std::chrono::milliseconds;

// sockaddr for an address and port; returns the length used.
socklen_t to_sockaddr(const core::IpAddress& ip, std::uint16_t port, sockaddr_storage& out);
// "127.0.0.1:22", "[::1]:22"
std::string endpoint_text(const core::IpAddress& ip, std::uint16_t port);

// A non-blocking TCP socket connected within `timeout`, after waiting for this thread's
// pacer (pacer.h) if it has one. kUnavailable naming the endpoint and
// the reason ("connection refused", "timed out after 1000 ms").
[[nodiscard]] core::Result<Fd> connect_tcp(const core::IpAddress& ip, std::uint16_t port,
                                           Millis timeout);

// Whether a connected socket is connected to itself (same local and peer address and
// port): a TCP self-connect, which happens when a connect() to a free port in the
// ephemeral range gets that same port as its source. It is not a listening service.
[[nodiscard]] bool is_self_connect(int fd);

// Writes all of `data` within `timeout`.
[[nodiscard]] core::Status send_all(int fd, std::string_view data, Millis timeout);

// Reads what arrives within `timeout`, up to `max` bytes, stopping early when the peer
// closes or `done(received)` is true. Returns what was read (possibly nothing): a silent
// peer is not an error; a reset is.
template <typename Done>
core::Result<std::string> receive(int fd, std::size_t max, Millis timeout, Done done);
[[nodiscard]] core::Result<std::string> receive_some(int fd, std::size_t max, Millis timeout);

// One received chunk: >0 bytes, 0 on orderly close, -1 timeout; error on a reset.
[[nodiscard]] core::Result<long> receive_chunk(int fd, char* buf, std::size_t len,
                                               Millis timeout);

template <typename Done>
core::Result<std::string> receive(int fd, std::size_t max, Millis timeout, Done done) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    while (out.size() < max) {
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        auto n = receive_chunk(fd, buf, std::min(sizeof buf, max - out.size()), left);
        if (!n) {
            if (!out.empty()) {
                break;  // keep what arrived before the reset
            }
            return tl::unexpected(n.error());
        }
        if (*n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(*n));
        if (done(out)) {
            break;
        }
    }
    return out;
}

}  // namespace cyberalarm::scan::internal
