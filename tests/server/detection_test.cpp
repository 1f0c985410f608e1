// Detection on ingest and notifications, end to end through the real server: a port scan
// split over batches (and over a restart) is one stored finding whose counts grow; a
// high-severity finding reaches the member's admins by email and a webhook whose signature
// verifies, once.
#include <gtest/gtest.h>

#include <fstream>

#include "server/clock.h"
#include "server/detection.h"
#include "server/notify.h"
#include "server/receivers.h"
#include "server/server_support.h"
#include "store/sqlite/sqlite_store.h"

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kSecret = "test-webhook-secret-0123456789";

std::vector<store::FindingRecord> findings(store::Store& s, store::TenantId member) {
    store::FindingQuery q;
    q.member = member;
    return must(s.search_findings(store::Scope::of({member}), q), "findings").items;
}

class DetectionTest : public ::testing::Test {
protected:
    void SetUp() override {
        client = must(h->enroll(h->add_collector(member, "gw"), "gw"), "enroll");
    }
    void send(std::uint64_t first_seq, const std::vector<std::string>& records) {
        auto a = post_batch(h->port(), h->ca_file(), client, batch_body(first_seq, records));
        ASSERT_EQ(a.status, 200u) << a.body;
    }
    void settle() {
        ASSERT_TRUE(h->server().detection()->wait_idle(10s));
        ASSERT_TRUE(h->server().notifier()->wait_idle(10s));
    }

    SmtpReceiver smtp;
    HttpReceiver hook;
    TempDir secrets;
    std::unique_ptr<ServerHarness> h = std::make_unique<ServerHarness>([this](auto& c) {
        c.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
        c.smtp_from = "alarm@cyberalarm.test";
        c.webhook_url = "http://127.0.0.1:" + std::to_string(hook.port()) + "/hook";
        c.webhook_secret = std::string(kSecret);
        c.notify_retry_initial = 10ms;
    });
    store::TenantId member = h->add_member("School", "10.1.0.0/16");
    uplink::EnrollResult client;
};

TEST_F(DetectionTest, PortScanAcrossBatchesIsOneUpdatedFinding) {
    // Sends `n` more ports of the scan and returns the findings stored once detection is done.
    std::uint64_t next = 1;
    auto scan_more = [&](std::size_t n) {
        send(next, scan_records("203.0.113.7", "10.1.0.5", static_cast<std::uint16_t>(next), n,
                                1000 + static_cast<std::int64_t>(next)));
        next += n;
        settle();
        return findings(h->store(), member);
    };
    EXPECT_TRUE(scan_more(8).empty());  // 8 ports: below the threshold
    const auto after2 = scan_more(8);
    ASSERT_EQ(after2.size(), 1u);
    EXPECT_EQ(after2[0].finding.kind, detect::FindingKind::kPortScan);
    EXPECT_EQ(after2[0].finding.distinct_ports, 16u);
    const auto after3 = scan_more(8);
    ASSERT_EQ(after3.size(), 1u);
    EXPECT_EQ(after3[0].finding.id, after2[0].finding.id);
    EXPECT_EQ(after3[0].finding.distinct_ports, 24u);
    EXPECT_EQ(after3[0].finding.count, 24u);
    // The engine starts empty after a restart; the stored finding keeps growing.
    h->restart();
    const auto after_restart = scan_more(10);
    ASSERT_EQ(after_restart.size(), 1u);
    EXPECT_EQ(after_restart[0].finding.id, after2[0].finding.id);
    EXPECT_EQ(after_restart[0].finding.count, 34u);
    EXPECT_GE(after_restart[0].finding.distinct_ports, 24u);
    // Medium severity: nobody was notified.
    EXPECT_TRUE(smtp.messages().empty());
    EXPECT_TRUE(hook.requests().empty());
}

TEST_F(DetectionTest, StopFlushesQueuedDetection) {
    // No waiting for detection: stopping the server must process the queue and store it.
    send(1, scan_records("203.0.113.7", "10.1.0.5", 1, 12, 1000));
    h->restart();
    const auto found = findings(h->store(), member);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].finding.distinct_ports, 12u);
}

TEST(DetectionIntelTest, IntelFilesInTheDataDirFeedDetection) {
    ServerHarness h([](server::ServerConfig& c) {
        std::filesystem::create_directories(c.data_dir / "intel");
        std::filesystem::permissions(c.data_dir, std::filesystem::perms::owner_all);
        std::ofstream(c.data_dir / "intel" / "bad.txt") << "198.51.100.66\n";
    });
    const auto member = h.add_member("School", "10.1.0.0/16");
    const auto client = must(h.enroll(h.add_collector(member, "gw"), "gw"), "enroll");
    auto a = post_batch(h.port(), h.ca_file(), client,
                        batch_body(1, scan_records("198.51.100.66", "10.1.0.9", 443, 1, 5000)));
    ASSERT_EQ(a.status, 200u) << a.body;
    ASSERT_TRUE(h.server().detection()->wait_idle(10s));
    const auto found = findings(h.store(), member);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].finding.kind, detect::FindingKind::kKnownBad);
    EXPECT_EQ(found[0].finding.intel_source, "bad.txt");
}

TEST_F(DetectionTest, HighFindingNotifiesAdminsAndSignedWebhookOnce) {
    store::User admin;
    admin.tenant = member;
    admin.role = store::Role::kMemberAdmin;
    admin.email = "head@school.example";
    must(h->store().create_user(admin), "admin");
    store::User viewer = admin;
    viewer.role = store::Role::kMemberViewer;
    viewer.email = "viewer@school.example";
    must(h->store().create_user(viewer), "viewer");
    hook.answer_next({500});  // the first attempt fails: the notifier retries

    send(1, login_failures("203.0.113.8", 12, 2000));
    settle();
    ASSERT_TRUE(smtp.wait_for(1, 10s));
    ASSERT_TRUE(hook.wait_for(2, 10s));
    const auto mail = smtp.messages()[0];
    EXPECT_EQ(mail.to, std::vector<std::string>{"head@school.example"});
    EXPECT_EQ(mail.from, "alarm@cyberalarm.test");
    EXPECT_NE(mail.data.find("Subject: [cyberalarm] high new: Password guessing from 203.0.113.8"),
              std::string::npos)
        << mail.data;
    EXPECT_NE(mail.data.find("Member: School"), std::string::npos);
    // Event content beyond the summary (the target address, the service) is not sent.
    EXPECT_EQ(mail.data.find("10.1.0.5"), std::string::npos);

    const auto reqs = hook.requests();
    const auto& req = reqs[1];
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/hook");
    EXPECT_EQ(req.headers.at("x-cyberalarm-delivery"), reqs[0].headers.at("x-cyberalarm-delivery"));
    const auto now = server::wall_clock_ns() / 1'000'000'000;
    const auto& sig = req.headers.at("x-cyberalarm-signature");
    EXPECT_TRUE(server::verify_webhook_signature(sig, kSecret, req.body, now));
    std::string tampered = req.body;
    tampered[tampered.find("high")] = 'l';
    EXPECT_FALSE(server::verify_webhook_signature(sig, kSecret, tampered, now));
    EXPECT_FALSE(server::verify_webhook_signature(sig, "another secret", req.body, now));
    EXPECT_EQ(req.body.find("10.1.0.5"), std::string::npos);
    EXPECT_NE(req.body.find("\"event\":\"new\""), std::string::npos);

    // More of the same run updates the finding without notifying again.
    send(13, login_failures("203.0.113.8", 5, 2012));
    settle();
    EXPECT_EQ(smtp.messages().size(), 1u);
    EXPECT_EQ(hook.requests().size(), 2u);
    auto& m = h->server().metrics();
    EXPECT_EQ(m.notifications(server::Channel::kEmail, true), 1u);
    EXPECT_EQ(m.notifications(server::Channel::kWebhook, true), 1u);
    EXPECT_EQ(m.notifications(server::Channel::kWebhook, false), 0u);
    EXPECT_NE(m.render().find("cyberalarm_findings_stored_total"), std::string::npos);
}

TEST(NotifyFormatTest, SignatureRefusesOldTimestampsAndMalformedHeaders) {
    const std::string body = "{\"a\":1}";
    const auto sig = server::webhook_signature("secret-secret-secret", 1000, body);
    EXPECT_TRUE(server::verify_webhook_signature(sig, "secret-secret-secret", body, 1100));
    EXPECT_FALSE(server::verify_webhook_signature(sig, "secret-secret-secret", body, 2000));
    EXPECT_FALSE(server::verify_webhook_signature("t=1000", "secret-secret-secret", body, 1000));
    EXPECT_FALSE(server::verify_webhook_signature("v1=00,t=1000", "secret-secret-secret", body,
                                                  1000));
}

TEST(NotifyFormatTest, EmailHeadersCannotBeInjected) {
    server::Notice n;
    n.member_name = "Evil\r\nBcc: victim@example.org";
    n.finding.title = "Title\r\nBcc: victim@example.org";
    n.finding.severity = core::Severity::kHigh;
    const auto msg = server::email_message(n, "alarm@example.org", 0);
    EXPECT_EQ(msg.find("\r\nBcc:"), std::string::npos) << msg;
}

// A password reset link goes by email to that one address, never to the webhook or to the
// member's admins.
TEST(NotifyResetTest, ResetLinkGoesOnlyToTheAccountsAddress) {
    SmtpReceiver smtp;
    HttpReceiver hook;
    TempDir dir;
    server::Metrics metrics;
    auto store = must(store::open_sqlite(dir.path() / "s.db"), "store");
    server::NotifyOptions o;
    o.smtp.url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
    o.smtp.from = "alarm@cyberalarm.test";
    o.webhook.url = "http://127.0.0.1:" + std::to_string(hook.port()) + "/hook";
    o.webhook.secret = std::string(kSecret);
    auto notifier = must(server::Notifier::create(*store, metrics, o), "notifier");
    notifier->start();
    must(notifier->send_password_reset(
             {"someone@school.example", "https://portal.example/reset#token=abc123", 60}),
         "reset");
    ASSERT_TRUE(smtp.wait_for(1, 10s));
    ASSERT_TRUE(notifier->wait_idle(10s));
    const auto mail = smtp.messages();
    ASSERT_EQ(mail.size(), 1u);
    EXPECT_EQ(mail[0].to, std::vector<std::string>{"someone@school.example"});
    EXPECT_NE(mail[0].data.find("Subject: [cyberalarm] Reset your password"), std::string::npos);
    EXPECT_NE(mail[0].data.find("https://portal.example/reset#token=abc123"), std::string::npos);
    EXPECT_NE(mail[0].data.find("60 minutes"), std::string::npos);
    EXPECT_TRUE(hook.requests().empty()) << "a reset link reached the webhook";
    notifier->stop();

    server::NotifyOptions no_mail;
    no_mail.webhook = o.webhook;
    auto webhook_only = must(server::Notifier::create(*store, metrics, no_mail), "notifier");
    auto refused = webhook_only->send_password_reset({"a@b.example", "x", 60});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("notify.smtp.url"), std::string::npos);
}

TEST(NotifyConfigTest, InsecureTransportRefused) {
    TempDir dir;
    server::Metrics metrics;
    auto store = must(store::open_sqlite(dir.path() / "s.db"), "store");
    server::NotifyOptions o;
    o.webhook.url = "http://hooks.example.org/x";
    o.webhook.secret = std::string(kSecret);
    EXPECT_FALSE(server::Notifier::create(*store, metrics, o));
    o.webhook.url = "https://hooks.example.org/x";
    o.webhook.secret = "short";
    EXPECT_FALSE(server::Notifier::create(*store, metrics, o));
    o.webhook.secret = std::string(kSecret);
    EXPECT_TRUE(server::Notifier::create(*store, metrics, o));
    o.smtp.url = "ftp://mail.example.org";
    o.smtp.from = "a@b";
    EXPECT_FALSE(server::Notifier::create(*store, metrics, o));
}

}  // namespace
}  // namespace cyberalarm::test
