#include "server/clock.h"
#include "server/notify.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace cyberalarm::server {

namespace {

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using SlistPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// The host of a URL, without IPv6 brackets; "" if the URL does not parse.
std::string url_host(const std::string& url) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
    char* host = nullptr;
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
        curl_url_get(u.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        return {};
    }
    std::string h(host);
    curl_free(host);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
        h = h.substr(1, h.size() - 2);
    }
    return h;
}

bool is_loopback_host(const std::string& host) {
    return host == "::1" || host == "localhost" || host.starts_with("127.");
}

core::Status curl_failure(std::string_view what, CURLcode code, const char* detail) {
    std::string text = std::string(what) + ": " + curl_easy_strerror(code);
    if (detail != nullptr && *detail != '\0') {
        text += " (" + std::string(detail) + ")";
    }
    return core::fail(core::Error(core::ErrorCode::kUnavailable, std::move(text)));
}

struct Upload {
    std::string_view data;
    std::size_t offset = 0;
};

std::size_t read_upload(char* out, std::size_t size, std::size_t n, void* user) {
    auto* up = static_cast<Upload*>(user);
    const std::size_t len = std::min(size * n, up->data.size() - up->offset);
    std::copy_n(up->data.data() + up->offset, len, out);
    up->offset += len;
    return len;
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*) {
    return size * n;
}

std::string delivery_id() {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) {
        return "0";
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    return out;
}

}  // namespace

core::Result<std::unique_ptr<Notifier>> Notifier::create(store::Store& store, Metrics& metrics,
                                                          NotifyOptions options) {
    auto bad = [](std::string key, std::string why) {
        return core::fail(core::Error::invalid_argument(key + ": " + why).at_field(key));
    };
    if (!options.smtp.url.empty()) {
        const auto host = url_host(options.smtp.url);
        const bool smtps = options.smtp.url.starts_with("smtps://");
        if (host.empty() || (!smtps && !options.smtp.url.starts_with("smtp://"))) {
            return bad("notify.smtp.url", "must be smtp://host[:port] or smtps://host[:port]");
        }
        if (options.smtp.from.empty()) {
            return bad("notify.smtp.from", "is required with notify.smtp.url");
        }
    }
    if (!options.webhook.url.empty()) {
        const auto host = url_host(options.webhook.url);
        const bool https = options.webhook.url.starts_with("https://");
        if (host.empty() || (!https && !(options.webhook.url.starts_with("http://") &&
                                          is_loopback_host(host)))) {
            return bad("notify.webhook.url", "must be https:// (http:// only on loopback)");
        }
        if (options.webhook.secret.size() < 16) {
            return bad("notify.webhook.secret_file", "a secret of at least 16 bytes is required");
        }
    }
    options.max_attempts = std::max(1, options.max_attempts);
    // libcurl's global state is set up once, before any transfer on any thread.
    static std::once_flag curl_once;
    std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    return std::unique_ptr<Notifier>(new Notifier(store, metrics, std::move(options)));
}

Notifier::Notifier(store::Store& store, Metrics& metrics, NotifyOptions options)
    : store_(store), metrics_(metrics), options_(std::move(options)) {}

Notifier::~Notifier() {
    stop();
}

bool Notifier::enabled() const {
    return !options_.smtp.url.empty() || !options_.webhook.url.empty();
}

void Notifier::start() {
    std::lock_guard lock(mu_);
    if (!thread_.joinable() && enabled()) {
        stopping_ = false;
        thread_ = std::thread([this] { run(); });
    }
}

void Notifier::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool Notifier::notify(Notice notice) {
    if (!enabled()) {
        return false;
    }
    {
        std::lock_guard lock(mu_);
        if (queue_.size() >= options_.max_queue) {
            if (!options_.smtp.url.empty()) {
                metrics_.notification(Channel::kEmail, false);
            }
            if (!options_.webhook.url.empty()) {
                metrics_.notification(Channel::kWebhook, false);
            }
            return false;
        }
        queue_.push_back(std::move(notice));
    }
    cv_.notify_all();
    return true;
}

bool Notifier::wait_idle(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void Notifier::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) {
            return;  // stopping, and everything was sent
        }
        Notice notice = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        deliver(notice);
        lock.lock();
        busy_ = false;
        cv_.notify_all();
    }
}

template <typename Send>
bool Notifier::with_retries(Send send) {
    auto delay = options_.retry_initial;
    for (int attempt = 1;; ++attempt) {
        auto st = send();
        if (st) {
            return true;
        }
        std::unique_lock lock(mu_);
        if (attempt >= options_.max_attempts || stopping_) {
            spdlog::warn("event=notify_failed attempts={} reason=\"{}\"", attempt,
                         st.error().message());
            return false;
        }
        // Waiting on the condition variable lets stop() cut the backoff short.
        cv_.wait_for(lock, delay, [this] { return stopping_; });
        delay *= 2;
    }
}

core::Status Notifier::send_password_reset(PasswordReset reset) {
    if (options_.smtp.url.empty()) {
        return core::fail(core::Error(core::ErrorCode::kUnavailable,
                                      "no SMTP server is configured (notify.smtp.url)"));
    }
    Notice notice;
    notice.reset = std::move(reset);
    if (!notify(std::move(notice))) {
        return core::fail(core::Error(core::ErrorCode::kUnavailable, "the mail queue is full"));
    }
    return {};
}

void Notifier::deliver(const Notice& notice) {
    if (notice.reset) {
        if (!options_.smtp.url.empty()) {
            const bool ok = with_retries([&] { return send_email(notice, {notice.reset->email}); });
            metrics_.notification(Channel::kEmail, ok);
        }
        return;  // never to the webhook
    }
    if (!options_.smtp.url.empty()) {
        auto to = recipients(notice.member, notice.report.has_value());
        if (!to.empty()) {
            const bool ok = with_retries([&] { return send_email(notice, to); });
            metrics_.notification(Channel::kEmail, ok);
        }
    }
    if (!options_.webhook.url.empty() && !notice.report) {
        const std::string body = webhook_body(notice, wall_clock_ns());
        const std::string delivery = delivery_id();
        const bool ok = with_retries([&] { return send_webhook(body, delivery); });
        metrics_.notification(Channel::kWebhook, ok);
    }
}

std::vector<std::string> Notifier::recipients(store::TenantId member, bool report) {
    std::vector<std::string> out;
    auto users = store_.list_users(member);
    if (!users) {
        spdlog::warn("event=notify_recipients_failed member={} reason=\"{}\"", member,
                     users.error().message());
        return out;
    }
    for (const auto& u : *users) {
        const bool analyst = u.role == store::Role::kForceAnalyst ||
                             u.role == store::Role::kRegionAnalyst ||
                             u.role == store::Role::kNationalAnalyst;
        if ((u.role == store::Role::kMemberAdmin || (report && analyst)) && u.disabled_ns == 0 &&
            !u.email.empty()) {
            out.push_back(u.email);
        }
    }
    return out;
}

core::Status Notifier::send_email(const Notice& notice, const std::vector<std::string>& to) {
    CurlPtr curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
        return core::fail(core::Error::internal("curl_easy_init failed"));
    }
    const std::string message = email_message(notice, options_.smtp.from, wall_clock_ns());
    Upload upload{message};
    curl_slist* raw = nullptr;
    for (const auto& r : to) {
        raw = curl_slist_append(raw, ("<" + r + ">").c_str());
    }
    SlistPtr rcpt(raw, &curl_slist_free_all);
    const std::string from = "<" + options_.smtp.from + ">";
    const bool loopback = is_loopback_host(url_host(options_.smtp.url));
    char err[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, options_.smtp.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // TLS is required off loopback; on loopback it is used when the server offers it.
    curl_easy_setopt(c, CURLOPT_USE_SSL, loopback ? CURLUSESSL_TRY : CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!options_.smtp.ca_file.empty()) {
        curl_easy_setopt(c, CURLOPT_CAINFO, options_.smtp.ca_file.c_str());
    }
    if (!options_.smtp.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, options_.smtp.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, options_.smtp.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) {
        return curl_failure("sending email", rc, err);
    }
    return {};
}

core::Status Notifier::send_webhook(const std::string& body, const std::string& delivery) {
    CurlPtr curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
        return core::fail(core::Error::internal("curl_easy_init failed"));
    }
    const auto unix_now = wall_clock_ns() / 1'000'000'000;
    curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json");
    raw = curl_slist_append(
        raw, ("X-Cyberalarm-Signature: " + webhook_signature(options_.webhook.secret, unix_now,
                                                             body))
                 .c_str());
    raw = curl_slist_append(raw, ("X-Cyberalarm-Delivery: " + delivery).c_str());
    raw = curl_slist_append(raw, "Expect:");
    SlistPtr headers(raw, &curl_slist_free_all);
    char err[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, options_.webhook.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");  // http checked to be loopback
    curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!options_.webhook.ca_file.empty()) {
        curl_easy_setopt(c, CURLOPT_CAINFO, options_.webhook.ca_file.c_str());
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) {
        return curl_failure("posting webhook", rc, err);
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        return core::fail(core::Error(core::ErrorCode::kUnavailable,
                                      "webhook answered HTTP " + std::to_string(status)));
    }
    return {};
}

}  // namespace cyberalarm::server
