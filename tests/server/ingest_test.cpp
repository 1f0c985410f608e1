// POST /v1/batches against the real server: exactly once across a restart with the real
// collector client, tenant binding, revoked and superseded certificates, missing
// certificates, and size limits with their reasons.
#include <gtest/gtest.h>

#include <set>

#include "server/metrics.h"
#include "server/server_support.h"
#include "spool/spool.h"
#include "uplink/messages.h"
#include "uplink/wire.h"

namespace cyberalarm::test {
namespace {

class IngestTest : public ::testing::Test {
protected:
    ServerHarness h{[](server::ServerConfig& c) {
        c.max_uncompressed_bytes = 8u << 20;
        c.max_batch_body_bytes = 256 * 1024;
    }};
    store::TenantId a = h.add_member("Member A", "10.1.0.0/16");
    store::TenantId b = h.add_member("Member B", "10.2.0.0/16");

    uplink::EnrollResult enrolled(store::TenantId member, const std::string& id) {
        return must(h.enroll(h.add_collector(member, id), id), "enroll");
    }
    Answer post(const std::optional<uplink::EnrollResult>& client, const std::string& body,
                const std::string& range = {}) {
        return post_batch(h.port(), h.ca_file(), client, body, range);
    }
};

std::string event_record(std::uint64_t n) {
    return scan_records("203.0.113.7", "10.1.0.5", 1, 1, static_cast<std::int64_t>(n))[0];
}

TEST_F(IngestTest, CollectorClientDeliversExactlyOnceAcrossRestart) {
    const auto client = enrolled(a, "gw-a");
    spool::Options so;
    so.fsync = spool::FsyncPolicy::kNever;
    auto spool = must(spool::Spool::open(h.root() / "spool", so), "spool");
    // Small batches and short waits, so a restart lands mid-stream.
    auto up = must(uplink::Uplink::create(
                       *spool, {.server_url = h.url(),
                                .ca_file = h.ca_file(),
                                .cert_file = client.cert_file,
                                .key_file = client.key_file,
                                .max_batch_records = 50,
                                .connect_timeout = std::chrono::seconds(5),
                                .io_timeout = std::chrono::seconds(5),
                                .backoff = {std::chrono::milliseconds(20), 2.0,
                                            std::chrono::milliseconds(200)},
                                .poll_interval = std::chrono::milliseconds(20),
                                .jitter_seed = 1}),
                   "uplink");
    for (std::uint64_t n = 1; n <= 400; ++n) {
        must(spool->append(event_record(n)), "append");
    }
    up->start();
    // Restart the server while batches are flowing: some are cut mid-flight and sent again.
    ASSERT_TRUE(eventually([&] { return up->stats().acked_seq >= 100; }));
    h.restart();
    for (std::uint64_t n = 401; n <= 600; ++n) {
        must(spool->append(event_record(n)), "append");
    }
    ASSERT_TRUE(up->wait_acked(600, std::chrono::seconds(20))) << up->stats().last_error;
    up->stop();
    const auto events = stored_events(h.store(), a);
    ASSERT_EQ(events.size(), 600u);
    std::set<std::int64_t> times;
    for (const auto& e : events) {
        EXPECT_EQ(e.collector_id, "gw-a");
        times.insert(e.event.time_ns);
    }
    EXPECT_EQ(times.size(), 600u);  // every event once
    EXPECT_EQ(must(h.store().get_collector("gw-a"), "collector").high_water, 600u);
}

TEST_F(IngestTest, RetriedBatchIsStoredOnce) {
    const auto client = enrolled(a, "gw-a");
    std::vector<std::string> records;
    for (std::uint64_t n = 1; n <= 10; ++n) {
        records.push_back(event_record(n));
    }
    const auto body = batch_body(1, records);
    auto first = post(client, body, "1-10");
    ASSERT_EQ(first.status, 200u) << first.body;
    auto again = post(client, body, "1-10");
    ASSERT_EQ(again.status, 200u) << again.body;
    auto ack = must(uplink::parse_batch_ack(again.body), "ack");
    EXPECT_EQ(ack.acked_through, 10u);
    EXPECT_EQ(ack.stored, 0u);
    EXPECT_EQ(ack.duplicates, 10u);
    EXPECT_EQ(stored_events(h.store(), a).size(), 10u);
}

TEST_F(IngestTest, CertificateOfMemberALandsOnlyInMemberA) {
    const auto ca = enrolled(a, "gw-a");
    const auto cb = enrolled(b, "gw-b");
    ASSERT_EQ(post(ca, batch_body(1, {event_record(1), event_record(2)})).status, 200u);
    ASSERT_EQ(post(cb, batch_body(1, {event_record(3)})).status, 200u);
    const auto in_a = stored_events(h.store(), a);
    const auto in_b = stored_events(h.store(), b);
    ASSERT_EQ(in_a.size(), 2u);
    ASSERT_EQ(in_b.size(), 1u);
    for (const auto& e : in_a) {
        EXPECT_EQ(e.member, a);
        EXPECT_EQ(e.collector_id, "gw-a");
    }
    EXPECT_EQ(in_b[0].collector_id, "gw-b");
    // A scope of member B alone sees nothing of A's.
    store::EventQuery q;
    q.member = a;
    auto none = h.store().search_events(store::Scope::of({b}), q);
    EXPECT_TRUE(!none || none->items.empty());
}

TEST_F(IngestTest, SupersededAndRevokedCertificatesRefused) {
    const auto old_cert = enrolled(a, "gw-a");
    ASSERT_EQ(post(old_cert, batch_body(1, {event_record(1)})).status, 200u);
    // Enrolling the collector again replaces its certificate: the old one is refused.
    const auto new_cert = must(h.enroll(h.add_collector(a, "gw-a"), "gw-a-new"), "re-enroll");
    auto refused = post(old_cert, batch_body(2, {event_record(2)}));
    EXPECT_EQ(refused.status, 403u);
    EXPECT_NE(uplink::parse_error_message(refused.body).find("not the current certificate"),
              std::string::npos)
        << refused.body;
    ASSERT_EQ(post(new_cert, batch_body(2, {event_record(2)})).status, 200u);
    // Revocation takes effect on the next batch.
    must(h.store().revoke_collector("gw-a", 1), "revoke");
    auto revoked = post(new_cert, batch_body(3, {event_record(3)}));
    EXPECT_EQ(revoked.status, 403u);
    EXPECT_NE(uplink::parse_error_message(revoked.body).find("revoked"), std::string::npos);
    EXPECT_EQ(stored_events(h.store(), a).size(), 2u);
    EXPECT_EQ(h.server().metrics().refused(server::RefusalReason::kSuperseded), 1u);
    EXPECT_EQ(h.server().metrics().refused(server::RefusalReason::kRevoked), 1u);
}

TEST_F(IngestTest, NoClientCertificateIs401) {
    auto res = post(std::nullopt, batch_body(1, {event_record(1)}));
    EXPECT_EQ(res.status, 401u);
    EXPECT_NE(uplink::parse_error_message(res.body).find("client certificate"), std::string::npos);
    EXPECT_EQ(res.headers["strict-transport-security"], "max-age=31536000");
}

TEST_F(IngestTest, ZstdBombRefusedWithReason) {
    const auto client = enrolled(a, "gw-a");
    // Ten records of 1 MiB of zeros: a small body that inflates beyond the 8 MiB limit.
    std::vector<std::string> zeros(10, std::string(1u << 20, '\0'));
    const auto bomb = batch_body(1, zeros);
    ASSERT_LT(bomb.size(), 64u * 1024);
    auto res = post(client, bomb);
    EXPECT_EQ(res.status, 413u);
    const auto why = uplink::parse_error_message(res.body);
    EXPECT_NE(why.find("batch too large"), std::string::npos) << why;
    EXPECT_NE(why.find("exceeds the limit"), std::string::npos) << why;
    // A header that claims 3 GiB is refused before anything is allocated.
    std::string claim = batch_body(1, {event_record(1)});
    claim[17] = '\x00';
    claim[18] = '\x00';
    claim[19] = '\x00';
    claim[20] = '\xc0';
    EXPECT_EQ(post(client, claim).status, 413u);
    EXPECT_EQ(h.server().metrics().refused(server::RefusalReason::kTooLarge), 2u);
    EXPECT_TRUE(stored_events(h.store(), a).empty());
}

TEST_F(IngestTest, OversizeBodyRefusedWithReason) {
    const auto client = enrolled(a, "gw-a");
    std::string big(300 * 1024, 'x');
    auto res = post(client, big);
    EXPECT_EQ(res.status, 413u);
    EXPECT_NE(uplink::parse_error_message(res.body).find("too large"), std::string::npos);
}

TEST_F(IngestTest, MalformedBatchAndWrongContentType) {
    const auto client = enrolled(a, "gw-a");
    auto garbage = post(client, "not a batch at all, certainly not CAB1");
    EXPECT_EQ(garbage.status, 400u);
    EXPECT_FALSE(uplink::parse_error_message(garbage.body).empty());
    auto mismatch = post(client, batch_body(1, {event_record(1)}), "5-9");
    EXPECT_EQ(mismatch.status, 400u);
    auto json = https_request(h.port(), h.ca_file(), client, "POST", "/v1/batches",
                              "application/json", "{}");
    EXPECT_EQ(json.status, 415u);
}

}  // namespace
}  // namespace cyberalarm::test
