#include "server/listener.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "server/certs.h"
#include "server/internal/listener_impl.h"
#include "uplink/messages.h"

namespace cyberalarm::server {

using namespace internal;  // NOLINT(google-build-using-namespace): this file's own types

HttpResponse ListenerCore::call(const HttpRequest& request) {
    try {
        return handler(request);
    } catch (const std::exception& e) {
        spdlog::error("event=handler_exception listener={} target_len={} what=\"{}\"",
                      options.name, request.target.size(), e.what());
    } catch (...) {
        spdlog::error("event=handler_exception listener={} what=unknown", options.name);
    }
    HttpResponse res;
    res.status = 500;
    res.body = uplink::error_json("internal error; see the server log");
    return res;
}

void ListenerCore::add(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(sessions_mu);
    sessions.emplace(session.get(), session);
}

void ListenerCore::remove(Session* session) {
    {
        std::lock_guard lock(sessions_mu);
        sessions.erase(session);
    }
    sessions_cv.notify_all();
}

class HttpsListener::Impl {
public:
    explicit Impl(ListenerOptions options) : acceptor_(core_.ioc) {
        core_.options = std::move(options);
    }
    ~Impl() { stop(); }

    core::Status init(const uplink::PrivateKey& key, HttpHandler handler, HeadCheck check) {
        core_.handler = std::move(handler);
        core_.head_check = std::move(check);
        const auto& o = core_.options;
        if (auto st = configure_server_tls(core_.tls.native_handle(), o.cert_chain_pem, key,
                                           o.client_ca_pem);
            !st) {
            return st;
        }
        beast::error_code ec;
        auto address = asio::ip::make_address(o.address, ec);
        if (ec) {
            return core::fail(core::Error::invalid_argument("listen address '" + o.address +
                                                            "' is not an IP address"));
        }
        tcp::endpoint ep(address, o.port);
        acceptor_.open(ep.protocol(), ec);
        if (!ec) {
            acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor_.bind(ep, ec);
        }
        if (!ec) {
            acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            return core::fail(core::Error::io("listening on " + o.address + ":" +
                                              std::to_string(o.port) + ": " + ec.message()));
        }
        port_ = acceptor_.local_endpoint().port();
        return {};
    }

    void start() {
        if (started_) {
            return;
        }
        started_ = true;
        core_.pool.emplace(std::max(1u, core_.options.handler_threads));
        work_.emplace(core_.ioc.get_executor());
        asio::post(acceptor_.get_executor(), [this] { accept(); });
        for (unsigned i = 0; i < std::max(1u, core_.options.io_threads); ++i) {
            threads_.emplace_back([this] { core_.ioc.run(); });
        }
    }

    void stop() {
        if (!started_ || stopped_) {
            return;
        }
        stopped_ = true;
        core_.stopping.store(true);
        asio::post(acceptor_.get_executor(), [this] {
            beast::error_code ignored;
            acceptor_.close(ignored);
        });
        stop_sessions();
        {
            std::unique_lock lock(core_.sessions_mu);
            core_.sessions_cv.wait_for(lock, core_.options.drain_timeout,
                                       [this] { return core_.sessions.empty(); });
        }
        work_.reset();
        core_.ioc.stop();
        core_.pool->join();
        for (auto& t : threads_) {
            t.join();
        }
        threads_.clear();
    }

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] const ListenerOptions& options() const { return core_.options; }
    [[nodiscard]] ListenerStats stats() const {
        const auto& c = core_.counters;
        return ListenerStats{c.connections.load(), c.connections_refused.load(),
                             c.handshake_failures.load(), c.timeouts.load(),
                             c.requests.load(),    c.too_large.load(),
                             c.active.load()};
    }

private:
    void accept() {
        acceptor_.async_accept(asio::make_strand(core_.ioc),
                               [this](beast::error_code ec, tcp::socket socket) {
                                   if (ec == asio::error::operation_aborted ||
                                       core_.stopping.load()) {
                                       return;
                                   }
                                   if (!ec) {
                                       admit(std::move(socket));
                                   }
                                   accept();
                               });
    }

    void admit(tcp::socket socket) {
        beast::error_code ignored;
        if (core_.counters.active.load() >= core_.options.max_connections) {
            core_.counters.connections_refused.fetch_add(1);
            socket.close(ignored);
            return;
        }
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(std::move(socket), core_);
        core_.add(session);
        session->run();
    }

    // Asks every session to close if it is between requests; the others finish first.
    void stop_sessions() {
        std::vector<std::shared_ptr<Session>> live;
        {
            std::lock_guard lock(core_.sessions_mu);
            for (auto& [raw, weak] : core_.sessions) {
                if (auto s = weak.lock()) {
                    live.push_back(std::move(s));
                }
            }
        }
        for (auto& s : live) {
            s->request_stop();
        }
    }

    ListenerCore core_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    bool started_ = false;
    bool stopped_ = false;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;
};

core::Result<std::unique_ptr<HttpsListener>> HttpsListener::create(ListenerOptions options,
                                                                   const uplink::PrivateKey& key,
                                                                   HttpHandler handler,
                                                                   HeadCheck head_check) {
    auto impl = std::make_unique<Impl>(std::move(options));
    if (auto st = impl->init(key, std::move(handler), std::move(head_check)); !st) {
        return core::fail(std::move(st.error()));
    }
    return std::unique_ptr<HttpsListener>(new HttpsListener(std::move(impl)));
}

HttpsListener::HttpsListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsListener::~HttpsListener() = default;

void HttpsListener::start() {
    impl_->start();
}
void HttpsListener::stop() {
    impl_->stop();
}
std::uint16_t HttpsListener::port() const {
    return impl_->port();
}
const ListenerOptions& HttpsListener::options() const {
    return impl_->options();
}
ListenerStats HttpsListener::stats() const {
    return impl_->stats();
}

}  // namespace cyberalarm::server
