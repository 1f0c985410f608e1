// The tests' TLS clients (server_support.h): Boost.Beast, synchronous, with socket timeouts.
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <array>
#include <cctype>

#include "server/server_support.h"
#include "uplink/wire.h"

namespace cyberalarm::test {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

ssl::context client_context(const std::filesystem::path& ca_file,
                            const std::optional<uplink::EnrollResult>& client) {
    ssl::context ctx{ssl::context::tls_client};
    ctx.load_verify_file(ca_file.string());
    ctx.set_verify_mode(ssl::verify_peer);
    if (client) {
        ctx.use_certificate_chain_file(client->cert_file.string());
        ctx.use_private_key_file(client->key_file.string(), ssl::context::pem);
    }
    return ctx;
}

}  // namespace

struct TlsConnection::Impl {
    asio::io_context ioc;
    ssl::context ctx;
    ssl::stream<tcp::socket> stream;

    Impl(std::uint16_t port, const std::filesystem::path& ca_file,
         const std::optional<uplink::EnrollResult>& client)
        : ctx(client_context(ca_file, client)), stream(ioc, ctx) {
        stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        timeval tv{10, 0};
        ::setsockopt(stream.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv,
                     sizeof tv);
        stream.handshake(ssl::stream_base::client);
    }
};

TlsConnection::TlsConnection(std::uint16_t port, const std::filesystem::path& ca_file)
    : impl_(std::make_unique<Impl>(port, ca_file, std::nullopt)) {}

TlsConnection::~TlsConnection() = default;

bool TlsConnection::write(std::string_view bytes) {
    beast::error_code ec;
    asio::write(impl_->stream, asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
}

std::string TlsConnection::read_until_closed(std::chrono::milliseconds timeout, bool& closed) {
    // Asynchronous reads driven for at most `timeout`: a blocking read would wait in poll()
    // beyond any socket timeout.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    std::array<char, 4096> buf{};
    closed = false;
    for (;;) {
        bool done = false;
        beast::error_code result;
        std::size_t got = 0;
        impl_->stream.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t n) {
            done = true;
            result = ec;
            got = n;
        });
        impl_->ioc.restart();
        impl_->ioc.run_until(deadline);
        if (!done) {
            beast::error_code ignored;
            impl_->stream.next_layer().cancel(ignored);
            impl_->ioc.restart();
            impl_->ioc.run();
            out.append(buf.data(), got);
            return out;  // the deadline passed with the connection open
        }
        out.append(buf.data(), got);
        if (result) {
            closed = true;  // EOF, reset or a truncated TLS stream
            return out;
        }
    }
}

Answer https_request(std::uint16_t port, const std::filesystem::path& ca_file,
                     const std::optional<uplink::EnrollResult>& client, const std::string& method,
                     const std::string& target, const std::string& content_type,
                     const std::string& body, const Headers& headers) {
    Answer answer;
    try {
        TlsConnection::Impl conn(port, ca_file, client);
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
        req.set(http::field::content_type, content_type);
        for (const auto& [name, value] : headers) {
            req.set(name, value);
        }
        req.body() = body;
        req.prepare_payload();
        http::write(conn.stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        http::read(conn.stream, buffer, parser);
        const auto& res = parser.get();
        answer.status = res.result_int();
        answer.body = res.body();
        for (const auto& field : res) {
            std::string name(field.name_string());
            for (char& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            answer.headers.emplace(name, std::string(field.value()));
        }
    } catch (const std::exception& e) {
        answer.status = 0;
        answer.body = e.what();
    }
    return answer;
}

Answer post_batch(std::uint16_t port, const std::filesystem::path& ca_file,
                  const std::optional<uplink::EnrollResult>& client, const std::string& body,
                  const std::string& range) {
    Headers headers;
    if (!range.empty()) {
        headers.emplace_back(std::string(uplink::kBatchRangeHeader), range);
    }
    return https_request(port, ca_file, client, "POST", std::string(uplink::kBatchPath),
                         std::string(uplink::kBatchContentType), body, headers);
}

}  // namespace cyberalarm::test
