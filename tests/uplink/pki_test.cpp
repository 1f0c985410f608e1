#include "uplink/pki.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>
#include <sys/stat.h>

#include <optional>
#include <stdexcept>

#include "support/test_support.h"
#include "uplink/internal/ossl.h"

namespace cyberalarm::uplink {
namespace {

using core::ErrorCode;

template <typename T>
T ok(core::Result<T> r) {
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    if (!r) {
        throw std::runtime_error(r.error().to_string());
    }
    return std::move(*r);
}

mode_t file_mode(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
}

class Pki : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ca_.emplace(ok(CertificateAuthority::create("test CA", 30)));
        other_ca_.emplace(ok(CertificateAuthority::create("other CA", 30)));
    }
    static void TearDownTestSuite() {
        ca_.reset();
        other_ca_.reset();
    }
    static inline std::optional<CertificateAuthority> ca_;
    static inline std::optional<CertificateAuthority> other_ca_;
};

TEST_F(Pki, SignedClientCertificateVerifiesAgainstItsCaOnly) {
    auto key = ok(PrivateKey::generate());
    // The CSR asks for another name; the CA names the certificate after the enrollment.
    auto csr = ok(make_csr(key, "admin"));
    auto cert = ok(sign_client_csr(*ca_, csr, "site-1", 30));
    EXPECT_EQ(ok(certificate_common_name(cert)), "site-1");
    EXPECT_TRUE(verify_certificate(cert, ca_->cert_pem, CertPurpose::kTlsClient));
    EXPECT_TRUE(check_key_matches(cert, key));

    auto wrong_ca = verify_certificate(cert, other_ca_->cert_pem, CertPurpose::kTlsClient);
    ASSERT_FALSE(wrong_ca);
    EXPECT_EQ(wrong_ca.error().code(), ErrorCode::kUnauthenticated);
    // clientAuth only: it cannot serve TLS.
    EXPECT_FALSE(verify_certificate(cert, ca_->cert_pem, CertPurpose::kTlsServer));
    auto other_key = ok(PrivateKey::generate());
    EXPECT_FALSE(check_key_matches(cert, other_key));
}

TEST_F(Pki, ClientCertificateIsNotACa) {
    auto key = ok(PrivateKey::generate());
    auto cert = ok(sign_client_csr(*ca_, ok(make_csr(key, "x")), "site-2", 30));
    auto x = internal::read_certificate(cert);
    ASSERT_TRUE(x);
    EXPECT_EQ(X509_check_ca(x.get()), 0);
    EXPECT_NE(X509_get_extended_key_usage(x.get()) & XKU_SSL_CLIENT, 0u);
    EXPECT_EQ(X509_get_extended_key_usage(x.get()) & XKU_SSL_SERVER, 0u);
}

TEST_F(Pki, ServerCertificateCarriesAltNames) {
    auto key = ok(PrivateKey::generate());
    std::vector<std::string> names = {"127.0.0.1", "::1", "ingest.example.org"};
    auto cert = ok(issue_server_certificate(*ca_, key, "ingest", names, 30));
    EXPECT_TRUE(verify_certificate(cert, ca_->cert_pem, CertPurpose::kTlsServer));
    auto x = internal::read_certificate(cert);
    EXPECT_EQ(X509_check_ip_asc(x.get(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(x.get(), "::1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(x.get(), "10.0.0.1", 0), 0);
    EXPECT_EQ(X509_check_host(x.get(), "ingest.example.org", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_host(x.get(), "evil.example.org", 0, 0, nullptr), 0);

    std::vector<std::string> bad = {"a,DNS:evil"};
    EXPECT_EQ(issue_server_certificate(*ca_, key, "x", bad, 30).error().code(),
              ErrorCode::kInvalidArgument);
}

TEST_F(Pki, CsrMustProveKeyPossession) {
    // A request carrying key A's public key but signed with key B.
    auto a = ok(PrivateKey::generate());
    auto b = ok(PrivateKey::generate());
    internal::X509ReqPtr req(X509_REQ_new());
    ASSERT_EQ(X509_REQ_set_pubkey(req.get(), a.get()), 1);
    ASSERT_GT(X509_REQ_sign(req.get(), b.get(), EVP_sha256()), 0);
    internal::BioPtr out(BIO_new(BIO_s_mem()));
    ASSERT_EQ(PEM_write_bio_X509_REQ(out.get(), req.get()), 1);
    auto r = sign_client_csr(*ca_, internal::bio_string(out.get()), "site-3", 30);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
}

TEST_F(Pki, CsrWithWeakKeyOrGarbageIsRefused) {
    internal::PkeyPtr rsa(EVP_RSA_gen(1024));
    ASSERT_TRUE(rsa);
    internal::X509ReqPtr req(X509_REQ_new());
    ASSERT_EQ(X509_REQ_set_pubkey(req.get(), rsa.get()), 1);
    ASSERT_GT(X509_REQ_sign(req.get(), rsa.get(), EVP_sha256()), 0);
    internal::BioPtr out(BIO_new(BIO_s_mem()));
    ASSERT_EQ(PEM_write_bio_X509_REQ(out.get(), req.get()), 1);
    auto weak = sign_client_csr(*ca_, internal::bio_string(out.get()), "site-4", 30);
    ASSERT_FALSE(weak);
    EXPECT_EQ(weak.error().code(), ErrorCode::kUnsupported);

    auto garbage = sign_client_csr(*ca_, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n", "s", 30);
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code(), ErrorCode::kParse);

    auto key = ok(PrivateKey::generate());
    auto bad_id = sign_client_csr(*ca_, ok(make_csr(key, "x")), "../../etc/passwd", 30);
    ASSERT_FALSE(bad_id);
    EXPECT_EQ(bad_id.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(Pki, CaFromPemChecksTheKey) {
    auto key = ok(PrivateKey::generate());
    test::TempDir dir;
    ASSERT_TRUE(write_private_key_file(dir.path() / "ca.key", ca_->key));
    auto key_pem = ok(read_small_file(dir.path() / "ca.key"));
    auto again = CertificateAuthority::from_pem(ca_->cert_pem, key_pem);
    ASSERT_TRUE(again);
    EXPECT_TRUE(sign_client_csr(*again, ok(make_csr(key, "x")), "site-5", 1));
    EXPECT_FALSE(CertificateAuthority::from_pem(other_ca_->cert_pem, key_pem));
}

TEST(PkiFiles, PrivateKeyFileIsMode0600EvenWithPermissiveUmask) {
    test::TempDir dir;
    auto key = ok(PrivateKey::generate());
    mode_t old = ::umask(0);
    auto st = write_private_key_file(dir.path() / "key.pem", key);
    ::umask(old);
    ASSERT_TRUE(st) << st.error().to_string();
    EXPECT_EQ(file_mode(dir.path() / "key.pem"), 0600u);
    // Nothing else left behind (the temporary file was renamed into place).
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) {
        ++files;
    }
    EXPECT_EQ(files, 1u);
    auto back = ok(PrivateKey::load(dir.path() / "key.pem"));
    EXPECT_EQ(ok(back.public_key_pem()), ok(key.public_key_pem()));
    EXPECT_NE(test::read_file(dir.path() / "key.pem").find("BEGIN PRIVATE KEY"), std::string::npos);
}

TEST(PkiFiles, AtomicWriteReplacesAndSetsMode) {
    test::TempDir dir;
    auto p = dir.path() / "cert.pem";
    ASSERT_TRUE(write_file_atomic(p, "one", 0644));
    ASSERT_TRUE(write_file_atomic(p, "two", 0644));
    EXPECT_EQ(test::read_file(p), "two");
    EXPECT_EQ(file_mode(p), 0644u);
    auto missing = write_file_atomic(dir.path() / "no" / "such" / "dir", "x", 0600);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), ErrorCode::kIo);
}

TEST(PkiFiles, ReadSmallFileBounds) {
    test::TempDir dir;
    ASSERT_TRUE(write_file_atomic(dir.path() / "f", std::string(100, 'a'), 0600));
    EXPECT_TRUE(read_small_file(dir.path() / "f", 100));
    EXPECT_EQ(read_small_file(dir.path() / "f", 99).error().code(), ErrorCode::kOutOfRange);
    EXPECT_EQ(read_small_file(dir.path() / "nope").error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(PrivateKey::from_pem("not a key").error().code(), ErrorCode::kParse);
}

}  // namespace
}  // namespace cyberalarm::uplink
