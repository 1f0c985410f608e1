// ApiService: the request pipeline — route, decode the query, rate-limit and authenticate,
// check the token's scope, run the handler, add the security headers — with the one catch.
#include "server/api/api.h"

#include <chrono>

#include "server/api/audit_chain.h"
#include "server/api/internal/service.h"

namespace cyberalarm::server::api {

namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;

std::int64_t system_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

HttpResponse unauthenticated_response() {
    HttpResponse response = error_response(
        ApiError{401, "unauthenticated", "a valid API token is required (Authorization: Bearer)",
                 ""});
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"cyberalarm\"");
    return response;
}

}  // namespace

ApiService::Impl::Impl(store::Store& s, ApiOptions o)
    : store(s),
      options(std::move(o)),
      limiter(options.auth_failures_per_window, options.auth_failure_window_s * 1'000'000'000,
              options.max_tracked_peers),
      account_limiter(options.login_failures_per_account, options.account_lockout_s * kNsPerS,
                      options.max_tracked_peers),
      sessions(options.session_idle_s * kNsPerS, options.session_absolute_s * kNsPerS,
               options.max_sessions),
      reset_tokens(options.reset_link_lifetime_s * kNsPerS, options.max_tracked_peers) {
    if (!options.now_ns) {
        options.now_ns = system_now_ns;
    }
    options.max_page_size = std::clamp<std::size_t>(options.max_page_size, 1, store::kMaxPageSize);
    options.default_page_size = std::clamp<std::size_t>(options.default_page_size, 1,
                                                        options.max_page_size);
}

void ApiService::Impl::maybe_checkpoint() {
    if (!options.audit_signing_key) {
        return;
    }
    const std::int64_t now = options.now_ns();
    std::int64_t last = last_checkpoint_ns.load();
    if (last != 0 && now - last < options.audit_checkpoint_interval_s * kNsPerS) {
        return;
    }
    // One request wins the interval; the others go on.
    if (!last_checkpoint_ns.compare_exchange_strong(last, now)) {
        return;
    }
    // A failure is retried after the next interval; the chain itself is unaffected.
    (void)append_checkpoint(store, *options.audit_signing_key, now);
}

std::string ApiService::Impl::metrics() const {
    std::string out;
    out += "# HELP cyberalarm_api_responses_total API responses by status class.\n";
    out += "# TYPE cyberalarm_api_responses_total counter\n";
    out += "cyberalarm_api_responses_total{class=\"2xx\"} " + std::to_string(responses_2xx) + "\n";
    out += "cyberalarm_api_responses_total{class=\"4xx\"} " + std::to_string(responses_4xx) + "\n";
    out += "cyberalarm_api_responses_total{class=\"5xx\"} " + std::to_string(responses_5xx) + "\n";
    out += "# HELP cyberalarm_api_auth_failures_total Requests refused for a missing or bad token.\n";
    out += "# TYPE cyberalarm_api_auth_failures_total counter\n";
    out += "cyberalarm_api_auth_failures_total " + std::to_string(auth_failures) + "\n";
    out += "# HELP cyberalarm_api_rate_limited_total Requests refused 429 after repeated failures.\n";
    out += "# TYPE cyberalarm_api_rate_limited_total counter\n";
    out += "cyberalarm_api_rate_limited_total " + std::to_string(rate_limited) + "\n";
    out += "# HELP cyberalarm_api_audit_records_total Audit records the API appended.\n";
    out += "# TYPE cyberalarm_api_audit_records_total counter\n";
    out += "cyberalarm_api_audit_records_total " + std::to_string(audit_records) + "\n";
    return out;
}

core::Status load_data_dir_keys(const std::filesystem::path& data_dir, ApiOptions& options) {
    auto secrets = load_key_file(data_dir / std::string(kSecretsKeyFile), true);
    if (!secrets) {
        return core::fail(std::move(secrets.error()));
    }
    auto seed = load_key_file(data_dir / std::string(kAuditKeyFile), true);
    if (!seed) {
        return core::fail(std::move(seed.error()));
    }
    options.secrets_key = *secrets;
    options.audit_signing_key = signing_key_from_seed(*seed);
    options.data_map.data_dir = data_dir.string();
    return {};
}

ApiService::ApiService(store::Store& store, ApiOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

ApiService::~ApiService() = default;

std::vector<ApiService::RouteInfo> ApiService::routes() const {
    std::vector<RouteInfo> out;
    for (const auto& route : route_table()) {
        out.push_back(RouteInfo{std::string(route.method), std::string(route.pattern),
                                route.need != Need::kNone, std::string(route.summary)});
    }
    return out;
}

namespace {

// A session cookie in place of a bearer token: the live session's user, with the full scope
// of the role (a token's scope narrows a client; a person logged in is the person).
core::Result<Access> authenticate_session(ApiService::Impl& impl, RequestContext& ctx,
                                          std::string_view token) {
    const auto unauthenticated = [] {
        return core::fail(core::Error(core::ErrorCode::kUnauthenticated, "no live session"));
    };
    auto session = impl.sessions.touch(token, ctx.now_ns);
    if (!session) {
        return unauthenticated();
    }
    auto user = impl.store.get_user(session->user);
    if (!user || user->disabled_ns != 0) {
        impl.sessions.remove_user(session->user);
        return unauthenticated();
    }
    auto access = compute_access(impl.store, std::move(*user), ctx.now_ns);
    if (access) {
        access->token_scope = Need::kAdmin;
        ctx.session = std::move(*session);
        ctx.session_token = std::string(token);
    }
    return access;
}

bool safe_method(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

// Routes a session that still has to enrol TOTP may use.
bool enrolment_route(std::string_view pattern) {
    return pattern == "/api/v1/me" || pattern.starts_with("/api/v1/me/totp") ||
           pattern == "/api/v1/session";
}

// CSRF (double submit bound to the session: the token is the session's, sent back in a
// header a cross-site form cannot set) and the TOTP-enrolment restriction of sessions.
std::optional<HttpResponse> session_checks(const RequestContext& ctx, const Route& route) {
    if (!ctx.session) {
        return std::nullopt;
    }
    if (!safe_method(ctx.request.method)) {
        const auto sent = ctx.request.header("x-csrf-token");
        const auto& want = ctx.session->csrf_token;
        if (!constant_time_equal(sent, want)) {
            return error_response(ApiError::forbidden(
                "a change made with a session needs its CSRF token in X-CSRF-Token"));
        }
    }
    if (ctx.session->totp_pending && !enrolment_route(route.pattern)) {
        return error_response(ApiError::forbidden(
            "enrol a TOTP second factor first (POST /api/v1/me/totp)"));
    }
    return std::nullopt;
}

// Authentication and the token-scope check; nullopt when the request may proceed.
std::optional<HttpResponse> admit(ApiService::Impl& impl, RequestContext& ctx,
                                  const Route& route) {
    const std::string peer = peer_of(ctx.request);
    if (const auto wait = impl.limiter.blocked_for_s(peer, ctx.now_ns); wait > 0) {
        ++impl.rate_limited;
        HttpResponse response = error_response(ApiError{
            429, "rate_limited", "too many failed authentications from this address", ""});
        response.headers.emplace_back("Retry-After", std::to_string(wait));
        return response;
    }
    const auto authorization = ctx.request.header("authorization");
    const auto cookie = cookie_value(ctx.request.header("cookie"), kSessionCookie);
    auto access = authorization.empty() && !cookie.empty()
                      ? authenticate_session(impl, ctx, cookie)
                      : authenticate(impl.store, authorization, ctx.now_ns);
    if (!access) {
        if (access.error().code() != core::ErrorCode::kUnauthenticated) {
            return error_response(ApiError::from(access.error(), "user"));
        }
        ++impl.auth_failures;
        impl.limiter.record_failure(peer, ctx.now_ns);
        store::AuditRecord record;
        record.time_ns = ctx.now_ns;
        record.actor = "peer:" + peer;
        record.action = "auth_failed";
        record.target = ctx.request.method.substr(0, 8) + " " +
                        ctx.request.target.substr(0, ctx.request.target.find('?')).substr(0, 200);
        record.detail = "peer=" + peer;
        (void)append_record(ctx, std::move(record));
        return unauthenticated_response();
    }
    ctx.access = std::move(*access);
    if (ctx.access.token_scope < route.need) {
        return error_response(ApiError::forbidden(
            "this token's scope (" + std::string(to_string(ctx.access.token_scope)) +
            ") does not allow this request (needs " + std::string(to_string(route.need)) + ")"));
    }
    return session_checks(ctx, route);
}

HttpResponse dispatch(ApiService::Impl& impl, const HttpRequest& request) {
    const std::int64_t now = impl.options.now_ns();
    if (request.target.size() > impl.options.max_target_bytes) {
        return error_response(ApiError::bad_request("target", "request target too long"));
    }
    const auto qmark = request.target.find('?');
    const std::string_view target = request.target;
    const auto path = target.substr(0, qmark);
    const auto query_text =
        qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);

    std::string allow;
    auto match = match_route(route_table(), request.method, path, allow);
    if (!match) {
        HttpResponse response = error_response(match.error());
        if (match.error().status == 405) {
            response.headers.emplace_back("Allow", allow);
        }
        return response;
    }
    RequestContext ctx{impl, impl.store, impl.options, request, std::move(match->params),
                       QueryParams{}, Access{}, now, {}, std::nullopt};
    const Route& route = *match->route;
    if (route.need != Need::kNone) {
        if (auto refused = admit(impl, ctx, route)) {
            return std::move(*refused);
        }
    }
    auto query = QueryParams::parse(query_text);
    if (!query) {
        return error_response(query.error());
    }
    ctx.query = std::move(*query);
    auto reply = route.handler(ctx);
    return reply ? std::move(*reply) : error_response(reply.error());
}

}  // namespace

HttpResponse ApiService::handle(const HttpRequest& request) {
    HttpResponse response;
    try {
        response = dispatch(*impl_, request);
    } catch (...) {
        // The one catch of the request path: whatever escaped (bad_alloc, a library throw)
        // costs this request only, and the client learns nothing of it.
        response = error_response(ApiError::internal());
    }
    if (response.status >= 500) {
        ++impl_->responses_5xx;
    } else if (response.status >= 400) {
        ++impl_->responses_4xx;
    } else {
        ++impl_->responses_2xx;
    }
    add_security_headers(response);
    impl_->maybe_checkpoint();
    return response;
}

}  // namespace cyberalarm::server::api
