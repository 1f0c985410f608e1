// Certificate facts the server needs beyond uplink/pki.h: who a peer certificate names and
// which certificate it is (subject CN and serial), when it expires, SHA-256 in hex, and the
// TLS settings both listeners share.
//
// Serial numbers are written as lower-case hex without leading zeros, the form stored in
// store::Collector::cert_serial and compared on every batch; the same function produces it
// at enrollment (from the signed PEM) and at the handshake (from the peer's X509), so the
// two always agree.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/api/http.h"
#include "uplink/pki.h"

struct ssl_st;      // OpenSSL's SSL
struct ssl_ctx_st;  // OpenSSL's SSL_CTX
struct x509_st;     // OpenSSL's X509

namespace cyberalarm::server {

struct CertificateFacts {
    std::string common_name;
    std::string serial_hex;  // lower-case, no leading zeros
    std::int64_t not_after_ns = 0;
};

// CN, serial and expiry of a PEM certificate. kParse if it is not one.
[[nodiscard]] core::Result<CertificateFacts> certificate_facts(std::string_view cert_pem);

// The client certificate of an established TLS connection, if the peer presented one and it
// verified (the listener's verify mode makes a failed verification fail the handshake; this
// checks again). `presented` says whether any certificate was sent.
[[nodiscard]] std::optional<ClientCertificate> verified_peer(ssl_st* ssl, bool& presented);

// Lower-case hex SHA-256 of `data` (tokens are stored and looked up this way).
[[nodiscard]] std::string sha256_hex(std::string_view data);

// Puts the server certificate and key into `ctx` and sets what every listener shares:
// TLS 1.2 at least, forward-secret AEAD cipher suites for TLS 1.2 (TLS 1.3's are all AEAD),
// no renegotiation, no compression, the server's cipher preference. A non-empty
// `client_ca_pem` makes the server request (not require) a client certificate that must
// verify against it; an empty one requests none.
[[nodiscard]] core::Status configure_server_tls(ssl_ctx_st* ctx, std::string_view cert_chain_pem,
                                                const uplink::PrivateKey& key,
                                                std::string_view client_ca_pem);

}  // namespace cyberalarm::server
