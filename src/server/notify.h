// Notifier: tells people about new or escalated high-severity findings — an email over SMTP
// to the member's admins and a signed webhook POST — without ever holding up ingest or
// detection.
//
// Notices go into a bounded queue (full: the notice is dropped and counted as failed) and a
// worker thread sends them with libcurl, each channel retried up to max_attempts times with
// doubling delays. What is sent is the finding's summary only: kind, severity, title,
// advice, counts and times, the member's name — never event content, evidence or addresses
// beyond what the finding's title says.
//
// Transport security: SMTP must use TLS (STARTTLS on smtp://, or smtps://) unless the
// configured server is a loopback address; a webhook must be https:// unless it is on
// loopback. Redirects are not followed.
//
// Webhook signature: header `X-Cyberalarm-Signature: t=<unix seconds>,v1=<hex>` where hex
// is HMAC-SHA256 with the shared secret over "<t>.<body>". A receiver recomputes it, compares
// in constant time and refuses timestamps far from its clock (replay).
// `X-Cyberalarm-Delivery` is the same on every retry of one notice, for de-duplication.
//
// Thread safety: notify() and stats from any thread; start()/stop() from the owner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/event.h"
#include "detect/finding.h"
#include "server/metrics.h"
#include "store/store.h"

namespace cyberalarm::server {

struct SmtpOptions {
    std::string url;   // "smtp://mail.example.org:587" or "smtps://…:465"; empty: no email
    std::string from;  // envelope and header sender
    std::string username;  // empty: no AUTH
    std::string password;
    std::string ca_file;  // empty: the system's CAs
};

struct WebhookOptions {
    std::string url;     // "https://…"; empty: no webhook
    std::string secret;  // HMAC key; required with a url
    std::string ca_file;
};

struct NotifyOptions {
    SmtpOptions smtp;
    WebhookOptions webhook;
    std::size_t max_queue = 1000;
    int max_attempts = 4;                          // per channel and notice
    std::chrono::milliseconds retry_initial{1000};  // doubles after each failed attempt
    std::chrono::milliseconds timeout{15'000};      // one attempt, connect to last byte
};

// A report is ready: announced by email with a link that needs a login, never the report
// itself. Not sent to the webhook.
struct ReportReady {
    std::int64_t report_id = 0;
    std::string kind;  // "member-weekly", "analyst-weekly"
    std::int64_t from_ns = 0;
    std::int64_t to_ns = 0;
    std::string link;  // "<base_url>/reports/<id>"
};

// A password reset link for one person (the API's POST /api/v1/password-reset): by email
// only, to that address only, never to the webhook.
struct PasswordReset {
    std::string email;
    std::string link;  // single use; expires after `valid_minutes`
    std::int64_t valid_minutes = 60;
};

struct Notice {
    store::TenantId member = 0;  // for a report: the tenant it is about (member or analyst's)
    std::string member_name;
    bool escalated = false;  // false: a new finding
    detect::Finding finding;  // only the summary fields are sent
    std::optional<ReportReady> report;  // set: a report announcement, not a finding
    std::optional<PasswordReset> reset;  // set: a password reset link, nothing else
};

// The webhook's JSON body for a notice (stable field order; tests and receivers read it).
[[nodiscard]] std::string webhook_body(const Notice& notice, std::int64_t now_ns);
// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>"
[[nodiscard]] std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                                            std::string_view body);
// Checks a signature header against the body: well-formed, the HMAC matches (constant-time
// comparison) and t within `tolerance` of `now_unix`.
[[nodiscard]] bool verify_webhook_signature(std::string_view header, std::string_view secret,
                                            std::string_view body, std::int64_t now_unix,
                                            std::int64_t tolerance_s = 300);
// The RFC 5322 message for a notice (CR/LF line ends; header values stripped of CR/LF).
[[nodiscard]] std::string email_message(const Notice& notice, std::string_view from,
                                        std::int64_t now_ns);

class Notifier {
public:
    // Refuses insecure transport settings (kInvalidArgument naming the key).
    [[nodiscard]] static core::Result<std::unique_ptr<Notifier>> create(store::Store& store,
                                                                        Metrics& metrics,
                                                                        NotifyOptions options);
    ~Notifier();  // stop()
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    void start();
    // Sends what is queued (one attempt each, no more waiting), then joins the worker.
    void stop();

    // Queues a notice; never blocks. False if the queue is full or nothing is configured.
    bool notify(Notice notice);
    // Queues a password reset email (email must be configured). kUnavailable if it cannot be
    // queued; delivery itself is retried like any notice.
    [[nodiscard]] core::Status send_password_reset(PasswordReset reset);
    [[nodiscard]] bool enabled() const;
    // Waits until the queue is empty and nothing is being sent (tests).
    [[nodiscard]] bool wait_idle(std::chrono::milliseconds timeout) const;

private:
    Notifier(store::Store& store, Metrics& metrics, NotifyOptions options);
    void run();
    void deliver(const Notice& notice);
    // Tries `send` up to max_attempts times; false if every attempt failed.
    template <typename Send>
    bool with_retries(Send send);
    // Member admins of a member; for a report on a force/region/nation, its analysts.
    [[nodiscard]] std::vector<std::string> recipients(store::TenantId member, bool report);
    [[nodiscard]] core::Status send_email(const Notice& notice,
                                          const std::vector<std::string>& to);
    [[nodiscard]] core::Status send_webhook(const std::string& body, const std::string& delivery);

    store::Store& store_;
    Metrics& metrics_;
    const NotifyOptions options_;

    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    std::deque<Notice> queue_;
    bool busy_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cyberalarm::server
