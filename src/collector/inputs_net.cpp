#include "collector/inputs_net.h"

#include <netinet/in.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cstring>
#include <exception>
#include <vector>

namespace cyberalarm::collector::detail {

core::IpAddress to_ip(const asio::ip::address& address) {
    if (address.is_v4()) {
        return core::IpAddress::v4(address.to_v4().to_uint());
    }
    asio::ip::address_v6 v6 = address.to_v6();
    if (v6.is_v4_mapped()) {
        return core::IpAddress::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
    }
    std::array<std::uint8_t, 16> bytes{};
    auto raw = v6.to_bytes();
    std::memcpy(bytes.data(), raw.data(), bytes.size());
    return core::IpAddress::v6(bytes);
}

core::IpAddress to_ip(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) {
        sockaddr_in in{};
        std::memcpy(&in, &address, sizeof in);
        return core::IpAddress::v4(ntohl(in.sin_addr.s_addr));
    }
    if (address.ss_family == AF_INET6) {
        sockaddr_in6 in6{};
        std::memcpy(&in6, &address, sizeof in6);
        asio::ip::address_v6::bytes_type bytes{};
        std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
        return to_ip(asio::ip::address(asio::ip::address_v6(bytes)));
    }
    return {};
}

core::Result<asio::ip::address> listen_address(const InputConfig& config) {
    boost::system::error_code ec;
    std::string text = config.address;
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    asio::ip::address address = asio::ip::make_address(text, ec);
    if (ec) {
        return core::fail(core::Error::invalid_argument("input '" + config.name + "': '" +
                                                        config.address + "' is not an IP address"));
    }
    return address;
}

std::string describe(const boost::system::error_code& ec) {
    return ec.message();
}

void count_deadline(InputStats& stats, bool handshaking, const core::IpAddress& peer) {
    if (handshaking) {
        stats.tls_failures.fetch_add(1, std::memory_order_relaxed);
        stats.note("TLS handshake from " + peer.to_string() + " timed out");
    } else {
        stats.idle_timeouts.fetch_add(1, std::memory_order_relaxed);
    }
}

void count_handshake_failure(InputStats& stats, const core::IpAddress& peer,
                             const boost::system::error_code& ec) {
    stats.tls_failures.fetch_add(1, std::memory_order_relaxed);
    stats.note("TLS handshake from " + peer.to_string() + " failed: " + describe(ec));
}

bool is_clean_close(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

void IoThread::start() {
    if (thread_.joinable()) {
        return;
    }
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { run(); });
}

void IoThread::run() {
    for (;;) {
        try {
            io_.run();
            return;
        } catch (const std::exception& e) {
            stats_.record_error(std::string("input handler failed: ") + e.what());
        } catch (...) {
            stats_.record_error("input handler failed with an unknown exception");
        }
    }
}

void IoThread::stop() {
    work_.reset();
    if (thread_.joinable()) {
        thread_.join();
    }
}

core::Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const InputConfig& config) {
    auto fail = [&](const std::string& what, const boost::system::error_code& ec) {
        return core::fail(core::Error::invalid_argument("input '" + config.name + "': " + what +
                                                        ": " + describe(ec)));
    };
    std::shared_ptr<asio::ssl::context> ctx;
    try {
        ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    } catch (const std::exception& e) {
        return core::fail(core::Error::internal(std::string("TLS context: ") + e.what()));
    }
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    // No renegotiation (a CPU-exhaustion lever for a client) and no TLS compression.
    SSL_CTX_set_options(
        native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(config.tls_cert.string(), ec);
    if (ec) {
        return fail("TLS certificate " + config.tls_cert.string(), ec);
    }
    ctx->use_private_key_file(config.tls_key.string(), asio::ssl::context::pem, ec);
    if (ec) {
        return fail("TLS key " + config.tls_key.string(), ec);
    }
    if (SSL_CTX_check_private_key(native) != 1) {
        return core::fail(core::Error::invalid_argument(
            "input '" + config.name + "': the TLS key does not match the certificate"));
    }
    if (config.tls_ca.empty()) {
        ctx->set_verify_mode(asio::ssl::verify_none);
        return ctx;
    }
    ctx->load_verify_file(config.tls_ca.string(), ec);
    if (ec) {
        return fail("TLS CA file " + config.tls_ca.string(), ec);
    }
    // Tell clients which CAs we accept, so one with several certificates picks the right one.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.tls_ca.c_str())) {
        SSL_CTX_set_client_CA_list(native, names);
    }
    asio::ssl::verify_mode mode = asio::ssl::verify_peer;
    if (config.tls_require_client_cert) {
        mode |= asio::ssl::verify_fail_if_no_peer_cert;
    }
    ctx->set_verify_mode(mode);
    return ctx;
}

ConnectionSlot::~ConnectionSlot() {
    if (owner_ != nullptr) {
        owner_->release(id_);
    }
}

core::Result<void> StreamAcceptor::bind() {
    auto address = listen_address(config_);
    if (!address) {
        return core::fail(address.error());
    }
    tcp::endpoint endpoint(*address, config_.port);
    boost::system::error_code ec;
    std::string where = config_.address + ":" + std::to_string(config_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        acceptor_.close();
        return core::fail(core::Error::io("input '" + config_.name + "': cannot listen on " +
                                          where + ": " + describe(ec)));
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return {};
}

void StreamAcceptor::start(Factory factory) {
    factory_ = std::move(factory);
    asio::post(acceptor_.get_executor(), [this] { accept(); });
}

void StreamAcceptor::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
            return;
        }
        if (ec) {
            // Out of descriptors or memory: wait a little instead of spinning on the error.
            stats_.record_error("accept: " + describe(ec));
            backoff_.expires_after(std::chrono::milliseconds(100));
            backoff_.async_wait([this](const boost::system::error_code& wait_ec) {
                if (!wait_ec && acceptor_.is_open()) {
                    accept();
                }
            });
            return;
        }
        try {
            on_accepted(std::move(socket));
        } catch (const std::exception& e) {
            // Out of memory for one more connection: that one is dropped, accepting goes on.
            stats_.record_error(std::string("accepting a connection: ") + e.what());
        }
        accept();
    });
}

void StreamAcceptor::on_accepted(tcp::socket socket) {
    boost::system::error_code ec;
    if (live_.size() >= config_.max_connections) {
        stats_.rejected_connections.fetch_add(1, std::memory_order_relaxed);
        socket.close(ec);
        return;
    }
    tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) {
        return;  // the peer is already gone
    }
    socket.set_option(asio::socket_base::keep_alive(true), ec);
    std::uint64_t id = next_id_++;
    stats_.connections.fetch_add(1, std::memory_order_relaxed);
    std::shared_ptr<Connection> connection =
        factory_(std::move(socket), to_ip(remote.address()), ConnectionSlot(this, id));
    if (!connection) {
        return;
    }
    live_.emplace(id, connection);
    stats_.active_connections.store(live_.size(), std::memory_order_relaxed);
    connection->start();
}

void StreamAcceptor::release(std::uint64_t id) {
    live_.erase(id);
    stats_.active_connections.store(live_.size(), std::memory_order_relaxed);
}

void StreamAcceptor::close_all() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    backoff_.cancel();
    std::vector<std::shared_ptr<Connection>> open;
    open.reserve(live_.size());
    for (auto& [id, weak] : live_) {
        if (auto c = weak.lock()) {
            open.push_back(std::move(c));
        }
    }
    for (auto& c : open) {
        c->shutdown();
    }
}

}  // namespace cyberalarm::collector::detail
