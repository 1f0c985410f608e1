#include "server/receivers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace cyberalarm::test {

LoopbackServer::LoopbackServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw std::runtime_error("receiver: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
}

LoopbackServer::~LoopbackServer() {
    if (listen_fd_ >= 0) {
        ::close(listen_fd_);
    }
}

void LoopbackServer::start() {
    thread_ = std::thread([this] {
        for (;;) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                return;  // shut down by stop()
            }
            timeval tv{10, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            serve(fd);
            ::close(fd);
        }
    });
}

void LoopbackServer::stop() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool LoopbackServer::read_line(int fd, std::string& buffer, std::string& line) {
    for (;;) {
        if (auto pos = buffer.find("\r\n"); pos != std::string::npos) {
            line = buffer.substr(0, pos);
            buffer.erase(0, pos + 2);
            return true;
        }
        char chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return false;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

void LoopbackServer::write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            return;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

namespace {

std::string upper(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
}

std::string lower(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

// The address inside "MAIL FROM:<a@b>" / "RCPT TO:<a@b>".
std::string angle(const std::string& line) {
    const auto open = line.find('<');
    const auto close = line.find('>', open);
    return open == std::string::npos || close == std::string::npos
               ? std::string()
               : line.substr(open + 1, close - open - 1);
}

}  // namespace

void SmtpReceiver::serve(int fd) {
    std::string buffer;
    std::string line;
    MailMessage msg;
    write_all(fd, "220 localhost test SMTP\r\n");
    while (read_line(fd, buffer, line)) {
        const std::string verb = upper(line.substr(0, 4));
        if (verb == "EHLO" || verb == "HELO") {
            write_all(fd, "250-localhost\r\n250 8BITMIME\r\n");
        } else if (verb == "MAIL") {
            msg = MailMessage{angle(line), {}, {}};
            write_all(fd, "250 OK\r\n");
        } else if (verb == "RCPT") {
            msg.to.push_back(angle(line));
            write_all(fd, "250 OK\r\n");
        } else if (verb == "DATA") {
            write_all(fd, "354 go ahead\r\n");
            while (read_line(fd, buffer, line) && line != ".") {
                msg.data += (line.starts_with("..") ? line.substr(1) : line) + "\r\n";
            }
            {
                std::lock_guard lock(mu_);
                messages_.push_back(msg);
            }
            cv_.notify_all();
            write_all(fd, "250 queued\r\n");
        } else if (verb == "QUIT") {
            write_all(fd, "221 bye\r\n");
            return;
        } else {
            write_all(fd, "250 OK\r\n");
        }
    }
}

bool SmtpReceiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

std::vector<MailMessage> SmtpReceiver::messages() {
    std::lock_guard lock(mu_);
    return messages_;
}

void HttpReceiver::answer_next(std::vector<int> statuses) {
    std::lock_guard lock(mu_);
    statuses_.assign(statuses.begin(), statuses.end());
}

void HttpReceiver::serve(int fd) {
    std::string buffer;
    std::string line;
    HttpMessage req;
    if (!read_line(fd, buffer, line)) {
        return;
    }
    const auto sp1 = line.find(' ');
    const auto sp2 = line.find(' ', sp1 + 1);
    req.method = line.substr(0, sp1);
    req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    while (read_line(fd, buffer, line) && !line.empty()) {
        const auto colon = line.find(':');
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req.headers.emplace(lower(line.substr(0, colon)), value);
    }
    const std::size_t length = std::stoul(req.headers.count("content-length") != 0
                                              ? req.headers["content-length"]
                                              : std::string("0"));
    while (buffer.size() < length) {
        char chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
    req.body = buffer.substr(0, length);
    int status = 200;
    {
        std::lock_guard lock(mu_);
        if (!statuses_.empty()) {
            status = statuses_.front();
            statuses_.pop_front();
        }
        requests_.push_back(req);
    }
    cv_.notify_all();
    write_all(fd, "HTTP/1.1 " + std::to_string(status) +
                      " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

bool HttpReceiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

std::vector<HttpMessage> HttpReceiver::requests() {
    std::lock_guard lock(mu_);
    return requests_;
}

}  // namespace cyberalarm::test
