// The Uplink against the protocol test server on loopback: delivery exactly once and in
// order, outages, 503s, restarts, spool gaps, oversized batches, deadlines and stop().
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <random>
#include <stdexcept>

#include "support/test_support.h"
#include "uplink/uplink_support.h"

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;
using uplink::Uplink;

class UplinkClient : public ::testing::Test {
protected:
    void SetUp() override { make_server({}); }

    void make_server(UplinkTestServerOptions options) {
        server_.reset();
        std::filesystem::create_directories(dir_.path() / "server");
        options.dir = dir_.path() / "server";
        server_.emplace(std::move(options));
        server_->start();
        server_->issue_client_cert("site-1", client_dir());
    }
    std::filesystem::path client_dir() const { return dir_.path() / "client"; }
    spool::Spool& spool(spool::Options options = {}) {
        if (!spool_) {
            spool_ = open_spool(dir_.path() / "spool", options);
            if (!spool_) {
                throw std::runtime_error("cannot open the spool");
            }
        }
        return *spool_;
    }
    std::unique_ptr<Uplink> make_uplink(const uplink::UplinkOptions& options) {
        auto u = Uplink::create(spool(), options);
        EXPECT_TRUE(u) << (u ? "" : u.error().to_string());
        return u ? std::move(*u) : nullptr;
    }

    TempDir dir_;
    std::optional<UplinkTestServer> server_;
    std::unique_ptr<spool::Spool> spool_;
};

TEST_F(UplinkClient, EverySpooledRecordArrivesOnceAndInOrder) {
    append_events(spool(), 1, 1000);
    auto up = make_uplink(fast_options(*server_, client_dir()));
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(up->wait_acked(1000, 20s)) << up->stats().last_error;
    // Records appended while it runs follow.
    append_events(spool(), 1001, 1500);
    ASSERT_TRUE(up->wait_acked(1500, 20s)) << up->stats().last_error;
    up->stop();

    expect_exactly(*server_, 1, 1500, "site-1");
    EXPECT_EQ(server_->duplicates(), 0u);
    EXPECT_EQ(server_->gaps(), 0u);
    EXPECT_EQ(server_->high_water("site-1"), 1500u);
    auto s = up->stats();
    EXPECT_EQ(s.events_sent, 1500u);
    EXPECT_GE(s.batches_sent, 1500u / 64);
    EXPECT_GT(s.bytes_sent, 0u);
    EXPECT_EQ(s.errors, 0u);
    EXPECT_GT(s.last_success_unix_ns, 0);
    EXPECT_EQ(s.acked_seq, 1500u);
    EXPECT_EQ(spool().stats().pending, 0u);
}

TEST_F(UplinkClient, ServerDownAtStartThenStarted) {
    server_->stop();
    append_events(spool(), 1, 200);
    auto up = make_uplink(fast_options(*server_, client_dir()));
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(eventually([&] { return up->stats().errors >= 3; }));
    auto before = up->stats();
    EXPECT_NE(before.last_error.find("connecting to 127.0.0.1"), std::string::npos)
        << before.last_error;
    EXPECT_EQ(before.acked_seq, 0u);
    EXPECT_GE(before.retries, 2u);

    server_->start();  // same port
    ASSERT_TRUE(up->wait_acked(200, 20s)) << up->stats().last_error;
    up->stop();
    expect_exactly(*server_, 1, 200, "site-1");
}

TEST_F(UplinkClient, Server503ThenRecovers) {
    server_->set_failing(true);
    append_events(spool(), 1, 100);
    auto up = make_uplink(fast_options(*server_, client_dir()));
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(eventually([&] { return up->stats().errors >= 2; }));
    EXPECT_NE(up->stats().last_error.find("503"), std::string::npos) << up->stats().last_error;
    EXPECT_EQ(spool().acked_seq(), 0u);  // nothing leaves the spool unacknowledged
    EXPECT_EQ(server_->count(), 0u);

    server_->set_failing(false);
    ASSERT_TRUE(up->wait_acked(100, 20s)) << up->stats().last_error;
    up->stop();
    expect_exactly(*server_, 1, 100, "site-1");
    EXPECT_GE(server_->responses(5), 2u);
}

TEST_F(UplinkClient, ServerRestartMidStreamLosesAndDuplicatesNothing) {
    append_events(spool(), 1, 600);
    auto opts = fast_options(*server_, client_dir());
    opts.max_batch_records = 20;  // each acknowledgement syncs the spool cursor: keep it brief
    auto up = make_uplink(opts);
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(server_->wait_for_count(100, 20s));
    server_->stop();  // drops the kept-alive connection, maybe mid-request
    server_->start();
    ASSERT_TRUE(up->wait_acked(600, 20s)) << up->stats().last_error;
    up->stop();
    expect_exactly(*server_, 1, 600, "site-1");
}

TEST_F(UplinkClient, SpoolDropsAreCarriedAsAGap) {
    spool::Options small;
    small.segment_bytes = 4096;
    small.max_bytes = 8192;
    small.when_full = spool::FullPolicy::kDropOldest;
    small.max_record_bytes = 1024;
    append_events(spool(small), 1, 2000);
    ASSERT_GT(spool().stats().dropped_oldest, 0u);

    auto up = make_uplink(fast_options(*server_, client_dir()));
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(up->wait_acked(2000, 20s)) << up->stats().last_error;
    up->stop();
    std::size_t got = server_->count();
    ASSERT_GT(got, 0u);
    ASSERT_LT(got, 2000u);
    expect_exactly(*server_, 2000 - got + 1, 2000, "site-1");
    EXPECT_EQ(server_->gaps(), 2000 - got);
}

TEST_F(UplinkClient, OversizedBatchIsSplit) {
    UplinkTestServerOptions o;
    o.max_body_bytes = 4096;
    make_server(std::move(o));
    // Random rule names: the batch does not compress below the server's limit.
    std::mt19937_64 rng(3);
    for (std::uint64_t n = 1; n <= 120; ++n) {
        std::string name(150, ' ');
        for (char& c : name) {
            c = static_cast<char>('a' + rng() % 26);
        }
        ASSERT_TRUE(spool().append(event_record(n, name)));
    }
    auto opts = fast_options(*server_, client_dir());
    opts.max_batch_records = 120;
    auto up = make_uplink(opts);
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(up->wait_acked(120, 20s)) << up->stats().last_error;
    up->stop();
    expect_exactly(*server_, 1, 120, "site-1");
    EXPECT_GT(up->stats().errors, 0u);
    EXPECT_GT(server_->responses(4), 0u);
}

TEST_F(UplinkClient, NeverAcknowledgesTheSpoolBeyondTheBatch) {
    server_->override_acked_through(1'000'000);
    append_events(spool(), 1, 10);
    auto opts = fast_options(*server_, client_dir());
    opts.max_batch_records = 4;
    auto up = make_uplink(opts);
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(up->wait_acked(10, 10s)) << up->stats().last_error;
    up->stop();
    // Batches 1-4, 5-8, 9-10 were all sent: acknowledging "through 1000000" would have
    // skipped the rest (and the spool would refuse it).
    expect_exactly(*server_, 1, 10, "site-1");
    EXPECT_EQ(up->stats().batches_sent, 3u);
    EXPECT_EQ(up->stats().errors, 0u);
    EXPECT_EQ(spool().acked_seq(), 10u);
}

TEST_F(UplinkClient, AnAcknowledgementShortOfTheBatchIsRetried) {
    server_->override_acked_through(0);
    append_events(spool(), 1, 3);
    auto up = make_uplink(fast_options(*server_, client_dir()));
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(eventually([&] { return up->stats().errors >= 2; }));
    EXPECT_NE(up->stats().last_error.find("acknowledged only through 0"), std::string::npos)
        << up->stats().last_error;
    EXPECT_EQ(spool().acked_seq(), 0u);
    server_->override_acked_through(std::nullopt);
    ASSERT_TRUE(up->wait_acked(3, 10s)) << up->stats().last_error;
    up->stop();
    expect_exactly(*server_, 1, 3, "site-1");  // the retries were duplicates
    EXPECT_GE(server_->duplicates(), 3u);
}

TEST_F(UplinkClient, StopIsPromptDuringBackoff) {
    server_->stop();
    append_events(spool(), 1, 10);
    auto opts = fast_options(*server_, client_dir());
    opts.backoff = {30s, 2.0, 60s};
    opts.jitter_seed = 0;
    auto up = make_uplink(opts);
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(eventually([&] { return up->stats().errors >= 1; }));
    auto t0 = std::chrono::steady_clock::now();
    up->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    EXPECT_EQ(spool().acked_seq(), 0u);
}

// A listener that never accepts: connect succeeds (the kernel queues it), TLS never starts.
class SilentListener {
public:
    SilentListener() : acceptor_(ioc_) {
        boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(ep.protocol());
        acceptor_.bind(ep);
        acceptor_.listen();
    }
    std::string url() const {
        return "https://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

TEST_F(UplinkClient, HandshakeHasADeadline) {
    SilentListener silent;
    append_events(spool(), 1, 1);
    auto opts = fast_options(*server_, client_dir());
    opts.server_url = silent.url();
    opts.connect_timeout = 300ms;
    auto up = make_uplink(opts);
    ASSERT_TRUE(up);
    up->start();
    ASSERT_TRUE(eventually([&] { return up->stats().errors >= 1; }, 5s));
    up->stop();
    EXPECT_NE(up->stats().last_error.find("TLS handshake"), std::string::npos)
        << up->stats().last_error;
    EXPECT_NE(up->stats().last_error.find("timed out after 300 ms"), std::string::npos);
}

TEST_F(UplinkClient, StopIsPromptDuringAHangingHandshake) {
    SilentListener silent;
    append_events(spool(), 1, 1);
    auto opts = fast_options(*server_, client_dir());
    opts.server_url = silent.url();
    opts.connect_timeout = 60s;
    auto up = make_uplink(opts);
    ASSERT_TRUE(up);
    up->start();
    std::this_thread::sleep_for(200ms);  // connected, waiting for the ServerHello
    auto t0 = std::chrono::steady_clock::now();
    up->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST_F(UplinkClient, StopIsPromptWhenIdle) {
    auto up = make_uplink(fast_options(*server_, client_dir()));
    ASSERT_TRUE(up);
    up->start();
    std::this_thread::sleep_for(50ms);
    auto t0 = std::chrono::steady_clock::now();
    up->stop();
    up->stop();  // idempotent
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    // And it can run again.
    append_events(spool(), 1, 3);
    up->start();
    ASSERT_TRUE(up->wait_acked(3, 10s));
}

TEST_F(UplinkClient, CreateChecksOptionsAndFiles) {
    auto base = fast_options(*server_, client_dir());
    auto missing = base;
    missing.cert_file = dir_.path() / "nope.pem";
    auto r = Uplink::create(spool(), missing);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("nope.pem"), std::string::npos);

    auto mismatched = base;
    server_->issue_client_cert("other", dir_.path() / "other");
    mismatched.key_file = dir_.path() / "other" / "key.pem";
    r = Uplink::create(spool(), mismatched);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("mismatch"), std::string::npos) << r.error().message();

    auto bad_url = base;
    bad_url.server_url = "http://127.0.0.1:1";
    EXPECT_FALSE(Uplink::create(spool(), bad_url));
    auto zero = base;
    zero.max_batch_records = 0;
    EXPECT_FALSE(Uplink::create(spool(), zero));
    auto no_cert = base;
    no_cert.cert_file.clear();
    EXPECT_FALSE(Uplink::create(spool(), no_cert));
}

}  // namespace
}  // namespace cyberalarm::test
