// Mutual TLS and the HTTP surface: who may talk to whom, and what the server answers.
#include <gtest/gtest.h>

#include <optional>

#include "support/test_support.h"
#include "uplink/internal/https_client.h"
#include "uplink/pki.h"
#include "uplink/uplink_support.h"
#include "uplink/wire.h"

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;
using uplink::internal::ClientTlsFiles;
using uplink::internal::Header;
using uplink::internal::HttpsClient;

class Tls : public ::testing::Test {
protected:
    void SetUp() override { make_server({}); }

    void make_server(UplinkTestServerOptions options) {
        server_.reset();
        std::filesystem::create_directories(dir_.path() / "server");
        options.dir = dir_.path() / "server";
        server_.emplace(std::move(options));
        server_->start();
        server_->issue_client_cert("site-1", dir_.path() / "client");
    }

    std::unique_ptr<HttpsClient> client(ClientTlsFiles files, std::string url = {}) {
        auto ep = uplink::parse_server_url(url.empty() ? server_->url() : url);
        EXPECT_TRUE(ep);
        auto c = HttpsClient::create(*ep, files, {5s, 5s});
        EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
        return c ? std::move(*c) : nullptr;
    }
    ClientTlsFiles with_cert() const {
        return {server_->ca_file(), dir_.path() / "client" / "cert.pem",
                dir_.path() / "client" / "key.pem"};
    }
    // A client certificate for "site-1" from a CA the server does not trust.
    ClientTlsFiles foreign_cert() {
        auto ca = uplink::CertificateAuthority::create("foreign CA", 1);
        auto key = uplink::PrivateKey::generate();
        auto cert = uplink::sign_client_csr(*ca, *uplink::make_csr(*key, "x"), "site-1", 1);
        auto d = dir_.path() / "foreign";
        std::filesystem::create_directories(d);
        EXPECT_TRUE(uplink::write_private_key_file(d / "key.pem", *key));
        EXPECT_TRUE(uplink::write_file_atomic(d / "cert.pem", *cert, 0644));
        EXPECT_TRUE(uplink::write_file_atomic(d / "ca.pem", ca->cert_pem, 0644));
        return {server_->ca_file(), d / "cert.pem", d / "key.pem"};
    }
    static std::string body(std::uint64_t first, std::uint64_t last) {
        std::vector<std::string> records;
        for (std::uint64_t n = first; n <= last; ++n) {
            records.push_back(event_record(n));
        }
        return uplink::encode_batch(first, records, 3);
    }
    core::Result<uplink::internal::HttpResponse> post_batch(
        HttpsClient& c, std::string b, std::string range,
        std::string_view type = uplink::kBatchContentType,
        std::string_view target = uplink::kBatchPath) {
        const Header headers[] = {{uplink::kBatchRangeHeader, range}};
        return c.post(target, type, std::move(b), headers, never_);
    }

    TempDir dir_;
    std::optional<UplinkTestServer> server_;
    std::atomic<bool> never_{false};
};

TEST_F(Tls, MutualTlsBatchIsStored) {
    auto c = client(with_cert());
    auto res = post_batch(*c, body(1, 3), "1-3");
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->status, 200u);
    EXPECT_EQ(res->content_type, "application/json");
    auto ack = uplink::parse_batch_ack(res->body);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->acked_through, 3u);
    EXPECT_EQ(ack->stored, 3u);
    // Same connection, kept alive; the retry is a duplicate.
    EXPECT_TRUE(c->connected());
    auto again = post_batch(*c, body(1, 3), "1-3");
    ASSERT_TRUE(again);
    EXPECT_EQ(uplink::parse_batch_ack(again->body)->duplicates, 3u);
    expect_exactly(*server_, 1, 3, "site-1");
}

TEST_F(Tls, BatchWithoutClientCertificateIs401) {
    auto c = client({server_->ca_file(), {}, {}});
    auto res = post_batch(*c, body(1, 3), "1-3");
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->status, 401u);
    EXPECT_NE(uplink::parse_error_message(res->body).find("client certificate"), std::string::npos);
    EXPECT_EQ(server_->count(), 0u);
}

TEST_F(Tls, ClientCertificateFromAnotherCaFailsTheHandshake) {
    auto c = client(foreign_cert());
    auto res = post_batch(*c, body(1, 3), "1-3");
    ASSERT_FALSE(res) << "status " << res->status;  // no HTTP answer at all
    EXPECT_EQ(res.error().code(), core::ErrorCode::kUnavailable);
    EXPECT_EQ(server_->count(), 0u);
    EXPECT_EQ(server_->responses(2) + server_->responses(4), 0u);
}

TEST_F(Tls, ClientRefusesAServerCertificateFromAnotherCa) {
    (void)foreign_cert();  // writes foreign/ca.pem
    auto c =
        client({dir_.path() / "foreign" / "ca.pem", with_cert().cert_file, with_cert().key_file});
    auto res = post_batch(*c, body(1, 1), "1-1");
    ASSERT_FALSE(res);
    EXPECT_NE(res.error().message().find("certificate verify failed"), std::string::npos)
        << res.error().message();
    EXPECT_EQ(server_->responses(2) + server_->responses(4), 0u);

    // And the Uplink counts it as an error and keeps the records.
    auto spool = open_spool(dir_.path() / "spool");
    append_events(*spool, 1, 5);
    auto opts = fast_options(*server_, dir_.path() / "client");
    opts.ca_file = dir_.path() / "foreign" / "ca.pem";
    auto up = uplink::Uplink::create(*spool, opts);
    ASSERT_TRUE(up);
    (*up)->start();
    ASSERT_TRUE(eventually([&] { return (*up)->stats().errors >= 2; }));
    (*up)->stop();
    EXPECT_NE((*up)->stats().last_error.find("certificate verify failed"), std::string::npos);
    EXPECT_EQ(spool->acked_seq(), 0u);
    EXPECT_EQ(server_->count(), 0u);
}

TEST_F(Tls, ServerNameIsChecked) {
    UplinkTestServerOptions o;
    o.server_names = {"ingest.example.org"};
    make_server(std::move(o));
    auto c = client(with_cert());
    auto res = post_batch(*c, body(1, 1), "1-1");
    ASSERT_FALSE(res);
    EXPECT_NE(res.error().message().find("mismatch"), std::string::npos) << res.error().message();
}

TEST_F(Tls, DnsNameInUrlIsVerified) {
    auto c = client(with_cert(), "https://localhost:" + std::to_string(server_->port()));
    auto res = post_batch(*c, body(1, 1), "1-1");
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->status, 200u);
}

TEST_F(Tls, ServerAnswersProtocolErrors) {
    auto c = client(with_cert());
    auto wrong_type = post_batch(*c, body(1, 1), "1-1", "application/octet-stream");
    ASSERT_TRUE(wrong_type);
    EXPECT_EQ(wrong_type->status, 415u);

    auto mismatch = post_batch(*c, body(1, 2), "1-5");
    ASSERT_TRUE(mismatch);
    EXPECT_EQ(mismatch->status, 400u);

    auto garbage = post_batch(*c, "CAB1 and then nonsense", "1-1");
    ASSERT_TRUE(garbage);
    EXPECT_EQ(garbage->status, 400u);
    EXPECT_NE(uplink::parse_error_message(garbage->body).find("truncated"), std::string::npos);

    auto nowhere = post_batch(*c, body(1, 1), "1-1", uplink::kBatchContentType, "/v1/admin");
    ASSERT_TRUE(nowhere);
    EXPECT_EQ(nowhere->status, 404u);

    auto bad_enroll =
        c->post(uplink::kEnrollPath, uplink::kJsonContentType, "{\"token\": 1}", {}, never_);
    ASSERT_TRUE(bad_enroll);
    EXPECT_EQ(bad_enroll->status, 400u);
    EXPECT_EQ(server_->count(), 0u);
}

TEST_F(Tls, BodyAboveServerLimitIs413) {
    UplinkTestServerOptions o;
    o.max_body_bytes = 1024;
    make_server(std::move(o));
    auto c = client(with_cert());
    auto res = post_batch(*c, std::string(200'000, 'x'), "1-1");
    ASSERT_TRUE(res) << res.error().to_string();
    EXPECT_EQ(res->status, 413u);
}

}  // namespace
}  // namespace cyberalarm::test
