#include "scan/internal/tls.h"

#include <openssl/err.h>
#include <poll.h>

#include <cerrno>
#include <chrono>

namespace cyberalarm::scan::internal {

using core::Error;
using core::ErrorCode;
using core::fail;

std::string ssl_error_text() {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        if (!out.empty()) {
            out += "; ";
        }
        out += buf;
    }
    return out.empty() ? std::string("handshake refused") : out;
}

namespace {

Millis left_until(std::chrono::steady_clock::time_point deadline) {
    return std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
}

// Waits as SSL_get_error asks. False on timeout or a fatal error.
bool wait_io(SSL* ssl, int rc, int fd, std::chrono::steady_clock::time_point deadline) {
    int err = SSL_get_error(ssl, rc);
    short events = 0;
    if (err == SSL_ERROR_WANT_READ) {
        events = POLLIN;
    } else if (err == SSL_ERROR_WANT_WRITE) {
        events = POLLOUT;
    } else {
        return false;
    }
    Millis left = left_until(deadline);
    if (left.count() <= 0) {
        return false;
    }
    pollfd p{fd, events, 0};
    int n;
    do {
        n = ::poll(&p, 1, static_cast<int>(left.count()));
    } while (n < 0 && errno == EINTR);
    return n > 0;
}

}  // namespace

core::Result<std::unique_ptr<TlsSession>> TlsSession::connect(Fd fd, const TlsOffer& offer,
                                                             Millis timeout) {
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        return fail(Error(ErrorCode::kInternal, "SSL_CTX_new: " + ssl_error_text()));
    }
    // Level 0: the point is to see what the server accepts, including what is weak.
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
    if ((offer.min_version != 0 &&
         SSL_CTX_set_min_proto_version(ctx.get(), offer.min_version) != 1) ||
        (offer.max_version != 0 &&
         SSL_CTX_set_max_proto_version(ctx.get(), offer.max_version) != 1)) {
        return fail(Error(ErrorCode::kUnsupported, "protocol version not available in OpenSSL"));
    }
    std::string list = offer.ciphers.empty() ? "ALL:COMPLEMENTOFALL:@SECLEVEL=0" : offer.ciphers;
    if (SSL_CTX_set_cipher_list(ctx.get(), list.c_str()) != 1) {
        return fail(Error(ErrorCode::kUnsupported, "cipher list '" + list + "' not available"));
    }
    SslPtr ssl(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) {
        return fail(Error(ErrorCode::kInternal, "SSL_new: " + ssl_error_text()));
    }
    if (!offer.sni.empty()) {
        SSL_set_tlsext_host_name(ssl.get(), offer.sni.c_str());
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int rc = SSL_connect(ssl.get());
        if (rc == 1) {
            break;
        }
        if (!wait_io(ssl.get(), rc, fd.get(), deadline)) {
            return fail(Error(ErrorCode::kUnavailable, "TLS handshake: " + ssl_error_text()));
        }
    }
    return std::unique_ptr<TlsSession>(new TlsSession(std::move(ctx), std::move(ssl), std::move(fd)));
}

core::Status TlsSession::write(std::string_view data, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!data.empty()) {
        std::size_t written = 0;
        int rc = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
        if (rc == 1) {
            data.remove_prefix(written);
            continue;
        }
        if (!wait_io(ssl_.get(), rc, fd_.get(), deadline)) {
            return fail(Error(ErrorCode::kUnavailable, "TLS write: " + ssl_error_text()));
        }
    }
    return {};
}

core::Result<std::string> TlsSession::read(std::size_t max, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    char buf[4096];
    while (out.size() < max) {
        std::size_t got = 0;
        int rc = SSL_read_ex(ssl_.get(), buf, std::min(sizeof buf, max - out.size()), &got);
        if (rc == 1) {
            out.append(buf, got);
            continue;
        }
        if (!wait_io(ssl_.get(), rc, fd_.get(), deadline)) {
            break;  // closed, timed out or reset: keep what arrived
        }
    }
    ERR_clear_error();
    return out;
}

long TlsSession::recv_chunk(char* buf, std::size_t len, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::size_t got = 0;
        int rc = SSL_read_ex(ssl_.get(), buf, len, &got);
        if (rc == 1) {
            return static_cast<long>(got);
        }
        int err = SSL_get_error(ssl_.get(), rc);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            ERR_clear_error();
            return 0;
        }
        if (!wait_io(ssl_.get(), rc, fd_.get(), deadline)) {
            return -1;
        }
    }
}

std::string TlsSession::version() const { return SSL_get_version(ssl_.get()); }

std::string TlsSession::cipher() const {
    const SSL_CIPHER* c = SSL_get_current_cipher(ssl_.get());
    return c != nullptr ? SSL_CIPHER_get_name(c) : std::string();
}

}  // namespace cyberalarm::scan::internal
