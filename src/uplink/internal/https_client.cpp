#include "uplink/internal/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>
#include <optional>

#include "uplink/internal/ossl.h"

namespace cyberalarm::uplink::internal {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using core::Error;
using core::ErrorCode;
using core::fail;

namespace {

constexpr std::chrono::milliseconds kSlice{50};

Error unavailable(std::string message) {
    return Error(ErrorCode::kUnavailable, std::move(message));
}

}  // namespace

class HttpsClient::Impl {
public:
    Impl(Endpoint endpoint, Timeouts timeouts, std::size_t max_response)
        : endpoint_(std::move(endpoint)),
          timeouts_(timeouts),
          max_response_(max_response),
          ctx_(ssl::context::tls_client),
          resolver_(ioc_) {}

    core::Status configure(const ClientTlsFiles& tls);
    core::Result<HttpResponse> post(http::request<http::string_body>& req,
                                    const std::atomic<bool>& cancel);
    void close();
    bool connected() const { return stream_.has_value(); }
    const Endpoint& endpoint() const { return endpoint_; }

private:
    using Stream = beast::ssl_stream<beast::tcp_stream>;

    // Starts an operation with `start(handler)` and drives the io_context until it completes,
    // aborting it when `limit` passes or `cancel` is set.
    template <typename Start>
    core::Status run(const std::string& what, std::chrono::milliseconds limit,
                     const std::atomic<bool>& cancel, Start start);
    core::Status connect(const std::atomic<bool>& cancel);
    core::Result<HttpResponse> exchange(http::request<http::string_body>& req,
                                        const std::atomic<bool>& cancel);
    void abort_io();

    Endpoint endpoint_;
    Timeouts timeouts_;
    std::size_t max_response_;
    asio::io_context ioc_;
    ssl::context ctx_;
    tcp::resolver resolver_;
    std::optional<Stream> stream_;
    beast::flat_buffer buffer_;
};

core::Status HttpsClient::Impl::configure(const ClientTlsFiles& tls) {
    SSL_CTX* native = ctx_.native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
        return fail(openssl_error(ErrorCode::kInternal, "setting TLS 1.2 as the minimum"));
    }
    ctx_.set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (tls.ca_file.empty()) {
        return fail(Error::invalid_argument("no CA file to verify the server with"));
    }
    ctx_.load_verify_file(tls.ca_file.string(), ec);
    if (ec) {
        return fail(Error::invalid_argument("loading CA file " + tls.ca_file.string() + ": " +
                                            ec.message()));
    }
    if (tls.cert_file.empty() != tls.key_file.empty()) {
        return fail(Error::invalid_argument("a client certificate needs both cert and key files"));
    }
    if (!tls.cert_file.empty()) {
        ctx_.use_certificate_chain_file(tls.cert_file.string(), ec);
        if (ec) {
            return fail(Error::invalid_argument("loading certificate " + tls.cert_file.string() +
                                                ": " + ec.message()));
        }
        ctx_.use_private_key_file(tls.key_file.string(), ssl::context::pem, ec);
        if (ec) {
            return fail(Error::invalid_argument("loading private key " + tls.key_file.string() +
                                                ": " + ec.message()));
        }
        if (SSL_CTX_check_private_key(native) != 1) {
            ERR_clear_error();
            return fail(Error::invalid_argument("private key " + tls.key_file.string() +
                                                " does not belong to " + tls.cert_file.string()));
        }
    }
    return {};
}

void HttpsClient::Impl::abort_io() {
    resolver_.cancel();
    if (stream_) {
        beast::get_lowest_layer(*stream_).close();
    }
}

template <typename Start>
core::Status HttpsClient::Impl::run(const std::string& what, std::chrono::milliseconds limit,
                                    const std::atomic<bool>& cancel, Start start) {
    bool done = false;
    beast::error_code result;
    ioc_.restart();
    start([&](beast::error_code ec, auto&&...) {
        result = ec;
        done = true;
    });
    auto deadline = std::chrono::steady_clock::now() + limit;
    bool timed_out = false;
    bool cancelled = false;
    while (!done) {
        ioc_.run_for(kSlice);
        if (done || timed_out || cancelled) {
            continue;
        }
        cancelled = cancel.load();
        timed_out = !cancelled && std::chrono::steady_clock::now() >= deadline;
        if (cancelled || timed_out) {
            abort_io();  // the operation completes with operation_aborted
        }
    }
    if (cancelled) {
        return fail(unavailable(what + ": cancelled"));
    }
    if (timed_out) {
        return fail(
            unavailable(what + ": timed out after " + std::to_string(limit.count()) + " ms"));
    }
    if (result) {
        std::string reason = result.message();
        if (stream_ && result.category() == asio::error::get_ssl_category()) {
            long verify = SSL_get_verify_result(stream_->native_handle());
            if (verify != X509_V_OK) {
                reason += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
            }
        }
        ERR_clear_error();
        return fail(unavailable(what + ": " + reason));
    }
    return {};
}

core::Status HttpsClient::Impl::connect(const std::atomic<bool>& cancel) {
    close();
    const std::string where = endpoint_.authority();
    tcp::resolver::results_type endpoints;
    auto st = run("resolving " + endpoint_.host, timeouts_.connect, cancel, [&](auto handler) {
        resolver_.async_resolve(
            endpoint_.host, std::to_string(endpoint_.port),
            [&endpoints, handler](beast::error_code ec, tcp::resolver::results_type r) mutable {
                endpoints = std::move(r);
                handler(ec);
            });
    });
    if (!st) {
        return st;
    }
    stream_.emplace(ioc_, ctx_);
    SSL* ssl = stream_->native_handle();
    // OpenSSL checks the name during the handshake; SNI only for DNS names (RFC 6066).
    bool named =
        endpoint_.host_is_ip
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), endpoint_.host.c_str()) == 1
            : SSL_set1_host(ssl, endpoint_.host.c_str()) == 1 &&
                  SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str()) == 1;
    if (!named) {
        close();
        return fail(openssl_error(ErrorCode::kInvalidArgument, "server name " + endpoint_.host));
    }
    st = run("connecting to " + where, timeouts_.connect, cancel, [&](auto handler) {
        beast::get_lowest_layer(*stream_).async_connect(
            endpoints,
            [handler](beast::error_code ec, const tcp::endpoint&) mutable { handler(ec); });
    });
    if (!st) {
        close();
        return st;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().set_option(tcp::no_delay(true), ignored);
    st = run("TLS handshake with " + where, timeouts_.connect, cancel,
             [&](auto handler) { stream_->async_handshake(ssl::stream_base::client, handler); });
    if (!st) {
        close();
        return st;
    }
    return {};
}

core::Result<HttpResponse> HttpsClient::Impl::exchange(http::request<http::string_body>& req,
                                                       const std::atomic<bool>& cancel) {
    auto st = run("sending the request to " + endpoint_.authority(), timeouts_.io, cancel,
                  [&](auto handler) { http::async_write(*stream_, req, handler); });
    if (!st) {
        close();
        return fail(std::move(st.error()));
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_);
    parser.header_limit(16 * 1024);
    st = run("reading the response from " + endpoint_.authority(), timeouts_.io, cancel,
             [&](auto handler) { http::async_read(*stream_, buffer_, parser, handler); });
    if (!st) {
        close();
        return fail(std::move(st.error()));
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    if (!res.keep_alive()) {
        close();
    }
    return out;
}

core::Result<HttpResponse> HttpsClient::Impl::post(http::request<http::string_body>& req,
                                                   const std::atomic<bool>& cancel) {
    bool reused = connected();
    if (!reused) {
        if (auto st = connect(cancel); !st) {
            return fail(std::move(st.error()));
        }
    }
    auto res = exchange(req, cancel);
    if (!res && reused && !cancel.load()) {
        // An idle keep-alive connection the server has closed fails only when used.
        if (auto st = connect(cancel); !st) {
            return fail(std::move(st.error()));
        }
        res = exchange(req, cancel);
    }
    return res;
}

void HttpsClient::Impl::close() {
    if (stream_) {
        beast::get_lowest_layer(*stream_).close();
        ioc_.restart();
        ioc_.poll();  // let aborted handlers of the old stream finish before it goes
        stream_.reset();
    }
    buffer_.clear();
}

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() = default;

core::Result<std::unique_ptr<HttpsClient>> HttpsClient::create(Endpoint endpoint,
                                                               const ClientTlsFiles& tls,
                                                               Timeouts timeouts,
                                                               std::size_t max_response_bytes) {
    try {
        auto impl = std::make_unique<Impl>(std::move(endpoint), timeouts, max_response_bytes);
        if (auto st = impl->configure(tls); !st) {
            return fail(std::move(st.error()));
        }
        return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
    } catch (const std::exception& e) {
        // ssl::context's constructor throws only when OpenSSL cannot allocate a context.
        return fail(Error::internal(std::string("TLS client context: ") + e.what()));
    }
}

core::Result<HttpResponse> HttpsClient::post(std::string_view target, std::string_view content_type,
                                             std::string body, std::span<const Header> headers,
                                             const std::atomic<bool>& cancel) {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, impl_->endpoint().authority());
    req.set(http::field::user_agent, "cyberalarm-uplink/1");
    req.set(http::field::content_type, content_type);
    for (const auto& [name, value] : headers) {
        req.set(name, value);
    }
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    try {
        return impl_->post(req, cancel);
    } catch (const std::exception& e) {
        // Beast reports through error codes; only allocation failure can get here.
        impl_->close();
        return fail(Error::internal(std::string("HTTPS request: ") + e.what()));
    }
}

void HttpsClient::close() {
    impl_->close();
}
bool HttpsClient::connected() const {
    return impl_->connected();
}

}  // namespace cyberalarm::uplink::internal
