// The HTTPS listener alone (a trivial handler) and the ingest service's backpressure: slow
// clients cut by the header and body deadlines, body and connection limits, security
// headers, and 429 with Retry-After while detection is behind.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include "server/certs.h"
#include "server/data_dir.h"
#include "server/detection.h"
#include "server/ingest_service.h"
#include "server/listener.h"
#include "server/server_support.h"
#include "store/sqlite/sqlite_store.h"
#include "uplink/messages.h"

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;

struct Tls {
    uplink::CertificateAuthority ca;
    server::ServerIdentity identity;
    std::filesystem::path ca_file;
};

Tls make_tls(const std::filesystem::path& dir) {
    auto ca = must(uplink::CertificateAuthority::create("listener test CA", 1), "CA");
    auto id = must(server::issue_server_identity(ca, {}, 1), "server identity");
    must(uplink::write_file_atomic(dir / "ca.pem", ca.cert_pem, 0644), "ca.pem");
    return Tls{std::move(ca), std::move(id), dir / "ca.pem"};
}

class ListenerTest : public ::testing::Test {
protected:
    void serve(server::ListenerOptions o) {
        o.cert_chain_pem = tls.identity.cert_pem;
        listener = must(server::HttpsListener::create(std::move(o), tls.identity.key,
                                                      [this](const server::HttpRequest& r) {
                                                          ++handled;
                                                          server::HttpResponse res;
                                                          res.body = "{\"len\":" +
                                                                     std::to_string(r.body.size()) +
                                                                     "}";
                                                          return res;
                                                      }),
                        "listener");
        listener->start();
    }

    TempDir dir;
    Tls tls = make_tls(dir.path());
    std::atomic<int> handled{0};
    std::unique_ptr<server::HttpsListener> listener;
};

// Sends `bytes` and waits up to 10 s for the server to close; how long it took, or nullopt
// if it did not close.
std::optional<std::chrono::steady_clock::duration> closes_after(std::uint16_t port,
                                                                const Tls& tls,
                                                                std::string_view bytes) {
    TlsConnection conn(port, tls.ca_file);
    EXPECT_TRUE(conn.write(bytes));
    const auto start = std::chrono::steady_clock::now();
    bool closed = false;
    conn.read_until_closed(10s, closed);
    if (!closed) {
        return std::nullopt;
    }
    return std::chrono::steady_clock::now() - start;
}

TEST_F(ListenerTest, SlowHeadersCutByDeadline) {
    server::ListenerOptions o;
    o.header_timeout = 300ms;
    serve(o);
    auto took = closes_after(listener->port(), tls, "POST /x HTTP/1.1\r\nHost: a\r\nX-Slow: ");
    ASSERT_TRUE(took);
    EXPECT_GE(*took, 250ms);
    EXPECT_LT(*took, 5s);
    EXPECT_EQ(handled.load(), 0);
    EXPECT_TRUE(eventually([&] { return listener->stats().timeouts == 1; }));
}

TEST_F(ListenerTest, SlowBodyCutByDeadline) {
    server::ListenerOptions o;
    o.body_timeout = 300ms;
    serve(o);
    auto took = closes_after(listener->port(), tls,
                             "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
    ASSERT_TRUE(took);
    EXPECT_LT(*took, 5s);
    EXPECT_EQ(handled.load(), 0);
}

TEST_F(ListenerTest, IdleKeepAliveIsNotAHeaderTimeout) {
    server::ListenerOptions o;
    o.header_timeout = 200ms;
    o.idle_timeout = 10s;
    serve(o);
    TlsConnection conn(listener->port(), tls.ca_file);
    bool closed = false;
    conn.read_until_closed(600ms, closed);  // idle longer than the header deadline
    EXPECT_FALSE(closed);
    ASSERT_TRUE(conn.write("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
    const auto answer = conn.read_until_closed(5s, closed);
    EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
}

TEST_F(ListenerTest, BodyLimitAndSecurityHeaders) {
    server::ListenerOptions o;
    o.max_body_bytes = 1000;
    serve(o);
    auto small = https_request(listener->port(), tls.ca_file, std::nullopt, "POST", "/x",
                               "text/plain", std::string(1000, 'a'));
    EXPECT_EQ(small.status, 200u);
    EXPECT_EQ(small.headers["strict-transport-security"], "max-age=31536000");
    EXPECT_EQ(small.headers["x-content-type-options"], "nosniff");
    auto big = https_request(listener->port(), tls.ca_file, std::nullopt, "POST", "/x",
                             "text/plain", std::string(1001, 'a'));
    EXPECT_EQ(big.status, 413u);
    EXPECT_EQ(uplink::parse_error_message(big.body), "request body too large");
    EXPECT_EQ(handled.load(), 1);
}

TEST_F(ListenerTest, ConnectionsBeyondTheLimitAreClosed) {
    server::ListenerOptions o;
    o.max_connections = 1;
    serve(o);
    TlsConnection first(listener->port(), tls.ca_file);
    ASSERT_TRUE(eventually([&] { return listener->stats().active == 1; }));
    EXPECT_THROW(TlsConnection(listener->port(), tls.ca_file), std::exception);
    EXPECT_EQ(listener->stats().connections_refused, 1u);
}

TEST_F(ListenerTest, OldTlsVersionsRefused) {
    serve({});
    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    boost::asio::io_context ioc;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> s(ioc, ctx);
    s.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), listener->port()});
    boost::system::error_code ec;
    s.handshake(boost::asio::ssl::stream_base::client, ec);
    EXPECT_TRUE(ec);
}

// Ingest with a detection worker that is not running: its queue only fills.
TEST(BackpressureTest, TooManyQueuedEventsAnswer429WithRetryAfter) {
    TempDir dir;
    Tls tls = make_tls(dir.path());
    auto store = must(store::open_sqlite(dir.path() / "store.db"), "store");
    store::Tenant t{0, store::TenantLevel::kNation, 0, "N", "", "", 0};
    t = must(store->create_tenant(t), "nation");
    t = must(store->create_tenant({0, store::TenantLevel::kRegion, t.id, "R", "", "", 0}), "r");
    t = must(store->create_tenant({0, store::TenantLevel::kForce, t.id, "F", "", "", 0}), "f");
    t = must(store->create_tenant({0, store::TenantLevel::kMember, t.id, "M", "", "", 0}), "m");
    must(store->create_collector({"gw", t.id, "gw", "", 0, 1, 0, 0, 0, 0, 0}), "collector");
    // A client certificate as enrollment would issue it.
    auto key = must(uplink::PrivateKey::generate(), "key");
    auto cert = must(uplink::sign_client_csr(tls.ca, must(uplink::make_csr(key, "gw"), "csr"),
                                             "gw", 1),
                     "cert");
    auto facts = must(server::certificate_facts(cert), "facts");
    must(store->set_collector_certificate("gw", facts.serial_hex, facts.not_after_ns, 1), "serial");
    uplink::EnrollResult client{"gw", dir.path() / "key.pem", dir.path() / "cert.pem", tls.ca_file};
    must(uplink::write_private_key_file(client.key_file, key), "key.pem");
    must(uplink::write_file_atomic(client.cert_file, cert, 0644), "cert.pem");

    server::Metrics metrics;
    server::DetectionOptions d;
    d.max_queue_events = 5;
    server::DetectionWorker detection(*store, metrics, nullptr, d);
    server::IngestOptions io;
    io.retry_after = std::chrono::seconds(7);
    server::IngestService ingest(*store, tls.ca, &detection, metrics, io);
    server::ListenerOptions lo;
    lo.cert_chain_pem = tls.identity.cert_pem;
    lo.client_ca_pem = tls.ca.cert_pem;
    auto listener = must(
        server::HttpsListener::create(
            lo, tls.identity.key, [&](const server::HttpRequest& r) { return ingest.handle(r); },
            [&](const server::HttpRequest& r) { return ingest.check_head(r); }),
        "listener");
    listener->start();

    auto first = post_batch(listener->port(), tls.ca_file, client,
                            batch_body(1, scan_records("203.0.113.9", "10.0.0.1", 1, 5, 100)));
    ASSERT_EQ(first.status, 200u) << first.body;
    EXPECT_TRUE(detection.overloaded());
    auto second = post_batch(listener->port(), tls.ca_file, client,
                             batch_body(6, scan_records("203.0.113.9", "10.0.0.1", 6, 5, 200)));
    EXPECT_EQ(second.status, 429u);
    EXPECT_EQ(second.headers["retry-after"], "7");
    EXPECT_NE(uplink::parse_error_message(second.body).find("busy"), std::string::npos);
    EXPECT_EQ(metrics.refused(server::RefusalReason::kOverloaded), 1u);
    // Once detection catches up, batches are taken again.
    detection.start();
    ASSERT_TRUE(detection.wait_idle(10s));
    auto third = post_batch(listener->port(), tls.ca_file, client,
                            batch_body(6, scan_records("203.0.113.9", "10.0.0.1", 6, 5, 200)));
    EXPECT_EQ(third.status, 200u) << third.body;
    listener->stop();
    detection.stop();
}

}  // namespace
}  // namespace cyberalarm::test
