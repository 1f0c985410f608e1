// Sessions, reset tokens, TOTP and the Cookie header (internal/people.h).
#include "server/api/internal/people.h"

#include <liboath/oath.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "server/api/secrets.h"

namespace cyberalarm::server::api {

namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kPendingTotpNs = 600 * kNsPerS;

void ensure_oath() {
    static const int ready = oath_init();
    if (ready != OATH_OK) {
        std::abort();
    }
}

}  // namespace

// ---- sessions ------------------------------------------------------------------------------

SessionTable::SessionTable(std::int64_t idle_ns, std::int64_t absolute_ns,
                           std::size_t max_sessions)
    : idle_ns_(idle_ns), absolute_ns_(absolute_ns), max_sessions_(max_sessions) {}

std::pair<std::string, Session> SessionTable::create(store::UserId user, bool totp_pending,
                                                     std::int64_t now_ns) {
    std::string token = random_token(kSessionTokenPrefix);
    Session s{user, random_hex(64), now_ns, now_ns,
              std::min(now_ns + idle_ns_, now_ns + absolute_ns_), totp_pending};
    std::lock_guard lock(mu_);
    if (by_hash_.size() >= max_sessions_) {
        drop_expired(now_ns);
    }
    if (by_hash_.size() >= max_sessions_) {
        // Full of live sessions: the oldest gives way rather than the new login failing.
        auto oldest = std::min_element(by_hash_.begin(), by_hash_.end(), [](auto& a, auto& b) {
            return a.second.last_seen_ns < b.second.last_seen_ns;
        });
        by_hash_.erase(oldest);
    }
    by_hash_.emplace(store::token_hash(token), s);
    return {std::move(token), std::move(s)};
}

std::optional<Session> SessionTable::touch(std::string_view token, std::int64_t now_ns) {
    const std::string hash = store::token_hash(token);
    std::lock_guard lock(mu_);
    const auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) {
        return std::nullopt;
    }
    Session& s = it->second;
    if (now_ns >= s.expires_ns) {
        by_hash_.erase(it);
        return std::nullopt;
    }
    s.last_seen_ns = now_ns;
    s.expires_ns = std::min(now_ns + idle_ns_, s.created_ns + absolute_ns_);
    return s;
}

void SessionTable::remove(std::string_view token) {
    const std::string hash = store::token_hash(token);
    std::lock_guard lock(mu_);
    by_hash_.erase(hash);
}

void SessionTable::remove_user(store::UserId user) {
    std::lock_guard lock(mu_);
    std::erase_if(by_hash_, [user](const auto& kv) { return kv.second.user == user; });
}

void SessionTable::set_totp_done(std::string_view token) {
    const std::string hash = store::token_hash(token);
    std::lock_guard lock(mu_);
    if (const auto it = by_hash_.find(hash); it != by_hash_.end()) {
        it->second.totp_pending = false;
    }
}

void SessionTable::drop_expired(std::int64_t now_ns) {
    std::erase_if(by_hash_, [now_ns](const auto& kv) { return now_ns >= kv.second.expires_ns; });
}

// ---- reset tokens --------------------------------------------------------------------------

ResetTokens::ResetTokens(std::int64_t lifetime_ns, std::size_t max_tokens)
    : lifetime_ns_(lifetime_ns), max_tokens_(max_tokens) {}

std::string ResetTokens::issue(store::UserId user, std::int64_t now_ns) {
    std::string token = random_token(kResetTokenPrefix);
    std::lock_guard lock(mu_);
    std::erase_if(by_hash_, [now_ns, user](const auto& kv) {
        // Expired links go; so does an older link of the same user (only the newest works).
        return now_ns >= kv.second.expires_ns || kv.second.user == user;
    });
    if (by_hash_.size() < max_tokens_) {
        by_hash_.emplace(store::token_hash(token), Entry{user, now_ns + lifetime_ns_});
    }
    return token;
}

std::optional<store::UserId> ResetTokens::redeem(std::string_view token, std::int64_t now_ns) {
    const std::string hash = store::token_hash(token);
    std::lock_guard lock(mu_);
    const auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) {
        return std::nullopt;
    }
    const Entry e = it->second;
    by_hash_.erase(it);
    if (now_ns >= e.expires_ns) {
        return std::nullopt;
    }
    return e.user;
}

// ---- TOTP ----------------------------------------------------------------------------------

std::string Totp::new_secret() {
    return from_hex(random_hex(40)).value_or(std::string());
}

std::string Totp::base32(std::string_view secret) {
    ensure_oath();
    char* out = nullptr;
    std::size_t len = 0;
    if (oath_base32_encode(secret.data(), secret.size(), &out, &len) != OATH_OK) {
        return {};
    }
    std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
    std::string text(out, len);
    std::erase(text, '=');
    return text;
}

std::string Totp::uri(std::string_view email, std::string_view secret) {
    std::string label;
    for (const char c : email) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == '@') {
            label += c;
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            label += '%';
            label += kHex[u >> 4];
            label += kHex[u & 15];
        }
    }
    return "otpauth://totp/cyberalarm:" + label + "?secret=" + base32(secret) +
           "&issuer=cyberalarm&algorithm=SHA1&digits=6&period=" + std::to_string(kStepS);
}

std::string Totp::code_at(std::string_view secret, std::int64_t unix_s) {
    ensure_oath();
    char out[7] = {};
    if (oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(unix_s), kStepS,
                           OATH_TOTP_DEFAULT_START_TIME, 6, out) != OATH_OK) {
        return {};
    }
    return std::string(out, 6);
}

bool Totp::accept(store::UserId user, std::string_view secret, std::string_view code,
                  std::int64_t now_ns) {
    ensure_oath();
    if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) {
            return c >= '0' && c <= '9';
        })) {
        return false;
    }
    const std::string otp(code);
    int pos = 0;
    std::uint64_t step = 0;
    const int rc = oath_totp_validate3(secret.data(), secret.size(),
                                       static_cast<time_t>(now_ns / kNsPerS), kStepS,
                                       OATH_TOTP_DEFAULT_START_TIME, kWindow, &pos, &step,
                                       otp.c_str());
    if (rc < 0) {
        return false;
    }
    std::lock_guard lock(mu_);
    auto& last = last_step_[user];
    if (step <= last) {
        return false;  // replay of a code (or an older one) already accepted
    }
    last = step;
    return true;
}

void Totp::set_pending(store::UserId user, std::string secret, std::int64_t now_ns) {
    std::lock_guard lock(mu_);
    pending_[user] = {std::move(secret), now_ns + kPendingTotpNs};
}

std::optional<std::string> Totp::pending(store::UserId user, std::int64_t now_ns) {
    std::lock_guard lock(mu_);
    const auto it = pending_.find(user);
    if (it == pending_.end() || now_ns >= it->second.second) {
        return std::nullopt;
    }
    return it->second.first;
}

void Totp::clear_pending(store::UserId user) {
    std::lock_guard lock(mu_);
    pending_.erase(user);
}

// ---- Cookie header -------------------------------------------------------------------------

std::string_view cookie_value(std::string_view header, std::string_view name) {
    if (header.size() > 4096) {
        return {};
    }
    while (!header.empty()) {
        const auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != name) {
            continue;
        }
        std::string_view value = pair.substr(eq + 1);
        while (!value.empty() && value.back() == ' ') {
            value.remove_suffix(1);
        }
        const bool clean = !value.empty() && value.size() <= 256 &&
                           std::all_of(value.begin(), value.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                                      c == '-';
                           });
        return clean ? value : std::string_view{};
    }
    return {};
}

}  // namespace cyberalarm::server::api
