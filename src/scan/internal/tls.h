// A TLS client session over a connected non-blocking socket, for probing: any protocol
// version OpenSSL still implements (security level 0, so TLS 1.0/1.1 and weak suites can be
// offered on purpose), no certificate verification (the checks inspect the chain instead),
// and deadlines on every step.
//
// Thread safety: one session per thread; OpenSSL 3 is itself thread-safe.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "scan/internal/net.h"

namespace cyberalarm::scan::internal {

struct SslCtxFree {
    void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
    void operator()(SSL* p) const { SSL_free(p); }
};
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

struct TlsOffer {
    int min_version = 0;  // TLS1_VERSION …; 0 = OpenSSL's lowest
    int max_version = 0;  // 0 = highest
    std::string ciphers;  // TLS ≤ 1.2 cipher list; "" = everything at level 0
    std::string sni;      // server name to send; "" = none (addresses get none)
};

class TlsSession {
public:
    // Handshakes over `fd` (taken). kUnavailable with OpenSSL's reason on failure.
    [[nodiscard]] static core::Result<std::unique_ptr<TlsSession>> connect(Fd fd,
                                                                           const TlsOffer& offer,
                                                                           Millis timeout);

    [[nodiscard]] core::Status write(std::string_view data, Millis timeout);
    // One chunk: >0 bytes, 0 on close or error, -1 on timeout.
    [[nodiscard]] long recv_chunk(char* buf, std::size_t len, Millis timeout);
    // Reads until `timeout`, close, or `max` bytes.
    [[nodiscard]] core::Result<std::string> read(std::size_t max, Millis timeout);

    [[nodiscard]] SSL* ssl() const { return ssl_.get(); }
    [[nodiscard]] std::string version() const;  // "TLSv1.2"
    [[nodiscard]] std::string cipher() const;   // OpenSSL name

private:
    TlsSession(SslCtxPtr ctx, SslPtr ssl, Fd fd)
        : ctx_(std::move(ctx)), ssl_(std::move(ssl)), fd_(std::move(fd)) {}
    SslCtxPtr ctx_;
    SslPtr ssl_;
    Fd fd_;
};

// The OpenSSL error queue as text (and cleared).
std::string ssl_error_text();

}  // namespace cyberalarm::scan::internal
