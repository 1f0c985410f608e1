// One kept-alive HTTPS connection to the server, with deadlines and cancellation.
//
// Boost.Beast over boost::asio::ssl (OpenSSL). The server certificate is verified against
// the configured CA file and checked against the host (DNS name or IP address) by OpenSSL
// itself (SSL_set1_host / X509_VERIFY_PARAM_set1_ip_asc); TLS 1.2 is the minimum, 1.3 is
// preferred by OpenSSL's defaults. A client certificate is presented when one is given.
//
// Every step (resolve, connect, handshake, write, read) runs asynchronously on a private
// io_context driven in 50 ms slices, so each has a deadline and a set `cancel` flag aborts
// it within about 50 ms: nothing here blocks forever.
//
// Thread safety: not thread-safe; one owner thread (the uplink's).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "uplink/endpoint.h"

namespace cyberalarm::uplink::internal {

struct ClientTlsFiles {
    std::filesystem::path ca_file;    // CA certificate(s) that must sign the server's
    std::filesystem::path cert_file;  // our certificate chain; empty = present none
    std::filesystem::path key_file;   // its private key
};

struct Timeouts {
    std::chrono::milliseconds connect{10'000};  // each of resolve, connect, TLS handshake
    std::chrono::milliseconds io{30'000};       // writing a request, reading a response
};

struct HttpResponse {
    unsigned status = 0;
    std::string content_type;
    std::string body;
};

using Header = std::pair<std::string_view, std::string_view>;

class HttpsClient {
public:
    // Loads the CA file and the client certificate and key (checking they match). Does not
    // connect. kInvalidArgument / kNotFound naming the file that is wrong.
    [[nodiscard]] static core::Result<std::unique_ptr<HttpsClient>> create(
        Endpoint endpoint, const ClientTlsFiles& tls, Timeouts timeouts,
        std::size_t max_response_bytes = 1 << 20);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    // POSTs `body` to `target` and reads the response, connecting first if needed. If a
    // reused connection fails (the server may have closed it while idle) the request is sent
    // once more on a fresh one; callers only send idempotent requests. Errors are
    // kUnavailable with the step and the reason ("TLS handshake with 127.0.0.1:4443:
    // certificate verify failed ...", "reading the response: timed out after 30000 ms").
    [[nodiscard]] core::Result<HttpResponse> post(std::string_view target,
                                                  std::string_view content_type, std::string body,
                                                  std::span<const Header> headers,
                                                  const std::atomic<bool>& cancel);

    // Drops the connection (no TLS close_notify: the peer may be gone).
    void close();
    [[nodiscard]] bool connected() const;

    class Impl;

private:
    explicit HttpsClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::uplink::internal
