// What handlers share: the per-request context, the service's state (limiter, counters),
// audit helpers, and the handler functions the route table points at (one file per area:
// routes_tenants.cpp, routes_collectors.cpp, routes_data.cpp, routes_scans.cpp,
// routes_people.cpp, routes_service.cpp).
//
// Handlers return Reply (an HttpResponse or an ApiError); they do not throw on purpose and
// ApiService::handle catches anything that escapes. A handler that reads member data or
// changes anything writes its audit record before answering; if the audit log cannot be
// written, the request fails (503) rather than go unrecorded.
//
// Thread safety: a RequestContext belongs to one request; Impl's members are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/api.h"
#include "server/api/internal/access.h"
#include "server/api/internal/decode.h"
#include "server/api/internal/limiter.h"
#include "server/api/internal/people.h"
#include "server/api/internal/reply.h"
#include "server/api/internal/router.h"

namespace cyberalarm::server::api {

struct ApiService::Impl {
    Impl(store::Store& s, ApiOptions o);

    store::Store& store;
    ApiOptions options;
    FailureLimiter limiter;
    FailureLimiter account_limiter;  // failed logins and reset requests per account
    SessionTable sessions;
    ResetTokens reset_tokens;
    Totp totp;
    std::atomic<std::int64_t> last_checkpoint_ns{0};
    std::atomic<std::uint64_t> responses_2xx{0}, responses_4xx{0}, responses_5xx{0};
    std::atomic<std::uint64_t> auth_failures{0}, rate_limited{0}, audit_records{0};

    [[nodiscard]] std::string metrics() const;
    // Appends a signed checkpoint if the last is older than the interval (api.h).
    void maybe_checkpoint();
};

struct RequestContext {
    ApiService::Impl& service;
    store::Store& store;
    const ApiOptions& options;
    const HttpRequest& request;
    std::vector<std::string> params;  // path params, decoded, in pattern order
    QueryParams query;
    Access access;  // empty for unauthenticated routes
    std::int64_t now_ns = 0;
    std::string session_token;  // the cookie's token when authenticated by a session
    std::optional<Session> session;
};

// Appends a record as given (actor and all); 503 if the log cannot be written.
[[nodiscard]] Decoded<void> append_record(RequestContext& ctx, store::AuditRecord record);
// The peer address as the audit log and the limiters name it.
[[nodiscard]] std::string peer_of(const HttpRequest& request);

// Appends one audit record by the caller (actor "user:<id>", detail "<basis> <detail>").
// A grant that justified the access is touched (last_used).
[[nodiscard]] Decoded<void> audit(RequestContext& ctx, std::string_view action,
                                  store::TenantId member, std::string_view target,
                                  std::string_view detail);
// One record per member read; a search over an empty scope leaves one record with member 0
// so that attempts are visible too.
[[nodiscard]] Decoded<void> audit_members(RequestContext& ctx, std::string_view action,
                                          const std::vector<store::TenantId>& members,
                                          std::string_view target, std::string_view detail);

// A positive integer id from a path parameter; a malformed one answers not_found(what) like
// an unknown one.
[[nodiscard]] Decoded<std::int64_t> id_param(const RequestContext& ctx, std::size_t index,
                                             std::string_view what);
// The member named by a path parameter or query value if `scope` allows it; otherwise
// not_found("member"), exactly as for a member that does not exist.
[[nodiscard]] Decoded<store::TenantId> member_in(const store::Scope& scope,
                                                 std::int64_t member);
// A member the caller may change: not_found("member") if it may not even read it, 403 if it
// reads it but its role is read-only there.
[[nodiscard]] Decoded<store::TenantId> manageable(const RequestContext& ctx,
                                                  std::int64_t member);
// 403 for the operator on member-data routes: it runs the service and reads no member data.
[[nodiscard]] Decoded<void> refuse_operator(const RequestContext& ctx);
// The members a query covers: `member` if given (already scope-checked), else the scope's.
[[nodiscard]] std::vector<store::TenantId> covered(const store::Scope& scope,
                                                   std::optional<store::TenantId> member);
// An asset of a member whose data the caller reads; not_found("asset") otherwise.
[[nodiscard]] Decoded<store::Asset> find_asset(const RequestContext& ctx, std::int64_t id);
// A page of items as {"items":[…],"next_cursor":"…"} ("" → null).
[[nodiscard]] HttpResponse page_response(std::string items_json, const std::string& next);
// A list answered as one page: {"items":[view(item)…],"next_cursor":null}.
template <typename T, typename View>
[[nodiscard]] HttpResponse list_response(const std::vector<T>& items, View view) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : items) {
        array.push_back(view(item));
    }
    return page_response(dump(array), "");
}
[[nodiscard]] Decoded<Body> body_of(const RequestContext& ctx);

// ---- handlers ------------------------------------------------------------------------------
Reply get_healthz(RequestContext& ctx);
Reply get_metrics(RequestContext& ctx);
Reply get_me(RequestContext& ctx);
Reply list_tenants(RequestContext& ctx);
Reply create_tenant(RequestContext& ctx);
Reply get_tenant(RequestContext& ctx);
Reply patch_tenant(RequestContext& ctx);
Reply list_assets(RequestContext& ctx);
Reply create_asset(RequestContext& ctx);
Reply delete_asset(RequestContext& ctx);
Reply verify_asset(RequestContext& ctx);
Reply list_collectors(RequestContext& ctx);
Reply create_collector(RequestContext& ctx);
Reply get_collector(RequestContext& ctx);
Reply revoke_collector(RequestContext& ctx);
Reply create_enroll_token(RequestContext& ctx);
Reply list_enroll_tokens(RequestContext& ctx);
Reply search_events(RequestContext& ctx);
Reply summarize_events(RequestContext& ctx);
Reply search_findings(RequestContext& ctx);
Reply get_finding(RequestContext& ctx);
Reply patch_finding(RequestContext& ctx);
Reply list_reports(RequestContext& ctx);
Reply get_report(RequestContext& ctx);
Reply list_scans(RequestContext& ctx);
Reply create_scan(RequestContext& ctx);
Reply get_scan_results(RequestContext& ctx);
Reply list_users(RequestContext& ctx);
Reply create_user(RequestContext& ctx);
Reply patch_user(RequestContext& ctx);
Reply list_grants(RequestContext& ctx);
Reply create_grant(RequestContext& ctx);
Reply delete_grant(RequestContext& ctx);
Reply list_tokens(RequestContext& ctx);
Reply create_token(RequestContext& ctx);
Reply delete_token(RequestContext& ctx);
Reply read_audit(RequestContext& ctx);
Reply login(RequestContext& ctx);
Reply get_session(RequestContext& ctx);
Reply logout(RequestContext& ctx);
Reply request_password_reset(RequestContext& ctx);
Reply complete_password_reset(RequestContext& ctx);
Reply enroll_totp(RequestContext& ctx);
Reply confirm_totp(RequestContext& ctx);
Reply member_access_log(RequestContext& ctx);
Reply data_map(RequestContext& ctx);

}  // namespace cyberalarm::server::api
