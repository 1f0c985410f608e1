// What a notification says: the webhook body and its signature, and the email message.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "server/notify.h"

namespace cyberalarm::server {

namespace {

std::string hex(const unsigned char* data, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kHex[data[i] >> 4]);
        out.push_back(kHex[data[i] & 0xf]);
    }
    return out;
}

// A header value on one line: CR and LF (header injection) become spaces.
std::string one_line(std::string_view s) {
    std::string out(s.substr(0, 200));
    for (char& c : out) {
        if (c == '\r' || c == '\n') {
            c = ' ';
        }
    }
    return out;
}

std::string severity_text(core::Severity s) {
    return std::string(core::to_string(s));
}

nlohmann::ordered_json summary(const detect::Finding& f) {
    nlohmann::ordered_json j;
    j["id"] = f.id;
    j["kind"] = detect::to_string(f.kind);
    j["severity"] = severity_text(f.severity);
    j["title"] = f.title;
    j["rule"] = f.rule;
    j["count"] = f.count;
    j["distinct_sources"] = f.distinct_sources;
    j["distinct_targets"] = f.distinct_targets;
    j["distinct_ports"] = f.distinct_ports;
    j["first_seen"] = core::format_iso8601(f.first_seen_ns);
    j["last_seen"] = core::format_iso8601(f.last_seen_ns);
    j["advice"] = f.advice;
    return j;
}

}  // namespace

std::string webhook_body(const Notice& notice, std::int64_t now_ns) {
    nlohmann::ordered_json j;
    j["type"] = "finding";
    j["event"] = notice.escalated ? "escalated" : "new";
    j["sent_at"] = core::format_iso8601(now_ns);
    j["member"] = {{"id", notice.member}, {"name", notice.member_name}};
    j["finding"] = summary(notice.finding);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body) {
    std::string message = std::to_string(unix_seconds);
    message.push_back('.');
    message.append(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t n = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                  reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
                  sizeof mac, &n) == nullptr) {
        return {};
    }
    return "t=" + std::to_string(unix_seconds) + ",v1=" + hex(mac, n);
}

bool verify_webhook_signature(std::string_view header, std::string_view secret,
                              std::string_view body, std::int64_t now_unix,
                              std::int64_t tolerance_s) {
    if (!header.starts_with("t=")) {
        return false;
    }
    const auto comma = header.find(",v1=");
    if (comma == std::string_view::npos) {
        return false;
    }
    std::int64_t t = 0;
    const auto digits = header.substr(2, comma - 2);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t);
    if (ec != std::errc() || end != digits.data() + digits.size() ||
        t < now_unix - tolerance_s || t > now_unix + tolerance_s) {
        return false;
    }
    const std::string expected = webhook_signature(secret, t, body);
    return !expected.empty() && expected.size() == header.size() &&
           CRYPTO_memcmp(expected.data(), header.data(), header.size()) == 0;
}

namespace {

// The text of a finding notice: its summary fields only.
std::string finding_body(const Notice& notice) {
    const auto& f = notice.finding;
    std::string body;
    body += "Member: " + one_line(notice.member_name) + "\n";
    body += "Finding: " + one_line(f.title) + "\n";
    body += "Kind: " + std::string(detect::to_string(f.kind)) +
            "  Severity: " + severity_text(f.severity) + "\n";
    body += "Events: " + std::to_string(f.count) + "  distinct sources: " +
            std::to_string(f.distinct_sources) + ", targets: " +
            std::to_string(f.distinct_targets) + ", ports: " + std::to_string(f.distinct_ports) +
            "\n";
    body += "First seen: " + core::format_iso8601(f.first_seen_ns) +
            "  Last seen: " + core::format_iso8601(f.last_seen_ns) + "\n\n";
    body += "What to do: " + f.advice + "\n\nFinding id: " + one_line(f.id) + "\n";
    return body;
}

// A report announcement: where to read it after logging in; never the report itself.
std::string report_body(const Notice& notice) {
    const auto& r = *notice.report;
    std::string body;
    body += "A new cyberalarm report for " + one_line(notice.member_name) + " is ready.\n\n";
    body += "Period: " + core::format_iso8601(r.from_ns) + " to " +
            core::format_iso8601(r.to_ns) + "\n\n";
    body += "Read it here (you will be asked to log in):\n" + one_line(r.link) + "\n\n";
    body += "For your security the report is never attached to email.\n";
    return body;
}

std::string reset_body(const PasswordReset& r) {
    std::string body;
    body += "Someone asked to reset the password of your cyberalarm account.\n\n";
    body += "To choose a new password, open this link within " +
            std::to_string(r.valid_minutes) + " minutes (it works once):\n" + one_line(r.link) +
            "\n\n";
    body += "If you did not ask for this, ignore this message: your password stays as it is.\n";
    return body;
}

}  // namespace

std::string email_message(const Notice& notice, std::string_view from, std::int64_t now_ns) {
    const auto& f = notice.finding;
    const std::time_t secs = static_cast<std::time_t>(now_ns / core::kNanosPerSecond);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    unsigned char id_bytes[12];
    if (RAND_bytes(id_bytes, sizeof id_bytes) != 1) {
        std::fill(std::begin(id_bytes), std::end(id_bytes), 0);
    }
    std::string m;
    m += "Date: " + std::string(date) + "\r\n";
    m += "From: " + one_line(from) + "\r\n";
    m += "To: undisclosed-recipients:;\r\n";
    m += "Message-ID: <" + hex(id_bytes, sizeof id_bytes) + "@cyberalarm>\r\n";
    if (notice.reset) {
        m += "Subject: [cyberalarm] Reset your password\r\n";
    } else if (notice.report) {
        m += "Subject: [cyberalarm] Your report for " + one_line(notice.member_name) +
             " is ready\r\n";
    } else {
        m += "Subject: [cyberalarm] " + one_line(severity_text(f.severity)) + " " +
             (notice.escalated ? "escalated" : "new") + ": " + one_line(f.title) + "\r\n";
    }
    m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n";
    m += "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n";
    std::string body = notice.reset    ? reset_body(*notice.reset)
                       : notice.report ? report_body(notice)
                                       : finding_body(notice);
    // SMTP lines end in CRLF (libcurl escapes lines that start with a dot itself).
    for (char c : body) {
        if (c == '\n') {
            m += "\r\n";
        } else {
            m.push_back(c);
        }
    }
    return m;
}

}  // namespace cyberalarm::server
