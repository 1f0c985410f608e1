#include "scan/internal/channel.h"

#include <chrono>

namespace cyberalarm::scan::internal {

namespace {

class PlainChannel final : public Channel {
public:
    explicit PlainChannel(Fd fd) : fd_(std::move(fd)) {}
    core::Status send(std::string_view data, Millis timeout) override {
        return send_all(fd_.get(), data, timeout);
    }
    long recv(char* buf, std::size_t len, Millis timeout) override {
        auto n = receive_chunk(fd_.get(), buf, len, timeout);
        return n ? *n : 0;
    }
    Fd take_fd() override { return std::move(fd_); }

private:
    Fd fd_;
};

class TlsChannel final : public Channel {
public:
    explicit TlsChannel(std::unique_ptr<TlsSession> s) : session_(std::move(s)) {}
    core::Status send(std::string_view data, Millis timeout) override {
        return session_->write(data, timeout);
    }
    long recv(char* buf, std::size_t len, Millis timeout) override {
        return session_->recv_chunk(buf, len, timeout);
    }
    TlsSession* tls() override { return session_.get(); }

private:
    std::unique_ptr<TlsSession> session_;
};

}  // namespace

core::Result<std::unique_ptr<Channel>> open_plain(const core::IpAddress& ip, std::uint16_t port,
                                                  Millis timeout) {
    auto fd = connect_tcp(ip, port, timeout);
    if (!fd) {
        return tl::unexpected(fd.error());
    }
    return std::unique_ptr<Channel>(std::make_unique<PlainChannel>(std::move(*fd)));
}

core::Result<std::unique_ptr<Channel>> upgrade_tls(Fd fd, const TlsOffer& offer, Millis timeout) {
    auto s = TlsSession::connect(std::move(fd), offer, timeout);
    if (!s) {
        return tl::unexpected(s.error());
    }
    return std::unique_ptr<Channel>(std::make_unique<TlsChannel>(std::move(*s)));
}

core::Result<std::unique_ptr<Channel>> open_tls(const core::IpAddress& ip, std::uint16_t port,
                                                const TlsOffer& offer, Millis timeout) {
    auto fd = connect_tcp(ip, port, timeout);
    if (!fd) {
        return tl::unexpected(fd.error());
    }
    return upgrade_tls(std::move(*fd), offer, timeout);
}

std::string read_answer(Channel& ch, const AnswerLimits& limits,
                        const std::function<bool(const std::string&)>& done) {
    std::string out;
    char buf[4096];
    auto start = std::chrono::steady_clock::now();
    while (out.size() < limits.max) {
        Millis wait = limits.idle;
        if (out.empty()) {
            wait = limits.first - std::chrono::duration_cast<Millis>(
                                      std::chrono::steady_clock::now() - start);
            if (wait.count() <= 0) {
                break;
            }
        }
        long n = ch.recv(buf, std::min(sizeof buf, limits.max - out.size()), wait);
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
        if (done && done(out)) {
            break;
        }
    }
    return out;
}

std::string exchange(Channel& ch, std::string_view request, const AnswerLimits& limits,
                     const std::function<bool(const std::string&)>& done) {
    if (!request.empty() && !ch.send(request, limits.first)) {
        return {};
    }
    return read_answer(ch, limits, done);
}

}  // namespace cyberalarm::scan::internal
