// Routes for people signing in (docs/design/access.md): login with e-mail, password and TOTP
// into a session cookie, the session itself and logout, password reset by one-time link, and
// TOTP enrolment. Login and both halves of the reset are the only routes besides /healthz
// that need no credential; every answer to them is the same whatever part was wrong.
#include <algorithm>
#include <cctype>

#include "server/api/internal/service.h"
#include "server/api/internal/views.h"
#include "server/api/secrets.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::int64_t kNs = 1'000'000'000;
constexpr std::size_t kMaxEmail = 320;
constexpr std::size_t kMinPassword = 12;
constexpr std::size_t kMaxPassword = 256;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string session_cookie(std::string_view token, std::int64_t max_age_s) {
    return std::string(kSessionCookie) + "=" + std::string(token) +
           "; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age_s);
}

HttpResponse too_many(std::int64_t wait_s, std::string_view message) {
    HttpResponse r = error_response(ApiError{429, "rate_limited", std::string(message), ""});
    r.headers.emplace_back("Retry-After", std::to_string(wait_s));
    return r;
}

Decoded<void> audit_peer(RequestContext& ctx, std::string_view action, std::string actor,
                         std::string target, std::string detail) {
    store::AuditRecord r;
    r.time_ns = ctx.now_ns;
    r.actor = std::move(actor);
    r.action = std::string(action);
    r.target = std::move(target);
    r.detail = std::move(detail);
    return append_record(ctx, std::move(r));
}

// A verifier for unknown accounts, so a miss costs an Argon2id verification like a hit.
const std::string& decoy_hash(const ApiOptions& o) {
    static const std::string hash =
        hash_password("decoy password, never anyone's", o.password_opslimit, o.password_memlimit)
            .value_or(std::string());
    return hash;
}

// True if the user may log in with these credentials. TOTP codes are checked only after the
// password, so a code is not spent (replay state) by someone without the password.
bool credentials_hold(RequestContext& ctx, const core::Result<store::User>& user,
                      const std::string& password, const std::optional<std::string>& code) {
    if (!user) {
        (void)verify_password(decoy_hash(ctx.options), password);
        return false;
    }
    if (!verify_password(user->password_hash, password) || user->disabled_ns != 0) {
        return false;
    }
    if (user->totp_secret.empty()) {
        return true;
    }
    if (!code || !ctx.options.secrets_key) {
        return false;
    }
    auto secret = unseal(*ctx.options.secrets_key, user->totp_secret);
    return secret && ctx.service.totp.accept(user->id, *secret, *code, ctx.now_ns);
}

json session_json(const RequestContext& ctx, const store::User& user, const Session& s) {
    json j;
    j["user"] = user_json(user);
    j["csrf_token"] = s.csrf_token;
    j["expires"] = time_json(s.expires_ns);
    j["absolute_expires"] = time_json(s.created_ns + ctx.options.session_absolute_s * kNs);
    j["totp_enrolled"] = !user.totp_secret.empty();
    j["totp_pending"] = s.totp_pending;
    return j;
}

Decoded<std::string> new_password(const Body& body, std::string_view field) {
    CA_API_TRY(password, body.string(field, kMaxPassword + 1));
    if (password->size() < kMinPassword || password->size() > kMaxPassword) {
        return fail(ApiError::unprocessable(field, std::string(field) + ": 12 to 256 bytes"));
    }
    return std::move(*password);
}

}  // namespace

Reply login(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    const std::string peer = peer_of(ctx.request);
    if (const auto wait = ctx.service.limiter.blocked_for_s(peer, ctx.now_ns); wait > 0) {
        ++ctx.service.rate_limited;
        return too_many(wait, "too many failed authentications from this address");
    }
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"email", "password", "totp"}));
    CA_API_TRY(email_raw, body->string("email", kMaxEmail));
    CA_API_TRY(password, body->string("password", kMaxPassword));
    CA_API_TRY(code, body->optional_string("totp", 16));
    const std::string email = lower(std::move(*email_raw));
    const std::string account = "login:" + email;
    if (const auto wait = ctx.service.account_limiter.blocked_for_s(account, ctx.now_ns);
        wait > 0) {
        CA_API_TRY(logged, audit_peer(ctx, "login_failed", "peer:" + peer, "session",
                                      "peer=" + peer + " reason=account_locked"));
        return too_many(wait, "too many failed logins for this account; try again later");
    }
    auto user = ctx.store.find_user_by_email(email);
    if (!user && user.error().code() != core::ErrorCode::kNotFound) {
        return fail(ApiError::from(user.error(), "user"));
    }
    if (!credentials_hold(ctx, user, *password, *code)) {
        ++ctx.service.auth_failures;
        ctx.service.limiter.record_failure(peer, ctx.now_ns);
        ctx.service.account_limiter.record_failure(account, ctx.now_ns);
        CA_API_TRY(logged, audit_peer(ctx, "login_failed", "peer:" + peer, "session",
                                      "peer=" + peer + " account=" +
                                          (user ? "user:" + std::to_string(user->id)
                                                : std::string("unknown"))));
        return fail(ApiError{401, "unauthenticated",
                             "e-mail, password or one-time code is wrong", ""});
    }
    const bool pending = ctx.options.require_totp && user->totp_secret.empty();
    auto [token, session] = ctx.service.sessions.create(user->id, pending, ctx.now_ns);
    store::User updated = *user;
    updated.last_login_ns = ctx.now_ns;
    CA_STORE_TRY(stored, ctx.store.update_user(updated), "user");
    CA_API_TRY(logged,
               audit_peer(ctx, "login", "user:" + std::to_string(user->id), "session",
                          "peer=" + peer + (user->totp_secret.empty() ? " totp=no" : " totp=yes")));
    HttpResponse r = json_response(200, session_json(ctx, *user, session));
    r.headers.emplace_back("Set-Cookie", session_cookie(token, ctx.options.session_absolute_s));
    return r;
}

Reply get_session(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    if (!ctx.session) {
        return fail(ApiError::not_found("session"));
    }
    CA_STORE_TRY(user, ctx.store.get_user(ctx.access.user.id), "user");
    return json_response(200, session_json(ctx, *user, *ctx.session));
}

Reply logout(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    if (!ctx.session) {
        return fail(ApiError::not_found("session"));
    }
    ctx.service.sessions.remove(ctx.session_token);
    CA_API_TRY(logged, audit(ctx, "logout", 0, "session", "peer=" + peer_of(ctx.request)));
    HttpResponse r = no_content();
    r.headers.emplace_back("Set-Cookie", session_cookie("", 0));
    return r;
}

Reply request_password_reset(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    const std::string peer = peer_of(ctx.request);
    if (const auto wait = ctx.service.limiter.blocked_for_s(peer, ctx.now_ns); wait > 0) {
        return too_many(wait, "too many failed authentications from this address");
    }
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"email"}));
    CA_API_TRY(email_raw, body->string("email", kMaxEmail));
    const std::string email = lower(std::move(*email_raw));
    const std::string account = "reset:" + email;
    // Each request counts against the address, so links cannot be used to flood a mailbox.
    const bool flooded = ctx.service.account_limiter.blocked_for_s(account, ctx.now_ns) > 0;
    ctx.service.account_limiter.record_failure(account, ctx.now_ns);
    auto user = ctx.store.find_user_by_email(email);
    std::string outcome = "unknown account";
    std::string target = "password";
    if (user && user->disabled_ns == 0 && !flooded) {
        target = "user:" + std::to_string(user->id);
        const std::string link =
            ctx.options.reset_link_base + ctx.service.reset_tokens.issue(user->id, ctx.now_ns);
        if (!ctx.options.send_password_reset) {
            outcome = "not sent: no mail configured";
        } else if (auto sent = ctx.options.send_password_reset(user->email, link); !sent) {
            outcome = "not sent: mail failed";
        } else {
            outcome = "sent";
        }
    } else if (flooded) {
        outcome = "not sent: too many requests for this address";
    }
    CA_API_TRY(logged, audit_peer(ctx, "password_reset_requested", "peer:" + peer, target,
                                  "peer=" + peer + " " + outcome));
    // The same answer whether or not the address is known.
    return json_response(202, json{{"status", "if the address belongs to an active user, a "
                                              "link was sent to it"}});
}

Reply complete_password_reset(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    const std::string peer = peer_of(ctx.request);
    if (const auto wait = ctx.service.limiter.blocked_for_s(peer, ctx.now_ns); wait > 0) {
        return too_many(wait, "too many failed authentications from this address");
    }
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"token", "password"}));
    CA_API_TRY(token, body->string("token", 128));
    CA_API_TRY(password, new_password(*body, "password"));
    const auto user_id = ctx.service.reset_tokens.redeem(*token, ctx.now_ns);
    auto user = user_id ? ctx.store.get_user(*user_id)
                        : core::Result<store::User>(core::fail(core::Error::not_found("")));
    if (!user || user->disabled_ns != 0) {
        ctx.service.limiter.record_failure(peer, ctx.now_ns);
        CA_API_TRY(logged, audit_peer(ctx, "password_reset_failed", "peer:" + peer, "password",
                                      "peer=" + peer));
        return fail(ApiError::unprocessable("token", "token: unknown, used or expired"));
    }
    CA_API_TRY(hashed, [&]() -> Decoded<std::string> {
        auto h = hash_password(*password, ctx.options.password_opslimit,
                               ctx.options.password_memlimit);
        if (!h) {
            return fail(ApiError::unavailable("the server is busy; retry shortly"));
        }
        return std::move(*h);
    }());
    user->password_hash = std::move(*hashed);
    CA_STORE_TRY(stored, ctx.store.update_user(*user), "user");
    ctx.service.sessions.remove_user(user->id);  // a reset ends every session
    CA_API_TRY(logged, audit_peer(ctx, "password_reset", "user:" + std::to_string(user->id),
                                  "user:" + std::to_string(user->id), "peer=" + peer));
    return no_content();
}

Reply enroll_totp(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    if (!ctx.options.secrets_key) {
        return fail(ApiError::unavailable("TOTP is not available: the server has no secrets key"));
    }
    CA_STORE_TRY(user, ctx.store.get_user(ctx.access.user.id), "user");
    if (!user->totp_secret.empty()) {
        return fail(ApiError::conflict("a TOTP second factor is already enrolled"));
    }
    std::string secret = Totp::new_secret();
    json j;
    j["otpauth_uri"] = Totp::uri(user->email, secret);
    j["secret"] = Totp::base32(secret);
    j["expires"] = time_json(ctx.now_ns + 600 * kNs);
    ctx.service.totp.set_pending(user->id, std::move(secret), ctx.now_ns);
    CA_API_TRY(logged, audit(ctx, "create", 0, "totp:" + std::to_string(user->id), "pending"));
    return json_response(201, j);  // the only time the secret is shown
}

Reply confirm_totp(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"code"}));
    CA_API_TRY(code, body->string("code", 16));
    const store::UserId id = ctx.access.user.id;
    const auto secret = ctx.service.totp.pending(id, ctx.now_ns);
    if (!secret || !ctx.options.secrets_key) {
        return fail(ApiError::not_found("TOTP enrolment"));
    }
    if (!ctx.service.totp.accept(id, *secret, *code, ctx.now_ns)) {
        return fail(ApiError::unprocessable("code", "code: not the current one-time code"));
    }
    CA_STORE_TRY(user, ctx.store.get_user(id), "user");
    user->totp_secret = seal(*ctx.options.secrets_key, *secret);
    CA_STORE_TRY(stored, ctx.store.update_user(*user), "user");
    ctx.service.totp.clear_pending(id);
    if (!ctx.session_token.empty()) {
        ctx.service.sessions.set_totp_done(ctx.session_token);
    }
    CA_API_TRY(logged, audit(ctx, "update", 0, "totp:" + std::to_string(id), "enrolled"));
    return no_content();
}

}  // namespace cyberalarm::server::api
