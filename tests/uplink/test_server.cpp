#include "uplink/test_server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "uplink/messages.h"
#include "uplink/pki.h"

namespace cyberalarm::test {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

template <typename T>
T must(core::Result<T> r, const char* what) {
    if (!r) {
        throw std::runtime_error(std::string(what) + ": " + r.error().to_string());
    }
    return std::move(*r);
}

void must(core::Status st, const char* what) {
    if (!st) {
        throw std::runtime_error(std::string(what) + ": " + st.error().to_string());
    }
}

// The CN of the verified peer certificate, if there is one.
std::optional<std::string> verified_peer_cn(SSL* ssl, bool& presented) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    presented = peer != nullptr;
    if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
        return std::nullopt;
    }
    X509_NAME* name = X509_get_subject_name(peer);
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) {
        return std::nullopt;
    }
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    if (n < 0) {
        return std::nullopt;
    }
    std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return cn;
}

}  // namespace

class UplinkTestServer::Impl {
public:
    Impl(UplinkTestServer& owner, std::uint16_t port)
        : owner_(owner), ctx_(ssl::context::tls_server), acceptor_(ioc_) {
        SSL_CTX* native = ctx_.native_handle();
        SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
        ctx_.use_certificate_chain(asio::buffer(owner.server_cert_pem_));
        if (SSL_CTX_use_PrivateKey(native, owner.server_key_->get()) != 1) {
            throw std::runtime_error("test server: private key refused");
        }
        ctx_.add_certificate_authority(asio::buffer(owner.ca_pem()));
        // Request a client certificate, do not require one: /v1/enroll works without.
        ctx_.set_verify_mode(ssl::verify_peer);

        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        do_accept();
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~Impl() {
        ioc_.stop();
        thread_.join();
        // Members go in reverse order: the acceptor, then the io_context with every pending
        // handler and so every session, then the TLS context.
    }

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::size_t max_body() const { return owner_.options_.max_body_bytes; }

    HttpAnswer answer(std::string_view method, std::string_view target,
                      std::string_view content_type, std::string_view range, std::string_view body,
                      const std::string* collector_id, bool presented) {
        auto a = owner_.handle(method, target, content_type, range, body, collector_id, presented);
        owner_.count_response(a.status);
        return a;
    }
    void count(unsigned status) { owner_.count_response(status); }

private:
    void do_accept();

    UplinkTestServer& owner_;
    ssl::context ctx_;
    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, ssl::context& ctx, UplinkTestServer::Impl& server)
        : stream_(std::move(socket), ctx), server_(server) {}

    void run() {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
        stream_.async_handshake(
            ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
                if (!ec) {
                    self->cn_ = verified_peer_cn(self->stream_.native_handle(), self->presented_);
                    self->read();
                }
            });
    }

private:
    void read() {
        parser_.emplace();
        parser_->body_limit(server_.max_body());
        parser_->header_limit(16 * 1024);
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            server_.count(413);
            respond(413, uplink::error_json("request body too large"), false);
            return;
        }
        if (ec) {
            return;  // closed, timed out or garbage: drop the connection
        }
        const auto& req = parser_->get();
        auto a = server_.answer(req.method_string(), req.target(), req[http::field::content_type],
                                req[uplink::kBatchRangeHeader], req.body(), cn_ ? &*cn_ : nullptr,
                                presented_);
        respond(a.status, std::move(a.body), req.keep_alive());
    }

    void respond(unsigned status, std::string body, bool keep_alive) {
        res_ = {};
        res_.version(11);
        res_.result(status);
        res_.set(http::field::content_type, uplink::kJsonContentType);
        res_.keep_alive(keep_alive);
        res_.body() = std::move(body);
        res_.prepare_payload();
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
        http::async_write(stream_, res_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                  return;
                              }
                              if (!self->res_.keep_alive()) {
                                  self->linger();
                                  return;
                              }
                              self->read();
                          });
    }

    // A lingering close: stop sending, then read and discard what the client still sends
    // (the rest of a refused body) for a while, so closing does not reset the connection
    // and destroy the response before the client has read it.
    void linger() {
        auto& tcp = beast::get_lowest_layer(stream_);
        beast::error_code ignored;
        tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
        tcp.expires_after(std::chrono::seconds(2));
        drain();
    }
    void drain() {
        beast::get_lowest_layer(stream_).async_read_some(
            asio::buffer(drain_buf_),
            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (!ec) {
                    self->drain();
                }
            });
    }

    beast::ssl_stream<beast::tcp_stream> stream_;
    UplinkTestServer::Impl& server_;
    std::array<char, 4096> drain_buf_{};
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
    std::optional<std::string> cn_;
    bool presented_ = false;
};

}  // namespace

void UplinkTestServer::Impl::do_accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) {
            return;
        }
        if (!ec) {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<Session>(std::move(socket), ctx_, *this)->run();
        }
        do_accept();
    });
}

UplinkTestServer::UplinkTestServer(UplinkTestServerOptions options)
    : options_(std::move(options)), acceptor_(options_.limits), port_(options_.port) {
    if (options_.dir.empty()) {
        throw std::runtime_error("UplinkTestServer needs a directory");
    }
    auto ca = must(uplink::CertificateAuthority::create("cyberalarm test CA", 30), "test CA");
    server_key_ = must(uplink::PrivateKey::generate(), "server key");
    server_cert_pem_ = must(uplink::issue_server_certificate(ca, *server_key_, "uplink test server",
                                                             options_.server_names, 30),
                            "server cert");
    ca_file_ = options_.dir / "ca.pem";
    must(uplink::write_file_atomic(ca_file_, ca.cert_pem, 0644), "writing ca.pem");
    authority_ =
        std::make_unique<uplink::EnrollmentAuthority>(std::move(ca), options_.client_cert_days);
}

UplinkTestServer::~UplinkTestServer() {
    stop();
}

void UplinkTestServer::start() {
    std::lock_guard lock(run_mu_);
    if (!impl_) {
        impl_ = std::make_unique<Impl>(*this, port_);
        port_ = impl_->port();
    }
}

void UplinkTestServer::stop() {
    std::lock_guard lock(run_mu_);
    impl_.reset();
}

bool UplinkTestServer::running() const {
    std::lock_guard lock(run_mu_);
    return impl_ != nullptr;
}

std::string UplinkTestServer::url() const {
    return "https://127.0.0.1:" + std::to_string(port_);
}

const std::string& UplinkTestServer::ca_pem() const {
    return authority_->ca_pem();
}

std::string UplinkTestServer::add_token(std::string_view collector_id, std::chrono::seconds ttl) {
    std::string token = uplink::EnrollmentAuthority::generate_token();
    add_token(token, collector_id, std::chrono::system_clock::now() + ttl);
    return token;
}

void UplinkTestServer::add_token(std::string_view token, std::string_view collector_id,
                                 std::chrono::system_clock::time_point expires) {
    must(authority_->add_token(token, collector_id, expires), "add_token");
}

void UplinkTestServer::issue_client_cert(std::string_view collector_id,
                                         const std::filesystem::path& out_dir) const {
    std::filesystem::create_directories(out_dir);
    auto key = must(uplink::PrivateKey::generate(), "client key");
    auto csr = must(uplink::make_csr(key, collector_id), "client CSR");
    auto cert = must(
        uplink::sign_client_csr(authority_->ca(), csr, collector_id, options_.client_cert_days),
        "client cert");
    must(uplink::write_private_key_file(out_dir / "key.pem", key), "writing key.pem");
    must(uplink::write_file_atomic(out_dir / "cert.pem", cert, 0644), "writing cert.pem");
}

std::vector<ReceivedEvent> UplinkTestServer::events() const {
    std::lock_guard lock(mu_);
    return events_;
}

std::size_t UplinkTestServer::count() const {
    std::lock_guard lock(mu_);
    return received_;
}

std::uint64_t UplinkTestServer::responses(unsigned status_class) const {
    std::lock_guard lock(mu_);
    return status_class < 6 ? responses_[status_class] : 0;
}

bool UplinkTestServer::wait_for_count(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return received_ >= n; });
}

void UplinkTestServer::count_response(unsigned status) {
    std::lock_guard lock(mu_);
    ++responses_[std::min(status / 100, 5u)];
}

UplinkTestServer::HttpAnswer UplinkTestServer::handle(
    std::string_view method, std::string_view target, std::string_view content_type,
    std::string_view range_header, std::string_view body, const std::string* collector_id,
    bool cert_presented) {
    using uplink::error_json;
    if (target == uplink::kEnrollPath) {
        if (method != "POST") {
            return {405, error_json("use POST")};
        }
        auto req = uplink::parse_enroll_request(body);
        if (!req) {
            return {400, error_json(req.error().to_string())};
        }
        auto res = authority_->enroll(*req);
        if (!res) {
            bool unauth = res.error().code() == core::ErrorCode::kUnauthenticated;
            return {unauth ? 401u : 400u, error_json(res.error().message())};
        }
        return {200, uplink::to_json(*res)};
    }
    if (target != uplink::kBatchPath) {
        return {404, error_json("no such endpoint")};
    }
    if (method != "POST") {
        return {405, error_json("use POST")};
    }
    if (failing_.load()) {
        return {503, error_json("failing on purpose (test)")};
    }
    if (!cert_presented) {
        return {401, error_json("a client certificate is required")};
    }
    if (collector_id == nullptr) {
        return {403, error_json("client certificate not accepted")};
    }
    if (content_type != uplink::kBatchContentType) {
        return {415, error_json("Content-Type must be application/vnd.cyberalarm.batch")};
    }
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
    if (!range_header.empty()) {
        auto r = uplink::parse_batch_range(range_header);
        if (!r) {
            return {400, error_json(r.error().to_string())};
        }
        range = *r;
    }
    auto sink = [this](std::string_view id, std::span<const core::Event> events, std::uint64_t) {
        {
            std::lock_guard lock(mu_);
            received_ += events.size();
            if (options_.keep_events) {
                for (const auto& e : events) {
                    events_.push_back(ReceivedEvent{std::string(id), e});
                }
            }
        }
        cv_.notify_all();
        return core::Status{};
    };
    auto ack = acceptor_.accept(*collector_id, body, range, sink);
    if (!ack) {
        unsigned status = ack.error().code() == core::ErrorCode::kResourceExhausted ? 413u : 400u;
        return {status, error_json(ack.error().to_string())};
    }
    {
        std::lock_guard lock(mu_);
        if (ack_override_) {
            ack->acked_through = *ack_override_;
        }
    }
    return {200, uplink::to_json(*ack)};
}

}  // namespace cyberalarm::test
