// ApiService: the JSON REST API of the central server (docs/design/api.md, the contract in
// docs/api/openapi.yaml) as a plain function of an HttpRequest. The HTTPS listener mounts it
// for every request on the API port; it never sees a socket.
//
// What it guarantees:
// - Every route but GET /healthz, login and password reset needs `Authorization: Bearer
//   <token>` (an API token, kept only as its SHA-256) or a person's session cookie (changes
//   then need its CSRF token). A client certificate is never a credential here.
// - The caller's Scope (the members whose data it may read) is worked out in one place
//   (internal/access.h) from role, tenant and grants; the store filters by it. An object of
//   a member outside the scope answers exactly as a missing one (404, same body).
// - Every read or export of member data and every change appends an audit record; failed
//   authentication appends "auth_failed" with the peer address, never the token.
// - No response carries a password, a hash, a TOTP seed, a key or a token other than the
//   one-time answer that creates it.
// - Untrusted input (query strings, JSON bodies, path segments) is decoded strictly and
//   within limits; errors name the parameter: {"error":{"code","message","field"}}.
//
// Thread safety: handle() may be called concurrently from many threads; the Store must be
// thread-safe (store.h promises it) and the callbacks in ApiOptions too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "server/api/data_map.h"
#include "server/api/http.h"
#include "server/api/secrets.h"
#include "store/store.h"

namespace cyberalarm::server::api {

struct ApiOptions {
    // Prometheus text of the server's own counters, appended to the API's on GET /metrics.
    // Empty: only the API's counters.
    std::function<std::string()> metrics_text;
    // Proves that a member owns an asset (DNS TXT record or HTTP file with verify_token).
    // Supplied by the scanner; empty: POST /assets/{id}/verify answers 503 with the reason.
    std::function<core::Status(const store::Asset&)> verify_ownership;
    // Queues a scan of verified targets and returns the scan id. Empty: 503 with the reason.
    std::function<core::Result<std::int64_t>(store::TenantId member,
                                             const std::vector<std::string>& targets,
                                             std::string_view requested_by)>
        request_scan;
    // Injected clock (UTC nanoseconds). Empty: the system clock.
    std::function<std::int64_t()> now_ns;

    // Largest request body accepted (413 beyond). Bodies here are small objects.
    std::size_t max_body_bytes = 64 * 1024;
    // Largest request target (path and query) accepted (414 is not used: 400 naming it).
    std::size_t max_target_bytes = 8 * 1024;
    // Page size when `limit` is not given, and the largest accepted (never above
    // store::kMaxPageSize).
    std::size_t default_page_size = 100;
    std::size_t max_page_size = store::kMaxPageSize;

    // API tokens: lifetime when the request names none, and the longest allowed.
    std::int64_t token_default_lifetime_s = 30 * 86400;
    std::int64_t token_max_lifetime_s = 90 * 86400;
    // Collector enrollment tokens: how long one may wait to be used.
    std::int64_t enroll_token_lifetime_s = 24 * 3600;

    // Argon2id cost for passwords set through the API. Defaults: t=3, m=64 MiB, above
    // OWASP's minimum (t=2, m=19 MiB), below libsodium's MODERATE (256 MiB) so a burst of
    // user creations cannot exhaust the server's memory. Values below OWASP's minimum are
    // raised to it.
    unsigned long long password_opslimit = 3;
    std::size_t password_memlimit = 64 * 1024 * 1024;

    // Failed authentications a peer address may make per window before every request from
    // it is answered 429 until the window ends; tracked for at most max_tracked_peers.
    int auth_failures_per_window = 20;
    std::int64_t auth_failure_window_s = 60;
    std::size_t max_tracked_peers = 10000;

    // ---- people: sessions, TOTP, password reset (docs/design/access.md) --------------------
    // Encrypts TOTP seeds at rest (<data-dir>/secrets.key). Without it TOTP enrolment answers
    // 503 and a user with a seed cannot log in.
    std::optional<SecretKey> secrets_key;
    // Login needs a TOTP code once enrolled; with require_totp a user without one gets a
    // session that may only enrol (POST /api/v1/me/totp…) until it has.
    bool require_totp = true;
    // Session cookie: ended after this long without a request, and this long after login
    // whatever happens (OWASP: short idle, bounded absolute).
    std::int64_t session_idle_s = 30 * 60;
    std::int64_t session_absolute_s = 12 * 3600;
    std::size_t max_sessions = 10000;
    // Failed logins per account (whether or not it exists) before it is locked for the
    // window; per peer address the auth limiter above counts them too.
    int login_failures_per_account = 5;
    std::int64_t account_lockout_s = 15 * 60;
    // Password reset: links are reset_link_base + a one-time token, live this long, and are
    // sent by send_password_reset (the server's SMTP). Empty sender: no link is sent (the
    // request is still answered 202 and audited as not sent).
    std::int64_t reset_link_lifetime_s = 3600;
    std::string reset_link_base = "/reset#token=";
    std::function<core::Status(const std::string& email, const std::string& link)>
        send_password_reset;

    // ---- audit checkpoints -----------------------------------------------------------------
    // Signs a checkpoint of the chain's head (<data-dir>/audit-signing.key) at most once per
    // interval, appended after a request that finds the last one older. Empty: none.
    std::optional<SigningKey> audit_signing_key;
    std::int64_t audit_checkpoint_interval_s = 3600;

    // What GET /api/v1/data-map reports beyond the store: data directory, retention policy,
    // integrations from the configuration, the stale-access threshold.
    DataMapOptions data_map;
};

// Loads the keys the server keeps in its data directory, beside the database and never in
// it, into `options` — <data-dir>/secrets.key (seals TOTP seeds) and
// <data-dir>/audit-signing.key (signs audit checkpoints) — making each (0600) on first start,
// and points the data map at the directory. kPermissionDenied for a key file others can read.
[[nodiscard]] core::Status load_data_dir_keys(const std::filesystem::path& data_dir,
                                              ApiOptions& options);

class ApiService {
public:
    // `store` must outlive the service.
    ApiService(store::Store& store, ApiOptions options);
    ~ApiService();
    ApiService(const ApiService&) = delete;
    ApiService& operator=(const ApiService&) = delete;

    // Answers one request. Never throws: anything thrown below is caught here once and
    // answered 500 with a generic message. Every answer carries the security headers.
    HttpResponse handle(const HttpRequest& request);

    struct RouteInfo {
        std::string method;
        std::string pattern;  // "/api/v1/members/{id}/assets"
        bool authenticated = true;
        std::string summary;
    };
    // Every route registered, in table order.
    [[nodiscard]] std::vector<RouteInfo> routes() const;

    struct Impl;  // internal/service.h

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::server::api
