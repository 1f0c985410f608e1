#include "collector/status.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>

namespace cyberalarm::collector {

namespace {

constexpr std::size_t kMaxStatusBytes = 4u << 20;

core::Result<sockaddr_un> unix_address(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string& p = path.native();
    if (p.empty() || p.size() >= sizeof(addr.sun_path)) {
        return core::fail(core::Error::invalid_argument("status socket path '" + p +
                                                        "' is empty or too long"));
    }
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    return addr;
}

core::Error os_error(const std::string& what) {
    return core::Error::io(what + ": " + std::strerror(errno));
}

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

core::Result<std::unique_ptr<StatusServer>> StatusServer::bind(const std::filesystem::path& path) {
    auto addr = unix_address(path);
    if (!addr) {
        return core::fail(std::move(addr.error()));
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return core::fail(os_error("status socket"));
    }
    // A socket file left by a crash would make bind fail; anything else at that path is
    // not ours to delete.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            ::close(fd);
            return core::fail(core::Error::invalid_argument(
                "status socket path " + path.string() + " exists and is not a socket"));
        }
        ::unlink(path.c_str());
    }
    mode_t old = ::umask(0177);  // the socket file is created 0600
    int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr));
    ::umask(old);
    if (rc != 0 || ::listen(fd, 16) != 0) {
        auto e = os_error("binding status socket " + path.string());
        ::close(fd);
        return core::fail(std::move(e));
    }
    return std::unique_ptr<StatusServer>(new StatusServer(fd, path));
}

StatusServer::~StatusServer() {
    stop();
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
}

void StatusServer::start(Render render) {
    render_ = std::move(render);
    thread_ = std::thread([this] { run(); });
}

void StatusServer::stop() {
    stop_ = true;
    if (thread_.joinable()) {
        thread_.join();
    }
}

void StatusServer::run() {
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        int n = ::poll(&p, 1, 200);
        if (n <= 0) {
            continue;
        }
        int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) {
            continue;
        }
        // A client that never reads must not stall the collector's status for long.
        timeval tv{2, 0};
        ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        write_all(client, render_());
        ::close(client);
    }
}

core::Result<std::string> query_status(const std::filesystem::path& path) {
    auto addr = unix_address(path);
    if (!addr) {
        return core::fail(std::move(addr.error()));
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return core::fail(os_error("status socket"));
    }
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0) {
        auto e = os_error("cannot reach the collector at " + path.string() +
                          " (is it running, and are you its user or root?)");
        ::close(fd);
        return core::fail(std::move(e));
    }
    std::string out;
    char buf[8192];
    while (out.size() < kMaxStatusBytes) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            auto e = os_error("reading status from " + path.string());
            ::close(fd);
            return core::fail(std::move(e));
        }
        if (n == 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// ---- Prometheus metrics over HTTP ----

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct MetricsServer::Impl {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor{io};
    Render render;
    std::thread thread;

    void accept() {
        acceptor.async_accept([this](beast::error_code ec, asio::ip::tcp::socket socket) {
            if (ec) {
                if (ec != asio::error::operation_aborted) {
                    accept();
                }
                return;
            }
            serve(std::move(socket));
            accept();
        });
    }

    // One request per connection, answered on the server's thread; requests are tiny.
    void serve(asio::ip::tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(std::chrono::seconds(5));
        beast::flat_buffer buffer(16 * 1024);
        http::request_parser<http::empty_body> parser;
        parser.header_limit(8 * 1024);
        beast::error_code ec;
        // Synchronous on purpose: a slow client is cut by the socket timeouts below.
        timeval tv{2, 0};
        ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        http::read(stream.socket(), buffer, parser, ec);
        if (ec) {
            return;
        }
        const auto& req = parser.get();
        http::response<http::string_body> res;
        res.version(req.version());
        res.keep_alive(false);
        if (req.method() == http::verb::get && req.target() == "/metrics") {
            res.result(http::status::ok);
            res.set(http::field::content_type, "text/plain; version=0.0.4");
            res.body() = render();
        } else {
            res.result(http::status::not_found);
            res.set(http::field::content_type, "text/plain");
            res.body() = "not found\n";
        }
        res.prepare_payload();
        http::write(stream.socket(), res, ec);
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Result<std::unique_ptr<MetricsServer>> MetricsServer::bind(const std::string& address,
                                                                 std::uint16_t port) {
    auto impl = std::make_unique<Impl>();
    beast::error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    if (ec || !ip.is_loopback()) {
        return core::fail(core::Error::invalid_argument("metrics address " + address +
                                                        " is not a loopback address"));
    }
    asio::ip::tcp::endpoint ep(ip, port);
    impl->acceptor.open(ep.protocol(), ec);
    if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(ep, ec);
    if (!ec) impl->acceptor.listen(16, ec);
    if (ec) {
        return core::fail(core::Error::io("binding metrics on " + address + ":" +
                                          std::to_string(port) + ": " + ec.message()));
    }
    return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::~MetricsServer() { stop(); }

std::uint16_t MetricsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void MetricsServer::start(Render render) {
    impl_->render = std::move(render);
    impl_->accept();
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

void MetricsServer::stop() {
    if (!impl_) {
        return;
    }
    asio::post(impl_->io, [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
    });
    impl_->io.stop();
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
}

}  // namespace cyberalarm::collector
