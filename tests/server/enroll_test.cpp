// Enrollment against the real server: one-time tokens, expiry, a refused CSR that leaves the
// token usable, and a certificate named by the token, never by the request.
#include <gtest/gtest.h>

#include "server/certs.h"
#include "server/server_support.h"
#include "uplink/messages.h"
#include "uplink/pki.h"
#include "uplink/wire.h"

namespace cyberalarm::test {
namespace {

class EnrollTest : public ::testing::Test {
protected:
    ServerHarness h;
    store::TenantId member = h.add_member("School A");
};

TEST_F(EnrollTest, TokenIsSingleUse) {
    const auto token = h.add_collector(member, "school-a-gw");
    auto first = h.enroll(token, "c1");
    ASSERT_TRUE(first) << first.error().to_string();
    EXPECT_EQ(first->collector_id, "school-a-gw");
    auto second = h.enroll(token, "c2");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code(), core::ErrorCode::kUnauthenticated);
    // The store recorded the serial of the certificate it issued.
    auto cert = must(uplink::read_small_file(first->cert_file), "cert");
    auto facts = must(server::certificate_facts(cert), "facts");
    EXPECT_EQ(must(h.store().get_collector("school-a-gw"), "collector").cert_serial,
              facts.serial_hex);
}

TEST_F(EnrollTest, ExpiredTokenRefused) {
    const auto token = h.add_collector(member, "late", std::chrono::seconds(-60));
    auto r = h.enroll(token, "late");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kUnauthenticated);
}

TEST_F(EnrollTest, UnknownTokenRefused) {
    h.add_collector(member, "known");
    auto r = h.enroll(store::new_token(), "unknown");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kUnauthenticated);
}

// Posts an enrollment request by hand (the real client would not send a bad CSR).
Answer post_enroll(const ServerHarness& h, const std::string& json);

TEST_F(EnrollTest, BadCsrKeepsToken) {
    const auto token = h.add_collector(member, "keeper");
    // A CSR whose signature does not match its key: take a real CSR and flip a byte of the
    // base64 signature near its end.
    auto key = must(uplink::PrivateKey::generate(), "key");
    std::string csr = must(uplink::make_csr(key, "keeper"), "csr");
    const auto end = csr.find("-----END");
    csr[end - 6] = csr[end - 6] == 'A' ? 'B' : 'A';
    auto bad = post_enroll(h, uplink::to_json(uplink::EnrollRequest{token, csr}));
    EXPECT_EQ(bad.status, 400u) << bad.body;
    EXPECT_NE(uplink::parse_error_message(bad.body).find("certificate request"),
              std::string::npos);
    auto garbage = post_enroll(h, uplink::to_json(uplink::EnrollRequest{
                                      token, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                                             "-----END CERTIFICATE REQUEST-----\n"}));
    EXPECT_EQ(garbage.status, 400u) << garbage.body;
    // The token was not used up.
    auto good = h.enroll(token, "keeper");
    ASSERT_TRUE(good) << good.error().to_string();
}

TEST_F(EnrollTest, CertificateNamesTheTokensCollector) {
    const auto token = h.add_collector(member, "real-id");
    auto key = must(uplink::PrivateKey::generate(), "key");
    const std::string csr = must(uplink::make_csr(key, "someone-else"), "csr");
    auto a = post_enroll(h, uplink::to_json(uplink::EnrollRequest{token, csr}));
    ASSERT_EQ(a.status, 200u) << a.body;
    auto res = must(uplink::parse_enroll_response(a.body), "answer");
    EXPECT_EQ(res.collector_id, "real-id");
    EXPECT_EQ(must(uplink::certificate_common_name(res.certificate_pem), "cn"), "real-id");
    EXPECT_TRUE(uplink::verify_certificate(res.certificate_pem, res.ca_pem,
                                           uplink::CertPurpose::kTlsClient));
}

TEST_F(EnrollTest, RevokedCollectorCannotEnroll) {
    const auto token = h.add_collector(member, "gone");
    must(h.store().revoke_collector("gone", 1), "revoke");
    auto r = h.enroll(token, "gone");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace cyberalarm::test

namespace cyberalarm::test {
namespace {

Answer post_enroll(const ServerHarness& h, const std::string& json) {
    return https_request(h.port(), h.ca_file(), std::nullopt, "POST",
                         std::string(uplink::kEnrollPath), "application/json", json);
}

}  // namespace
}  // namespace cyberalarm::test
