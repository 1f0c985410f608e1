// Syslog over TLS (RFC 5425) on loopback, with certificates made for the test.
#include <gtest/gtest.h>

#include "collector/inputs.h"
#include "collector/inputs_test_support.h"
#include "support/test_support.h"

namespace cyberalarm::collector {
namespace {

using test::RecordingSink;
using namespace std::chrono_literals;

// RFC 5425 framing: "<length> <message>".
std::string octet(std::string_view message) {
    return std::to_string(message.size()) + " " + std::string(message);
}

class TlsInputTest : public ::testing::Test {
protected:
    TlsInputTest() : pki_(dir_.path()) {}

    InputConfig config(bool require_client_cert) {
        InputConfig c;
        c.name = "tls";
        c.kind = InputKind::kTls;
        c.tls_cert = pki_.server().cert;
        c.tls_key = pki_.server().key;
        c.tls_ca = pki_.ca();
        c.tls_require_client_cert = require_client_cert;
        c.handshake_timeout = 500ms;
        return c;
    }

    std::unique_ptr<Input> start(const InputConfig& c) {
        auto input = make_input(c);
        EXPECT_TRUE(input) << input.error().to_string();
        if (!input) {
            return nullptr;
        }
        auto bound = (*input)->bind();
        EXPECT_TRUE(bound) << bound.error().to_string();
        if (!bound || !(*input)->start(sink_, 1)) {
            return nullptr;
        }
        return std::move(*input);
    }

    test::TempDir dir_;
    test::TestPki pki_;
    RecordingSink sink_;
};

TEST_F(TlsInputTest, OctetCountedFramesOverTls) {
    auto input = start(config(false));
    ASSERT_TRUE(input);
    auto r = test::send_tls(input->bound_port(), pki_.ca(), nullptr,
                            octet("<13>first one") + octet("<13>second one") + "<13>lf framed\n");
    EXPECT_TRUE(r.handshake_ok);
    EXPECT_TRUE(r.write_ok);
    EXPECT_FALSE(r.refused);
    ASSERT_TRUE(sink_.wait_for(3));
    EXPECT_EQ(sink_.lines(),
              (std::vector<std::string>{"<13>first one", "<13>second one", "<13>lf framed"}));
    EXPECT_EQ(sink_.peers()[0].to_string(), "127.0.0.1");
    EXPECT_EQ(input->stats().tls_failures, 0u);
}

TEST_F(TlsInputTest, RequiredClientCertificateFromTheRightCa) {
    auto input = start(config(true));
    ASSERT_TRUE(input);
    std::uint16_t port = input->bound_port();

    auto good = test::send_tls(port, pki_.ca(), &pki_.client(), octet("<13>from client"));
    EXPECT_TRUE(good.handshake_ok);
    EXPECT_FALSE(good.refused);
    ASSERT_TRUE(sink_.wait_for(1));

    auto none = test::send_tls(port, pki_.ca(), nullptr, octet("<13>no cert"));
    EXPECT_TRUE(!none.handshake_ok || none.refused);

    auto other = test::send_tls(port, pki_.ca(), &pki_.other_client(), octet("<13>wrong issuer"));
    EXPECT_TRUE(!other.handshake_ok || other.refused);

    ASSERT_TRUE(test::eventually([&] { return input->stats().tls_failures == 2; }));
    input->stop();
    EXPECT_EQ(sink_.lines(), (std::vector<std::string>{"<13>from client"}));
    EXPECT_NE(input->stats().last_error.find("TLS handshake from 127.0.0.1 failed"),
              std::string::npos)
        << input->stats().last_error;
}

TEST_F(TlsInputTest, OptionalClientCertificateMustStillVerify) {
    auto input = start(config(false));
    ASSERT_TRUE(input);
    std::uint16_t port = input->bound_port();
    auto none = test::send_tls(port, pki_.ca(), nullptr, octet("<13>no cert"));
    EXPECT_FALSE(none.refused);
    auto other = test::send_tls(port, pki_.ca(), &pki_.other_client(), octet("<13>wrong issuer"));
    EXPECT_TRUE(!other.handshake_ok || other.refused);
    ASSERT_TRUE(sink_.wait_for(1));
    ASSERT_TRUE(test::eventually([&] { return input->stats().tls_failures == 1; }));
    input->stop();
    EXPECT_EQ(sink_.lines(), (std::vector<std::string>{"<13>no cert"}));
}

TEST_F(TlsInputTest, PlainTextAndSilenceAreRefused) {
    auto input = start(config(false));
    ASSERT_TRUE(input);
    test::TcpClient plain(input->bound_port());
    ASSERT_TRUE(plain.send("<13>this is not TLS\n"));
    EXPECT_TRUE(plain.closed_by_peer());
    test::TcpClient silent(input->bound_port());
    EXPECT_TRUE(silent.closed_by_peer());  // handshake timeout
    ASSERT_TRUE(test::eventually([&] { return input->stats().tls_failures == 2; }));
    EXPECT_NE(input->stats().last_error.find("timed out"), std::string::npos);
    EXPECT_EQ(sink_.count(), 0u);
}

TEST_F(TlsInputTest, BadKeyMaterialIsABindError) {
    auto c = config(false);
    c.tls_cert = dir_.path() / "missing.pem";
    auto input = make_input(c);
    ASSERT_TRUE(input);
    auto r = (*input)->bind();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("missing.pem"), std::string::npos);

    c = config(false);
    c.tls_key = pki_.client().key;  // a key that is not the certificate's
    input = make_input(c);
    ASSERT_TRUE(input);
    r = (*input)->bind();
    ASSERT_FALSE(r);
}

}  // namespace
}  // namespace cyberalarm::collector
