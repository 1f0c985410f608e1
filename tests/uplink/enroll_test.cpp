// enroll() end to end against the protocol test server on loopback.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>

#include "support/test_support.h"
#include "uplink/pki.h"
#include "uplink/uplink_support.h"

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;

mode_t file_mode(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
}

class Enroll : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(dir_.path() / "server");
        UplinkTestServerOptions o;
        o.dir = dir_.path() / "server";
        server_.emplace(std::move(o));
        server_->start();
    }
    uplink::EnrollOptions options(std::string token, std::string sub = "identity") {
        uplink::EnrollOptions o;
        o.server_url = server_->url();
        o.token = std::move(token);
        o.ca_file = server_->ca_file();
        o.out_dir = dir_.path() / sub;
        o.connect_timeout = 5s;
        o.io_timeout = 5s;
        return o;
    }

    TempDir dir_;
    std::optional<UplinkTestServer> server_;
};

TEST_F(Enroll, EndToEndThenTheCertificateCarriesBatches) {
    std::string token = server_->add_token("member-9");
    auto r = uplink::enroll(options(token));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->collector_id, "member-9");
    EXPECT_EQ(file_mode(r->key_file), 0600u);
    EXPECT_EQ(file_mode(dir_.path() / "identity"), 0700u);
    auto cert = read_file(r->cert_file);
    EXPECT_EQ(*uplink::certificate_common_name(cert), "member-9");
    auto key = uplink::PrivateKey::load(r->key_file);
    ASSERT_TRUE(key);
    EXPECT_TRUE(uplink::check_key_matches(cert, *key));
    EXPECT_EQ(read_file(r->ca_file), server_->ca_pem());

    auto spool = open_spool(dir_.path() / "spool");
    append_events(*spool, 1, 10);
    auto opts = fast_options(*server_, dir_.path() / "identity");
    auto up = uplink::Uplink::create(*spool, opts);
    ASSERT_TRUE(up) << up.error().to_string();
    (*up)->start();
    ASSERT_TRUE((*up)->wait_acked(10, 10s)) << (*up)->stats().last_error;
    (*up)->stop();
    expect_exactly(*server_, 1, 10, "member-9");
}

TEST_F(Enroll, TokenWorksOnce) {
    std::string token = server_->add_token("member-1");
    ASSERT_TRUE(uplink::enroll(options(token, "a")));
    auto again = uplink::enroll(options(token, "b"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(again.error().message().find("401"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "b" / "key.pem"));
}

TEST_F(Enroll, WrongAndExpiredTokensAreRefused) {
    server_->add_token("member-2");
    auto wrong = uplink::enroll(options("not-the-token"));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);

    server_->add_token("expired-token", "member-3", std::chrono::system_clock::now() - 1s);
    auto expired = uplink::enroll(options("expired-token"));
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "identity" / "key.pem"));
}

TEST_F(Enroll, RefusesToOverwriteAnIdentityUnlessAsked) {
    ASSERT_TRUE(uplink::enroll(options(server_->add_token("member-4"))));
    std::string first_cert = read_file(dir_.path() / "identity" / "cert.pem");
    auto again = uplink::enroll(options(server_->add_token("member-4")));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);

    auto o = options(server_->add_token("member-4"));
    o.overwrite = true;
    ASSERT_TRUE(uplink::enroll(o));
    EXPECT_NE(read_file(dir_.path() / "identity" / "cert.pem"), first_cert);
    EXPECT_EQ(file_mode(dir_.path() / "identity" / "key.pem"), 0600u);
}

TEST_F(Enroll, UntrustedServerGetsNoTokenAndNoKeyIsWritten) {
    auto other = uplink::CertificateAuthority::create("impostor CA", 1);
    ASSERT_TRUE(other);
    ASSERT_TRUE(uplink::write_file_atomic(dir_.path() / "other-ca.pem", other->cert_pem, 0644));
    std::string token = server_->add_token("member-5");
    auto o = options(token);
    o.ca_file = dir_.path() / "other-ca.pem";
    auto r = uplink::enroll(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message().find("certificate verify failed"), std::string::npos)
        << r.error().message();
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "identity" / "key.pem"));
    // The token never reached the server, so it still works against the right CA.
    EXPECT_TRUE(uplink::enroll(options(token)));
}

TEST_F(Enroll, RefusesBadOptionsBeforeConnecting) {
    EXPECT_EQ(uplink::enroll(options("")).error().code(), ErrorCode::kInvalidArgument);
    auto o = options("t");
    o.server_url = "ftp://x";
    EXPECT_EQ(uplink::enroll(o).error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cyberalarm::test
