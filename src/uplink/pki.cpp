#include "uplink/pki.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "uplink/internal/ossl.h"
#include "uplink/messages.h"

namespace cyberalarm::uplink {

namespace {

using core::Error;
using core::ErrorCode;
using core::fail;
using internal::openssl_error;

constexpr int kMaxCommonName = 64;  // ub_common_name in RFC 5280

Error errno_error(std::string what) {
    return Error::io(std::move(what) + ": " + std::strerror(errno));
}

core::Status add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) {
        return fail(openssl_error(ErrorCode::kInternal, std::string("extension ") + value));
    }
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) {
        return fail(openssl_error(ErrorCode::kInternal, "adding a certificate extension"));
    }
    return {};
}

// A certificate for `subject_key` named CN=common_name, issued by `issuer` (null: itself),
// without extensions and unsigned.
core::Result<internal::X509Ptr> new_certificate(X509* issuer, EVP_PKEY* subject_key,
                                                std::string_view common_name, int days) {
    if (common_name.empty() || common_name.size() > kMaxCommonName) {
        return fail(Error::invalid_argument("certificate common name must be 1-64 bytes"));
    }
    if (days < 1 || days > 36500) {
        return fail(Error::invalid_argument("certificate validity must be 1-36500 days"));
    }
    internal::X509Ptr cert(X509_new());
    if (!cert) {
        return fail(openssl_error(ErrorCode::kResourceExhausted, "X509_new"));
    }
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) {
        return fail(openssl_error(ErrorCode::kInternal, "random serial number"));
    }
    serial[0] = static_cast<unsigned char>((serial[0] & 0x3f) | 0x40);  // positive, 16 bytes
    internal::BignumPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
    X509_NAME* name = X509_get_subject_name(cert.get());
    bool ok = bn && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
              BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr &&
              X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) != nullptr &&
              X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) != nullptr &&
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(common_name.data()),
                                         static_cast<int>(common_name.size()), -1, 0) == 1 &&
              X509_set_issuer_name(cert.get(),
                                   issuer != nullptr ? X509_get_subject_name(issuer) : name) == 1 &&
              X509_set_pubkey(cert.get(), subject_key) == 1;
    if (!ok) {
        return fail(openssl_error(ErrorCode::kInternal, "building a certificate"));
    }
    return cert;
}

core::Result<std::string> sign_and_encode(X509* cert, EVP_PKEY* ca_key) {
    if (X509_sign(cert, ca_key, EVP_sha256()) <= 0) {
        return fail(openssl_error(ErrorCode::kInternal, "signing a certificate"));
    }
    internal::BioPtr out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_X509(out.get(), cert) != 1) {
        return fail(openssl_error(ErrorCode::kInternal, "writing a certificate"));
    }
    return internal::bio_string(out.get());
}

bool dns_name_ok(std::string_view s) {
    if (s.empty() || s.size() > 253) {
        return false;
    }
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '*';
        if (!ok) {
            return false;
        }
    }
    return true;
}

core::Result<internal::GeneralNamesPtr> alt_names_of(std::span<const std::string> names) {
    internal::GeneralNamesPtr gens(sk_GENERAL_NAME_new_null());
    if (!gens) {
        return fail(openssl_error(ErrorCode::kResourceExhausted, "subjectAltName"));
    }
    for (const auto& n : names) {
        GENERAL_NAME* gen = GENERAL_NAME_new();
        if (gen == nullptr) {
            return fail(openssl_error(ErrorCode::kResourceExhausted, "subjectAltName"));
        }
        if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(n.c_str()); ip != nullptr) {
            GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
        } else if (dns_name_ok(n)) {
            ERR_clear_error();  // a2i_IPADDRESS left one
            ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
            if (dns == nullptr || ASN1_STRING_set(dns, n.data(), static_cast<int>(n.size())) != 1) {
                ASN1_IA5STRING_free(dns);
                GENERAL_NAME_free(gen);
                return fail(openssl_error(ErrorCode::kResourceExhausted, "subjectAltName"));
            }
            GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
        } else {
            ERR_clear_error();
            GENERAL_NAME_free(gen);
            return fail(Error::invalid_argument("subjectAltName '" + n +
                                                "' is neither an IP address nor a DNS name"));
        }
        if (sk_GENERAL_NAME_push(gens.get(), gen) == 0) {
            GENERAL_NAME_free(gen);
            return fail(openssl_error(ErrorCode::kResourceExhausted, "subjectAltName"));
        }
    }
    return gens;
}

}  // namespace

void PrivateKey::Free::operator()(evp_pkey_st* key) const {
    EVP_PKEY_free(key);
}

core::Result<PrivateKey> PrivateKey::generate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) {
        return fail(openssl_error(ErrorCode::kInternal, "generating an EC P-256 key"));
    }
    return PrivateKey(key);
}

core::Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
    auto bio = internal::memory_bio(pem);
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (key == nullptr) {
        return fail(openssl_error(ErrorCode::kParse, "not an unencrypted PEM private key"));
    }
    return PrivateKey(key);
}

core::Result<PrivateKey> PrivateKey::load(const std::filesystem::path& path) {
    auto pem = read_small_file(path);
    if (!pem) {
        return fail(std::move(pem.error()));
    }
    auto key = from_pem(*pem);
    OPENSSL_cleanse(pem->data(), pem->size());
    if (!key) {
        return fail(std::move(key.error()).context(path.string()));
    }
    return key;
}

core::Result<std::string> PrivateKey::public_key_pem() const {
    internal::BioPtr out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_PUBKEY(out.get(), key_.get()) != 1) {
        return fail(openssl_error(ErrorCode::kInternal, "writing a public key"));
    }
    return internal::bio_string(out.get());
}

core::Result<CertificateAuthority> CertificateAuthority::create(std::string_view common_name,
                                                                int days) {
    auto key = PrivateKey::generate();
    if (!key) {
        return fail(std::move(key.error()));
    }
    auto cert = new_certificate(nullptr, key->get(), common_name, days);
    if (!cert) {
        return fail(std::move(cert.error()));
    }
    X509* c = cert->get();
    for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                              std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                              std::pair{NID_subject_key_identifier, "hash"},
                              std::pair{NID_authority_key_identifier, "keyid:always"}}) {
        if (auto st = add_extension(c, c, nid, value); !st) {
            return fail(std::move(st.error()));
        }
    }
    auto pem = sign_and_encode(c, key->get());
    if (!pem) {
        return fail(std::move(pem.error()));
    }
    return CertificateAuthority{std::move(*key), std::move(*pem)};
}

core::Result<CertificateAuthority> CertificateAuthority::from_pem(std::string_view cert_pem,
                                                                  std::string_view key_pem) {
    auto key = PrivateKey::from_pem(key_pem);
    if (!key) {
        return fail(std::move(key.error()));
    }
    if (auto st = check_key_matches(cert_pem, *key); !st) {
        return fail(std::move(st.error()));
    }
    return CertificateAuthority{std::move(*key), std::string(cert_pem)};
}

core::Result<std::string> make_csr(const PrivateKey& key, std::string_view common_name) {
    if (common_name.empty() || common_name.size() > kMaxCommonName) {
        return fail(Error::invalid_argument("CSR common name must be 1-64 bytes"));
    }
    internal::X509ReqPtr req(X509_REQ_new());
    bool ok = req && X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) == 1 &&
              X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(common_name.data()),
                                         static_cast<int>(common_name.size()), -1, 0) == 1 &&
              X509_REQ_set_pubkey(req.get(), key.get()) == 1 &&
              X509_REQ_sign(req.get(), key.get(), EVP_sha256()) > 0;
    if (!ok) {
        return fail(openssl_error(ErrorCode::kInternal, "building a certificate request"));
    }
    internal::BioPtr out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_X509_REQ(out.get(), req.get()) != 1) {
        return fail(openssl_error(ErrorCode::kInternal, "writing a certificate request"));
    }
    return internal::bio_string(out.get());
}

core::Result<std::string> sign_client_csr(const CertificateAuthority& ca, std::string_view csr_pem,
                                          std::string_view collector_id, int days) {
    if (!valid_collector_id(collector_id)) {
        return fail(Error::invalid_argument("collector id must be 1-64 of [A-Za-z0-9._-]"));
    }
    auto bio = internal::memory_bio(csr_pem);
    internal::X509ReqPtr req(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr)
                                 : nullptr);
    if (!req) {
        return fail(openssl_error(ErrorCode::kParse, "not a PEM certificate request"));
    }
    EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());
    if (pub == nullptr) {
        return fail(openssl_error(ErrorCode::kParse, "certificate request without a key"));
    }
    if (X509_REQ_verify(req.get(), pub) != 1) {
        return fail(openssl_error(ErrorCode::kUnauthenticated,
                                  "certificate request signature does not verify"));
    }
    int bits = EVP_PKEY_get_bits(pub);
    bool strong = (EVP_PKEY_is_a(pub, "EC") != 0 && bits >= 256) ||
                  (EVP_PKEY_is_a(pub, "RSA") != 0 && bits >= 2048);
    if (!strong) {
        return fail(
            Error::unsupported("certificate request key must be EC (>= 256 bits) or RSA "
                               "(>= 2048 bits)"));
    }
    auto issuer = internal::read_certificate(ca.cert_pem);
    if (!issuer) {
        return fail(openssl_error(ErrorCode::kInvalidArgument, "CA certificate"));
    }
    auto cert = new_certificate(issuer.get(), pub, collector_id, days);
    if (!cert) {
        return fail(std::move(cert.error()));
    }
    for (auto [nid, value] :
         {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
          std::pair{NID_key_usage, "critical,digitalSignature"},
          std::pair{NID_ext_key_usage, "clientAuth"}, std::pair{NID_subject_key_identifier, "hash"},
          std::pair{NID_authority_key_identifier, "keyid:always"}}) {
        if (auto st = add_extension(cert->get(), issuer.get(), nid, value); !st) {
            return fail(std::move(st.error()));
        }
    }
    return sign_and_encode(cert->get(), ca.key.get());
}

core::Result<std::string> issue_server_certificate(const CertificateAuthority& ca,
                                                   const PrivateKey& key,
                                                   std::string_view common_name,
                                                   std::span<const std::string> alt_names,
                                                   int days) {
    auto issuer = internal::read_certificate(ca.cert_pem);
    if (!issuer) {
        return fail(openssl_error(ErrorCode::kInvalidArgument, "CA certificate"));
    }
    auto cert = new_certificate(issuer.get(), key.get(), common_name, days);
    if (!cert) {
        return fail(std::move(cert.error()));
    }
    for (auto [nid, value] :
         {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
          std::pair{NID_key_usage, "critical,digitalSignature,keyEncipherment"},
          std::pair{NID_ext_key_usage, "serverAuth"}, std::pair{NID_subject_key_identifier, "hash"},
          std::pair{NID_authority_key_identifier, "keyid:always"}}) {
        if (auto st = add_extension(cert->get(), issuer.get(), nid, value); !st) {
            return fail(std::move(st.error()));
        }
    }
    if (!alt_names.empty()) {
        auto gens = alt_names_of(alt_names);
        if (!gens) {
            return fail(std::move(gens.error()));
        }
        if (X509_add1_ext_i2d(cert->get(), NID_subject_alt_name, gens->get(), 0,
                              X509V3_ADD_DEFAULT) != 1) {
            return fail(openssl_error(ErrorCode::kInternal, "subjectAltName"));
        }
    }
    return sign_and_encode(cert->get(), ca.key.get());
}

core::Result<std::string> certificate_common_name(std::string_view cert_pem) {
    auto cert = internal::read_certificate(cert_pem);
    if (!cert) {
        return fail(openssl_error(ErrorCode::kParse, "not a PEM certificate"));
    }
    X509_NAME* name = X509_get_subject_name(cert.get());
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) {
        return fail(Error::not_found("certificate has no common name"));
    }
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n < 0) {
        return fail(openssl_error(ErrorCode::kParse, "certificate common name"));
    }
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return cn;
}

core::Status verify_certificate(std::string_view cert_pem, std::string_view ca_pem,
                                CertPurpose purpose) {
    auto cert = internal::read_certificate(cert_pem);
    if (!cert) {
        return fail(openssl_error(ErrorCode::kParse, "not a PEM certificate"));
    }
    internal::X509StorePtr store(X509_STORE_new());
    if (!store) {
        return fail(openssl_error(ErrorCode::kResourceExhausted, "X509_STORE_new"));
    }
    auto bio = internal::memory_bio(ca_pem);
    int cas = 0;
    while (bio) {
        internal::X509Ptr ca(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!ca) {
            break;
        }
        if (X509_STORE_add_cert(store.get(), ca.get()) != 1) {
            return fail(openssl_error(ErrorCode::kInternal, "adding a CA certificate"));
        }
        ++cas;
    }
    ERR_clear_error();  // the end of the PEM input is reported as an error
    if (cas == 0) {
        return fail(Error::parse("no PEM CA certificate given"));
    }
    internal::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) {
        return fail(openssl_error(ErrorCode::kResourceExhausted, "X509_STORE_CTX_init"));
    }
    if (purpose != CertPurpose::kAny) {
        X509_STORE_CTX_set_purpose(ctx.get(), purpose == CertPurpose::kTlsClient
                                                  ? X509_PURPOSE_SSL_CLIENT
                                                  : X509_PURPOSE_SSL_SERVER);
    }
    if (X509_verify_cert(ctx.get()) != 1) {
        std::string reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
        ERR_clear_error();
        return fail(Error(ErrorCode::kUnauthenticated, "certificate does not verify: " + reason));
    }
    return {};
}

core::Status check_key_matches(std::string_view cert_pem, const PrivateKey& key) {
    auto cert = internal::read_certificate(cert_pem);
    if (!cert) {
        return fail(openssl_error(ErrorCode::kParse, "not a PEM certificate"));
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        ERR_clear_error();
        return fail(Error::invalid_argument("the private key does not belong to the certificate"));
    }
    return {};
}

core::Status write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               mode_t mode) {
    std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
    // Appended piecewise: GCC 12 at -O3 misreads "." + s + "..." as an overlapping memcpy
    // (-Werror=restrict, GCC bug 105651).
    std::string name = ".";
    name += path.filename().string();
    name += ".tmp-XXXXXX";
    std::string tmp = (dir / name).string();
    // mkstemp creates the file O_EXCL with mode 0600.
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
        return fail(errno_error("creating a temporary file in " + dir.string()));
    }
    auto cleanup = [&](Error e) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return fail(std::move(e));
    };
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return cleanup(errno_error("writing " + tmp));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        return cleanup(errno_error("fsync " + tmp));
    }
    if (::fchmod(fd, mode) != 0) {
        return cleanup(errno_error("chmod " + tmp));
    }
    if (::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return fail(errno_error("closing " + tmp));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        Error e = errno_error("renaming " + tmp + " to " + path.string());
        ::unlink(tmp.c_str());
        return fail(std::move(e));
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);  // best effort: the rename is durable once the directory is
        ::close(dfd);
    }
    return {};
}

core::Status write_private_key_file(const std::filesystem::path& path, const PrivateKey& key) {
    internal::BioPtr out(BIO_new(BIO_s_secmem()));
    if (!out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        return fail(openssl_error(ErrorCode::kInternal, "serialising a private key"));
    }
    char* data = nullptr;
    long n = BIO_get_mem_data(out.get(), &data);
    if (n <= 0) {
        return fail(Error::internal("empty private key PEM"));
    }
    return write_file_atomic(path, std::string_view(data, static_cast<std::size_t>(n)), 0600);
}

core::Result<std::string> read_small_file(const std::filesystem::path& path,
                                          std::size_t max_bytes) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fail(errno == ENOENT ? Error::not_found("no such file: " + path.string())
                                    : errno_error("opening " + path.string()));
    }
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            Error e = errno_error("reading " + path.string());
            ::close(fd);
            return fail(std::move(e));
        }
        if (n == 0) {
            break;
        }
        if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
            ::close(fd);
            return fail(Error::out_of_range(path.string() + " is larger than " +
                                            std::to_string(max_bytes) + " bytes"));
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

}  // namespace cyberalarm::uplink
