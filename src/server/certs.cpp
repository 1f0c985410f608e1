#include "server/certs.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>

namespace cyberalarm::server {

namespace {

struct BioFree {
    void operator()(BIO* b) const { BIO_free_all(b); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::string openssl_reason() {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) {
        return "unknown error";
    }
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

std::string serial_hex(const X509* cert) {
    BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    if (!bn) {
        return {};
    }
    char* raw = BN_bn2hex(bn.get());
    if (raw == nullptr) {
        return {};
    }
    std::string out(raw);
    OPENSSL_free(raw);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto first = out.find_first_not_of('0');
    return first == std::string::npos ? "0" : out.substr(first);
}

// The subject CN. Collector ids are plain ASCII ([A-Za-z0-9._-]); a CN that is not would
// not match any stored collector and is refused there.
std::optional<std::string> common_name(X509* cert) {
    X509_NAME* name = X509_get_subject_name(cert);
    char buf[256];
    const int n = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof buf);
    if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf - 1) {
        return std::nullopt;
    }
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

core::Result<CertificateFacts> certificate_facts(std::string_view cert_pem) {
    BioPtr bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert) {
        return core::fail(core::Error::parse("not a PEM certificate: " + openssl_reason()));
    }
    CertificateFacts facts;
    facts.common_name = common_name(cert.get()).value_or("");
    facts.serial_hex = serial_hex(cert.get());
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
        return core::fail(core::Error::parse("certificate expiry unreadable"));
    }
    facts.not_after_ns = static_cast<std::int64_t>(timegm(&tm)) * 1'000'000'000;
    return facts;
}

std::optional<ClientCertificate> verified_peer(ssl_st* ssl, bool& presented) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    presented = peer != nullptr;
    if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
        return std::nullopt;
    }
    auto cn = common_name(peer);
    if (!cn) {
        return std::nullopt;
    }
    return ClientCertificate{std::move(*cn), serial_hex(peer)};
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr) != 1) {
        return {};  // only on allocation failure; an empty hash matches nothing stored
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (unsigned int i = 0; i < n; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 0xf]);
    }
    return out;
}

core::Status configure_server_tls(ssl_ctx_st* ctx, std::string_view cert_chain_pem,
                                  const uplink::PrivateKey& key, std::string_view client_ca_pem) {
    auto refuse = [](std::string what) {
        return core::fail(core::Error::invalid_argument(what + ": " + openssl_reason()));
    };
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    // TLS 1.2: ECDHE only (forward secrecy), AEAD only. TLS 1.3 keeps OpenSSL's suites.
    if (SSL_CTX_set_cipher_list(ctx,
                                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
                                "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305") != 1) {
        return refuse("TLS cipher list");
    }
    BioPtr bio(BIO_new_mem_buf(cert_chain_pem.data(), static_cast<int>(cert_chain_pem.size())));
    X509Ptr leaf(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
        return refuse("server certificate");
    }
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
            X509_free(extra);
            return refuse("server certificate chain");
        }
    }
    ERR_clear_error();  // the loop ends on "no start line"
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        return refuse("server private key");
    }
    if (client_ca_pem.empty()) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        return {};
    }
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    BioPtr ca_bio(BIO_new_mem_buf(client_ca_pem.data(), static_cast<int>(client_ca_pem.size())));
    int added = 0;
    while (X509* ca = PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, ca);
        // The CA names sent in CertificateRequest tell the client which certificate to pick.
        SSL_CTX_add_client_CA(ctx, ca);
        X509_free(ca);
        ++added;
    }
    ERR_clear_error();
    if (added == 0) {
        return core::fail(core::Error::invalid_argument("client CA: no certificate in PEM"));
    }
    // Request a certificate without requiring one (enrollment needs none); a certificate
    // that is presented and fails verification fails the handshake.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    // Needed for session resumption once peers are verified; resumed sessions keep the peer.
    static constexpr unsigned char kSessionContext[] = "cyberalarm-ingest";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
    // Client certificates are for clientAuth only.
    X509_VERIFY_PARAM_set_purpose(SSL_CTX_get0_param(ctx), X509_PURPOSE_SSL_CLIENT);
    return {};
}

}  // namespace cyberalarm::server
