// Authentication of people (docs/design/access.md): server-side sessions carried in a cookie,
// one-time password-reset links, TOTP (RFC 6238 through liboath) with replay refusal, and
// pending TOTP enrolments.
//
// All of it is in memory, in this process: a restart logs everyone out and voids reset links
// and pending enrolments (each is then simply asked for again). That is the trade-off for
// keeping session tokens out of the database altogether; it holds while one server process
// answers the API (the embedded deployment). Only hashes of session and reset tokens are
// kept, so a memory dump of the table does not give a usable cookie or link.
//
// Thread safety: every method may be called concurrently (one mutex per table).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::server::api {

inline constexpr std::string_view kSessionCookie = "ca_session";
inline constexpr std::string_view kSessionTokenPrefix = "cas_";
inline constexpr std::string_view kResetTokenPrefix = "car_";

struct Session {
    store::UserId user = 0;
    std::string csrf_token;  // sent by the client in X-CSRF-Token on every change
    std::int64_t created_ns = 0;
    std::int64_t last_seen_ns = 0;
    std::int64_t expires_ns = 0;  // the sooner of idle and absolute expiry, as of last_seen
    bool totp_pending = false;  // TOTP is required and not enrolled: enrolment routes only
};

class SessionTable {
public:
    SessionTable(std::int64_t idle_ns, std::int64_t absolute_ns, std::size_t max_sessions);

    // A new session; returns the cookie token (shown once) and the session.
    std::pair<std::string, Session> create(store::UserId user, bool totp_pending,
                                           std::int64_t now_ns);
    // The live session for a cookie token, its idle clock restarted; nullopt if unknown or
    // expired (an expired one is dropped).
    std::optional<Session> touch(std::string_view token, std::int64_t now_ns);
    void remove(std::string_view token);
    // Ends every session of a user (password reset, disabled user).
    void remove_user(store::UserId user);
    void set_totp_done(std::string_view token);

private:
    void drop_expired(std::int64_t now_ns);

    const std::int64_t idle_ns_;
    const std::int64_t absolute_ns_;
    const std::size_t max_sessions_;
    std::mutex mu_;
    std::map<std::string, Session, std::less<>> by_hash_;
};

// One-time password-reset tokens: token hash → user and expiry.
class ResetTokens {
public:
    ResetTokens(std::int64_t lifetime_ns, std::size_t max_tokens);
    std::string issue(store::UserId user, std::int64_t now_ns);
    // The user of a live token, which is used up by this call (single use).
    std::optional<store::UserId> redeem(std::string_view token, std::int64_t now_ns);

private:
    struct Entry {
        store::UserId user = 0;
        std::int64_t expires_ns = 0;
    };
    const std::int64_t lifetime_ns_;
    const std::size_t max_tokens_;
    std::mutex mu_;
    std::map<std::string, Entry, std::less<>> by_hash_;
};

// TOTP: 20-byte secrets, 30-second steps, 6 digits, a window of one step either side, and
// each user's last accepted step remembered so a code is accepted once.
class Totp {
public:
    static constexpr unsigned kStepS = 30;
    static constexpr std::size_t kWindow = 1;

    [[nodiscard]] static std::string new_secret();  // 20 raw bytes
    // "otpauth://totp/cyberalarm:<email>?secret=<base32>&issuer=cyberalarm&…"
    [[nodiscard]] static std::string uri(std::string_view email, std::string_view secret);
    [[nodiscard]] static std::string base32(std::string_view secret);
    // The code for `unix_s` (for tests).
    [[nodiscard]] static std::string code_at(std::string_view secret, std::int64_t unix_s);

    // True if `code` is valid within the window and its step is later than the last one
    // accepted for `user` (which then moves to it).
    bool accept(store::UserId user, std::string_view secret, std::string_view code,
                std::int64_t now_ns);

    // Pending enrolments: a secret waiting for its first code (10 minutes).
    void set_pending(store::UserId user, std::string secret, std::int64_t now_ns);
    [[nodiscard]] std::optional<std::string> pending(store::UserId user, std::int64_t now_ns);
    void clear_pending(store::UserId user);

private:
    std::mutex mu_;
    std::map<store::UserId, std::uint64_t> last_step_;
    std::map<store::UserId, std::pair<std::string, std::int64_t>> pending_;
};

// The value of cookie `name` in a Cookie header ("a=b; c=d"); "" if absent or malformed.
// Only token characters are accepted in the value.
[[nodiscard]] std::string_view cookie_value(std::string_view header, std::string_view name);

}  // namespace cyberalarm::server::api
