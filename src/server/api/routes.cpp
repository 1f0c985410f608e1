// The route table: every route of the API, what its token must allow, and its summary (the
// same summary as in docs/api/openapi.yaml; a test checks both list the same routes).
#include "server/api/internal/service.h"

namespace cyberalarm::server::api {

namespace {

constexpr Route kRoutes[] = {
    {"GET", "/healthz", Need::kNone, "Liveness and storage status", get_healthz},
    {"POST", "/api/v1/session", Need::kNone, "Log in (e-mail, password, TOTP) to a session cookie",
     login},
    {"GET", "/api/v1/session", Need::kRead, "The caller's session and its CSRF token",
     get_session},
    {"DELETE", "/api/v1/session", Need::kWrite, "Log out", logout},
    {"POST", "/api/v1/password-reset", Need::kNone, "Ask for a password-reset link",
     request_password_reset},
    {"POST", "/api/v1/password-reset/complete", Need::kNone,
     "Set a new password with a reset link's token", complete_password_reset},
    {"POST", "/api/v1/me/totp", Need::kWrite, "Start TOTP enrolment (secret shown once)",
     enroll_totp},
    {"POST", "/api/v1/me/totp/verify", Need::kWrite, "Finish TOTP enrolment with a code",
     confirm_totp},
    {"GET", "/metrics", Need::kRead, "Prometheus metrics (operator)", get_metrics},
    {"GET", "/api/v1/me", Need::kRead, "The caller, its role and what it may read", get_me},

    {"GET", "/api/v1/tenants", Need::kRead, "Tenants visible to the caller", list_tenants},
    {"POST", "/api/v1/tenants", Need::kAdmin, "Create a tenant (operator)", create_tenant},
    {"GET", "/api/v1/tenants/{id}", Need::kRead, "One tenant", get_tenant},
    {"PATCH", "/api/v1/tenants/{id}", Need::kAdmin, "Change a tenant (operator)", patch_tenant},

    {"GET", "/api/v1/members/{id}/assets", Need::kRead, "A member's assets", list_assets},
    {"POST", "/api/v1/members/{id}/assets", Need::kWrite, "Declare an asset", create_asset},
    {"DELETE", "/api/v1/assets/{id}", Need::kWrite, "Remove an asset", delete_asset},
    {"POST", "/api/v1/assets/{id}/verify", Need::kWrite, "Check ownership of an asset",
     verify_asset},

    {"GET", "/api/v1/members/{id}/collectors", Need::kRead, "A member's collectors",
     list_collectors},
    {"POST", "/api/v1/members/{id}/collectors", Need::kWrite, "Register a collector",
     create_collector},
    {"GET", "/api/v1/collectors/{id}", Need::kRead, "One collector's status", get_collector},
    {"POST", "/api/v1/collectors/{id}/revoke", Need::kWrite, "Revoke a collector",
     revoke_collector},
    {"POST", "/api/v1/collectors/{id}/enroll-tokens", Need::kWrite,
     "Issue a one-time enrollment token", create_enroll_token},
    {"GET", "/api/v1/enroll-tokens", Need::kRead, "Enrollment tokens (never the token)",
     list_enroll_tokens},

    {"GET", "/api/v1/events", Need::kRead, "Search events", search_events},
    {"GET", "/api/v1/events/summary", Need::kRead, "Event counts and top lists",
     summarize_events},

    {"GET", "/api/v1/findings", Need::kRead, "Search findings", search_findings},
    {"GET", "/api/v1/members/{member}/findings/{id}", Need::kRead, "One finding", get_finding},
    {"PATCH", "/api/v1/members/{member}/findings/{id}", Need::kWrite,
     "Acknowledge or resolve a finding", patch_finding},

    {"GET", "/api/v1/reports", Need::kRead, "Reports of a tenant", list_reports},
    {"GET", "/api/v1/reports/{id}", Need::kRead, "Download a report", get_report},

    {"GET", "/api/v1/members/{id}/scans", Need::kRead, "A member's scan runs", list_scans},
    {"POST", "/api/v1/members/{id}/scans", Need::kWrite, "Request a scan of verified assets",
     create_scan},
    {"GET", "/api/v1/scans/{id}/results", Need::kRead, "Results of a scan run",
     get_scan_results},

    {"GET", "/api/v1/users", Need::kRead, "Users the caller manages", list_users},
    {"POST", "/api/v1/users", Need::kAdmin, "Create a user", create_user},
    {"PATCH", "/api/v1/users/{id}", Need::kAdmin, "Change a user", patch_user},

    {"GET", "/api/v1/grants", Need::kRead, "Analyst grants", list_grants},
    {"POST", "/api/v1/grants", Need::kAdmin, "Grant an analyst access to a member (operator)",
     create_grant},
    {"DELETE", "/api/v1/grants/{id}", Need::kAdmin, "Revoke a grant (operator)", delete_grant},

    {"GET", "/api/v1/tokens", Need::kRead, "API tokens (never the token)", list_tokens},
    {"POST", "/api/v1/tokens", Need::kWrite, "Create an API token for the caller",
     create_token},
    {"DELETE", "/api/v1/tokens/{id}", Need::kWrite, "Revoke an API token", delete_token},

    {"GET", "/api/v1/audit", Need::kRead, "The audit log", read_audit},
    {"GET", "/api/v1/members/{id}/access-log", Need::kRead,
     "Every access to the member's data: who, when, under which grant, what",
     member_access_log},
    {"GET", "/api/v1/data-map", Need::kRead, "Data map and access review (operator)", data_map},
};

}  // namespace

std::span<const Route> route_table() { return kRoutes; }

}  // namespace cyberalarm::server::api
