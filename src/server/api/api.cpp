// ApiService: the request pipeline — route, decode the query, rate-limit and authenticate,
// check the token's scope, run the handler, add the security headers — with the one catch.
#include "server/api/api.h"

#include <chrono>

#include "server/api/internal/service.h"

namespace cyberalarm::server::api {

namespace {

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

std::string peer_of(const HttpRequest& request) { return request.peer_address.substr(0, 64); }

}  // namespace

ApiService::Impl::Impl(store::Store& s, ApiOptions o)
    : store(s),
      options(std::move(o)),
      limiter(options.auth_failures_per_window, options.auth_failure_window_s * 1'000'000'000,
              options.max_tracked_peers) {
    if (!options.now_ns) {
        options.now_ns = system_now_ns;
    }
    options.max_page_size = std::clamp<std::size_t>(options.max_page_size, 1, store::kMaxPageSize);
    options.default_page_size = std::clamp<std::size_t>(options.default_page_size, 1,
                                                        options.max_page_size);
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

// Authentication and the token-scope check; nullopt when the request may proceed.
std::optional<HttpResponse> admit(ApiService::Impl& impl, RequestContext& ctx, Need need) {
    const std::string peer = peer_of(ctx.request);
    if (const auto wait = impl.limiter.blocked_for_s(peer, ctx.now_ns); wait > 0) {
        ++impl.rate_limited;
        HttpResponse response = error_response(ApiError{
            429, "rate_limited", "too many failed authentications from this address", ""});
        response.headers.emplace_back("Retry-After", std::to_string(wait));
        return response;
    }
    auto access = authenticate(impl.store, ctx.request.header("authorization"), ctx.now_ns);
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
        if (impl.store.append_audit(std::move(record))) {
            ++impl.audit_records;
        }
        return unauthenticated_response();
    }
    ctx.access = std::move(*access);
    if (ctx.access.token_scope < need) {
        return error_response(ApiError::forbidden(
            "this token's scope (" + std::string(to_string(ctx.access.token_scope)) +
            ") does not allow this request (needs " + std::string(to_string(need)) + ")"));
    }
    return std::nullopt;
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
                       QueryParams{}, Access{}, now};
    const Route& route = *match->route;
    if (route.need != Need::kNone) {
        if (auto refused = admit(impl, ctx, route.need)) {
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
    return response;
}

}  // namespace cyberalarm::server::api
