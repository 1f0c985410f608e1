#include "uplink/enrollment.h"

#include <gtest/gtest.h>

namespace cyberalarm::uplink {
namespace {

using core::ErrorCode;
using Clock = std::chrono::system_clock;

class Enrollment : public ::testing::Test {
protected:
    void SetUp() override {
        auto ca = CertificateAuthority::create("enroll CA", 30);
        ASSERT_TRUE(ca);
        authority_.emplace(std::move(*ca), 30);
        auto key = PrivateKey::generate();
        ASSERT_TRUE(key);
        auto csr = make_csr(*key, "whatever");
        ASSERT_TRUE(csr);
        csr_ = *csr;
    }
    std::optional<EnrollmentAuthority> authority_;
    std::string csr_;
    Clock::time_point now_ = Clock::now();
};

TEST_F(Enrollment, TokenBuysOneCertificateForItsCollector) {
    ASSERT_TRUE(authority_->add_token("tok-1", "school-3", now_ + std::chrono::hours(1)));
    auto r = authority_->enroll({"tok-1", csr_}, now_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->collector_id, "school-3");
    EXPECT_EQ(*certificate_common_name(r->certificate_pem), "school-3");
    EXPECT_EQ(r->ca_pem, authority_->ca_pem());
    EXPECT_TRUE(verify_certificate(r->certificate_pem, r->ca_pem, CertPurpose::kTlsClient));

    auto reused = authority_->enroll({"tok-1", csr_}, now_);
    ASSERT_FALSE(reused);
    EXPECT_EQ(reused.error().code(), ErrorCode::kUnauthenticated);
}

TEST_F(Enrollment, UnknownAndExpiredTokensLookAlike) {
    ASSERT_TRUE(authority_->add_token("tok-2", "c2", now_ + std::chrono::minutes(5)));
    auto unknown = authority_->enroll({"tok-x", csr_}, now_);
    auto expired = authority_->enroll({"tok-2", csr_}, now_ + std::chrono::minutes(5));
    ASSERT_FALSE(unknown);
    ASSERT_FALSE(expired);
    EXPECT_EQ(unknown.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(expired.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(unknown.error().message(), expired.error().message());
}

TEST_F(Enrollment, BadCsrDoesNotUseTheTokenUp) {
    ASSERT_TRUE(authority_->add_token("tok-3", "c3", now_ + std::chrono::hours(1)));
    auto bad = authority_->enroll({"tok-3", "-----BEGIN CERTIFICATE REQUEST-----\nxx\n"}, now_);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), ErrorCode::kParse);
    EXPECT_TRUE(authority_->enroll({"tok-3", csr_}, now_));
}

TEST_F(Enrollment, TokenRules) {
    auto later = now_ + std::chrono::hours(1);
    EXPECT_EQ(authority_->add_token("", "c", later).error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(authority_->add_token("t", "bad id", later).error().code(),
              ErrorCode::kInvalidArgument);
    ASSERT_TRUE(authority_->add_token("dup", "c", later));
    EXPECT_EQ(authority_->add_token("dup", "d", later).error().code(), ErrorCode::kAlreadyExists);
    std::string a = EnrollmentAuthority::generate_token();
    std::string b = EnrollmentAuthority::generate_token();
    EXPECT_EQ(a.size(), 64u);
    EXPECT_NE(a, b);
}

}  // namespace
}  // namespace cyberalarm::uplink
