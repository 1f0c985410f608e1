// TLS checks against `openssl s_server` on loopback, started by the test with certificates
// it makes (a 1024-bit self-signed one for another name). Skips when openssl is missing.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "child_process.h"
#include "loopback_server.h"
#include "scan/checks.h"
#include "scan/internal/net.h"
#include "support/test_support.h"

namespace cyberalarm::scan {
namespace {

std::uint16_t free_port() {
    std::uint16_t port = 0;
    ::close(loopback::bind_loopback(SOCK_STREAM, port));
    return port;
}

bool wait_listening(std::uint16_t port) {
    auto ip = *core::IpAddress::parse("127.0.0.1");
    for (int i = 0; i < 100; ++i) {
        if (internal::connect_tcp(ip, port, std::chrono::milliseconds(100))) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

class TlsCheckTest : public ::testing::Test {
protected:
    void SetUp() override {
        cert_ = (dir_.path() / "weak.crt").string();
        key_ = (dir_.path() / "weak.key").string();
        loopback::Child gen({"openssl", "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-sha256", "-days", "30",
                   "-keyout", key_, "-out", cert_, "-subj", "/CN=wrong.example",
                   "-addext", "subjectAltName=DNS:wrong.example"});
        if (gen.wait() != 0) {
            GTEST_SKIP() << "openssl command not available to make a test certificate";
        }
    }

    std::vector<Finding> scan(const std::vector<std::string>& extra, std::int64_t now_unix) {
        std::uint16_t port = free_port();
        std::vector<std::string> args = {"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                                         "-cert", cert_, "-key", key_, "-www", "-cipher", "ALL:@SECLEVEL=0"};
        args.insert(args.end(), extra.begin(), extra.end());
        loopback::Child server(args);
        if (!wait_listening(port)) {
            ADD_FAILURE() << "openssl s_server did not start on port " << port;
            return {};
        }
        ServiceInfo svc;
        svc.address = *core::IpAddress::parse("127.0.0.1");
        svc.port = port;
        svc.id.service = "http";
        svc.tls = true;
        CheckOptions o;
        o.now_unix = now_unix;
        ProbeSettings s;
        CheckContext ctx{svc, "127.0.0.1", o, s};
        return check_tls(ctx, TlsEntry::kDirect);
    }

    test::TempDir dir_;
    std::string cert_, key_;
};

bool has(const std::vector<Finding>& f, const char* check) {
    return std::any_of(f.begin(), f.end(), [&](const Finding& x) { return x.check == check; });
}

TEST_F(TlsCheckTest, LegacyProtocolsWeakKeySelfSignedWrongName) {
    auto f = scan({}, 0);
    EXPECT_TRUE(has(f, "tls.protocol.tls1_0"));
    EXPECT_TRUE(has(f, "tls.protocol.tls1_1"));
    EXPECT_TRUE(has(f, "tls.cert.weak_key"));
    EXPECT_TRUE(has(f, "tls.cert.self_signed"));
    EXPECT_TRUE(has(f, "tls.cert.wrong_name"));
    EXPECT_TRUE(has(f, "tls.cipher.no_forward_secrecy"));
    EXPECT_FALSE(has(f, "tls.cert.expired"));
    auto proto = std::find_if(f.begin(), f.end(), [](const Finding& x) { return x.check == "tls.protocols"; });
    ASSERT_NE(proto, f.end());
    EXPECT_NE(proto->evidence.find("TLSv1.3"), std::string::npos);
    // Regression: a suite whose name prefixes another's (…-SHA and …-SHA384) is still listed.
    auto all = std::find_if(f.begin(), f.end(), [](const Finding& x) { return x.check == "tls.ciphers"; });
    ASSERT_NE(all, f.end());
    EXPECT_NE((all->evidence + " ").find(" ECDHE-RSA-AES256-SHA "), std::string::npos) << all->evidence;
    EXPECT_NE(all->evidence.find("ECDHE-RSA-AES256-SHA384"), std::string::npos) << all->evidence;
}

TEST_F(TlsCheckTest, ExpiryAgainstAPinnedClock) {
    auto later = std::chrono::system_clock::now() + std::chrono::hours(24 * 60);
    auto f = scan({"-no_tls1", "-no_tls1_1"}, std::chrono::system_clock::to_time_t(later));
    EXPECT_TRUE(has(f, "tls.cert.expired"));
    EXPECT_FALSE(has(f, "tls.protocol.tls1_0"));  // refused by the server now
    EXPECT_FALSE(has(f, "tls.protocol.tls1_1"));
    auto soon = std::chrono::system_clock::now() + std::chrono::hours(24 * 20);
    auto g = scan({"-no_tls1", "-no_tls1_1"}, std::chrono::system_clock::to_time_t(soon));
    EXPECT_TRUE(has(g, "tls.cert.expiring"));
    EXPECT_FALSE(has(g, "tls.cert.expired"));
}

TEST_F(TlsCheckTest, AnonymousSuitesAreReported) {
    auto f = scan({"-no_tls1_3", "-cipher", "aNULL:@SECLEVEL=0"}, 0);
    EXPECT_TRUE(has(f, "tls.cipher.anonymous"));
}

}  // namespace
}  // namespace cyberalarm::scan
