#include "uplink/messages.h"

#include <gtest/gtest.h>

namespace cyberalarm::uplink {
namespace {

using core::ErrorCode;

const char* kCsr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
const char* kCert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

TEST(Messages, BatchAckRoundTrip) {
    BatchAck ack{1234567890123ull, 10, 2, 3, 1};
    auto back = parse_batch_ack(to_json(ack));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->acked_through, ack.acked_through);
    EXPECT_EQ(back->stored, 10u);
    EXPECT_EQ(back->duplicates, 2u);
    EXPECT_EQ(back->gap, 3u);
    EXPECT_EQ(back->malformed, 1u);
}

TEST(Messages, BatchAckNeedsAckedThroughOnly) {
    auto ack = parse_batch_ack(R"({"acked_through": 18446744073709551615, "extra": [1]})");
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->acked_through, UINT64_MAX);
    EXPECT_EQ(ack->stored, 0u);
}

TEST(Messages, BatchAckMalformed) {
    for (const char* bad : {"", "[]", "{", "null", R"({"stored": 1})", R"({"acked_through": -1})",
                            R"({"acked_through": 1.5})", R"({"acked_through": "7"})",
                            R"({"acked_through": 1, "gap": -2})", "<html>502 Bad Gateway</html>"}) {
        auto r = parse_batch_ack(bad);
        EXPECT_FALSE(r) << bad;
    }
    auto missing = parse_batch_ack(R"({"stored": 1})");
    EXPECT_EQ(missing.error().field(), "acked_through");
    std::string huge =
        R"({"acked_through": 1, "pad": ")" + std::string(kMaxMessageBytes, 'x') + "\"}";
    auto big = parse_batch_ack(huge);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code(), ErrorCode::kOutOfRange);
}

TEST(Messages, EnrollRequestRoundTrip) {
    auto r = parse_enroll_request(to_json(EnrollRequest{"tok-123", kCsr}));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->token, "tok-123");
    EXPECT_EQ(r->csr_pem, kCsr);
}

TEST(Messages, EnrollRequestMalformed) {
    EXPECT_EQ(parse_enroll_request(R"({"csr": "x"})").error().field(), "token");
    EXPECT_EQ(parse_enroll_request(R"({"token": "", "csr": "x"})").error().field(), "token");
    EXPECT_EQ(parse_enroll_request(R"({"token": 5, "csr": "x"})").error().field(), "token");
    EXPECT_EQ(parse_enroll_request(R"({"token": "t"})").error().field(), "csr");
    EXPECT_EQ(parse_enroll_request(R"({"token": "t", "csr": "not pem"})").error().field(), "csr");
    std::string long_token = to_json(EnrollRequest{std::string(kMaxTokenBytes + 1, 't'), kCsr});
    EXPECT_EQ(parse_enroll_request(long_token).error().code(), ErrorCode::kOutOfRange);
    EXPECT_FALSE(parse_enroll_request(R"(["token", "csr"])"));
}

TEST(Messages, EnrollResponseRoundTrip) {
    auto r = parse_enroll_response(to_json(EnrollResponse{"site-7.school", kCert, kCert}));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->collector_id, "site-7.school");
    EXPECT_EQ(r->certificate_pem, kCert);
}

TEST(Messages, EnrollResponseRefusesUnsafeCollectorId) {
    for (const char* id : {"../etc", "a b", "x/y", "", "\xc3\xa9"}) {
        EXPECT_FALSE(parse_enroll_response(to_json(EnrollResponse{id, kCert, kCert}))) << id;
    }
    EXPECT_FALSE(parse_enroll_response(to_json(EnrollResponse{"ok", "not pem", kCert})));
}

TEST(Messages, CollectorIds) {
    EXPECT_TRUE(valid_collector_id("member-42_site.a"));
    EXPECT_TRUE(valid_collector_id(std::string(kMaxCollectorIdBytes, 'a')));
    EXPECT_FALSE(valid_collector_id(std::string(kMaxCollectorIdBytes + 1, 'a')));
    EXPECT_FALSE(valid_collector_id("a;b"));
}

TEST(Messages, ErrorBodies) {
    EXPECT_EQ(parse_error_message(error_json("token refused")), "token refused");
    // Invalid UTF-8 in a message is replaced, not thrown on.
    std::string j = error_json("bad \xff byte");
    EXPECT_NE(j.find("bad"), std::string::npos);
    // A body that is not ours is cut and made printable.
    std::string html = "<html>\n" + std::string(500, 'x');
    std::string m = parse_error_message(html);
    EXPECT_EQ(m.size(), 200u);
    EXPECT_EQ(m.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace cyberalarm::uplink
