// Keys, certificate requests and certificates for enrollment and mutual TLS (OpenSSL 3).
//
// The collector side uses PrivateKey::generate(), make_csr() and write_private_key_file();
// the server side (and tests) use CertificateAuthority, sign_client_csr() and
// issue_server_certificate(). Certificates travel as PEM strings.
//
// Choices: EC P-256 keys, ECDSA with SHA-256; serial numbers of 127 random bits; validity
// starts five minutes in the past to tolerate clock skew. A signed client certificate takes
// its subject from the enrollment (the collector id), never from the request, and carries
// basicConstraints CA:FALSE, keyUsage digitalSignature and extendedKeyUsage clientAuth, so
// it cannot act as a CA or a server.
//
// Files: private keys are written unencrypted (the daemon starts unattended) and are
// protected by mode 0600 from the moment the file exists: write_file_atomic() creates a
// temporary file with mkstemp (0600, O_EXCL) in the target directory, writes, fsyncs,
// sets the final mode and renames it into place.
//
// Thread safety: free functions are thread-safe; a PrivateKey may be shared read-only.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace cyberalarm::uplink {

// An asymmetric private key (EC P-256 when generated here).
class PrivateKey {
public:
    [[nodiscard]] static core::Result<PrivateKey> generate();
    // Reads an unencrypted PEM private key (PKCS#8 or traditional).
    [[nodiscard]] static core::Result<PrivateKey> from_pem(std::string_view pem);
    [[nodiscard]] static core::Result<PrivateKey> load(const std::filesystem::path& path);

    // PKCS#8 PEM of the public key.
    [[nodiscard]] core::Result<std::string> public_key_pem() const;
    // The underlying OpenSSL key; owned by this object.
    [[nodiscard]] evp_pkey_st* get() const { return key_.get(); }

private:
    struct Free {
        void operator()(evp_pkey_st* key) const;
    };
    explicit PrivateKey(evp_pkey_st* key) : key_(key) {}
    std::unique_ptr<evp_pkey_st, Free> key_;
};

// A certificate authority: its key and self-signed certificate.
struct CertificateAuthority {
    PrivateKey key;
    std::string cert_pem;

    // A new self-signed CA (basicConstraints CA:TRUE, pathlen 0) valid for `days`.
    [[nodiscard]] static core::Result<CertificateAuthority> create(std::string_view common_name,
                                                                   int days);
    // An existing CA; checks that the key belongs to the certificate.
    [[nodiscard]] static core::Result<CertificateAuthority> from_pem(std::string_view cert_pem,
                                                                     std::string_view key_pem);
};

// A PEM certificate signing request for `key` with subject CN=common_name, signed by `key`
// (which proves possession of the key to the CA).
[[nodiscard]] core::Result<std::string> make_csr(const PrivateKey& key,
                                                 std::string_view common_name);

// Signs a client certificate for `collector_id` over the public key in `csr_pem`. Checks the
// request's own signature and its key (EC of at least 256 bits or RSA of at least 2048); the
// request's subject and extensions are ignored. Errors: kParse (not a CSR), kUnauthenticated
// (bad CSR signature), kUnsupported (weak or unknown key type), kInvalidArgument (bad id).
[[nodiscard]] core::Result<std::string> sign_client_csr(const CertificateAuthority& ca,
                                                        std::string_view csr_pem,
                                                        std::string_view collector_id, int days);

// Issues a server certificate for `key` with subject CN=common_name and one subjectAltName
// per entry of `alt_names` (an IPv4/IPv6 literal becomes an IP name, anything else a DNS
// name), extendedKeyUsage serverAuth.
[[nodiscard]] core::Result<std::string> issue_server_certificate(
    const CertificateAuthority& ca, const PrivateKey& key, std::string_view common_name,
    std::span<const std::string> alt_names, int days);

// The subject common name of a PEM certificate.
[[nodiscard]] core::Result<std::string> certificate_common_name(std::string_view cert_pem);

enum class CertPurpose { kAny, kTlsClient, kTlsServer };
// Verifies `cert_pem` against the CA certificate(s) in `ca_pem` (signature, validity now,
// and the purpose's extended key usage). kUnauthenticated with OpenSSL's reason on failure.
[[nodiscard]] core::Status verify_certificate(std::string_view cert_pem, std::string_view ca_pem,
                                              CertPurpose purpose);

// kInvalidArgument unless `key` is the private key of the certificate.
[[nodiscard]] core::Status check_key_matches(std::string_view cert_pem, const PrivateKey& key);

// Writes `data` to `path` atomically with the given mode (see the header comment); the file
// is never readable beyond mode 0600 until complete. Replaces an existing file.
[[nodiscard]] core::Status write_file_atomic(const std::filesystem::path& path,
                                             std::string_view data, mode_t mode);
// Writes `key` as unencrypted PKCS#8 PEM, mode 0600. The PEM passes through OpenSSL secure
// memory, cleared when freed.
[[nodiscard]] core::Status write_private_key_file(const std::filesystem::path& path,
                                                  const PrivateKey& key);
// Reads a file of at most `max_bytes` (certificates, keys: small).
[[nodiscard]] core::Result<std::string> read_small_file(const std::filesystem::path& path,
                                                        std::size_t max_bytes = 1 << 20);

}  // namespace cyberalarm::uplink
