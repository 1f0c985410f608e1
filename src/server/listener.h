// HttpsListener: one TLS listening socket that turns HTTP/1.1 requests into HttpRequest
// values for a service and writes back its HttpResponse (Boost.Beast over OpenSSL).
//
// What it enforces, before any service sees a byte:
// - TLS 1.2 or later with forward-secret AEAD suites (certs.h); optional client
//   certificates verified against a CA (request.client_certificate is filled only for a
//   certificate that verified).
// - Deadlines: the TLS handshake; the idle wait for a kept-alive connection's next request;
//   the headers, counted from the request's first byte (a slowloris client is cut); the
//   body; writing the answer. A connection past a deadline is closed.
// - Sizes: headers (431-style close), the body (413 with a JSON reason, then close). A
//   service can lower the body limit per request and refuse a request from its headers
//   alone (HeadCheck), so an overloaded or unauthenticated client is answered before its
//   body is read.
// - At most max_connections at once; one more is accepted and closed at once.
// - Every response carries Strict-Transport-Security and X-Content-Type-Options: nosniff.
//
// Threads: io_threads run the sockets; services run on handler_threads (a service may block
// on storage without stalling TLS or deadlines). stop() stops accepting, closes idle
// connections, lets requests in flight finish (up to drain_timeout) and returns when every
// thread is joined.
//
// Thread safety: start()/stop() from one owning thread; the rest from any thread. The
// services must be safe to call concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "server/api/http.h"
#include "uplink/pki.h"

namespace cyberalarm::server {

// A service's decision on a request's headers (the body is not read yet).
struct HeadVerdict {
    std::optional<HttpResponse> refuse;  // answer this and close instead of reading the body
    std::size_t max_body_bytes = 0;      // 0: the listener's limit; else the lower of the two
};
// Receives the request without its body.
using HeadCheck = std::function<HeadVerdict(const HttpRequest& head)>;

struct ListenerOptions {
    std::string name = "https";       // for logs and metrics ("ingest", "api")
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port (see HttpsListener::port())
    std::string cert_chain_pem;  // the server certificate, then any intermediates
    std::string client_ca_pem;   // non-empty: request client certificates signed by it
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 16u << 20;
    std::size_t max_connections = 1024;
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};    // between kept-alive requests
    std::chrono::milliseconds header_timeout{10'000};  // first byte to end of headers
    std::chrono::milliseconds body_timeout{60'000};    // end of headers to end of body
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds drain_timeout{10'000};  // stop(): wait for requests in flight
    unsigned io_threads = 2;
    unsigned handler_threads = 4;
    long hsts_max_age_s = 31'536'000;
};

struct ListenerStats {
    std::uint64_t connections = 0;          // accepted and served
    std::uint64_t connections_refused = 0;  // over max_connections
    std::uint64_t handshake_failures = 0;
    std::uint64_t timeouts = 0;  // connections cut by a deadline
    std::uint64_t requests = 0;
    std::uint64_t too_large = 0;  // 413 for the body or an oversized header
    std::uint64_t active = 0;     // open now
};

class HttpsListener {
public:
    // Binds (so a port in use fails here) but does not serve until start().
    // `key` is copied into the TLS context. Errors: kInvalidArgument (TLS material, address),
    // kIo (bind/listen).
    [[nodiscard]] static core::Result<std::unique_ptr<HttpsListener>> create(
        ListenerOptions options, const uplink::PrivateKey& key, HttpHandler handler,
        HeadCheck head_check = {});
    ~HttpsListener();  // stop()
    HttpsListener(const HttpsListener&) = delete;
    HttpsListener& operator=(const HttpsListener&) = delete;

    void start();
    void stop();

    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] const ListenerOptions& options() const;
    [[nodiscard]] ListenerStats stats() const;

    class Impl;

private:
    explicit HttpsListener(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::server
