// Who is calling and what they may touch: authentication of bearer tokens and THE scope rule
// (compute_access), the one place that turns a user, their role, tenant and grants into the
// Scopes the store filters by. Handlers never compute a scope themselves.
//
// The rule (docs/design/api.md):
// - member_viewer / member_admin: their own member only.
// - force / region / national analyst: members under their tenant (store.members_under)
//   for which they hold a grant that is neither expired nor revoked at `now`.
// - operator: no member data (Scope::none()); runs the service — tenants, users, grants,
//   collectors and enrollment tokens of any member, metrics.
// Management: operator manages tenants, users, grants and any member's collectors/tokens;
// member_admin manages its own member's assets, collectors, enrollment tokens, scans,
// finding status and member users; viewers and analysts are read-only.
// Token scopes narrow further: "read" ⊂ "write" ⊂ "admin" (each includes the ones before).
//
// Thread safety: pure functions of their arguments and the (thread-safe) store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::server::api {

// What a route needs of the token. kNone only for GET /healthz.
enum class Need : std::uint8_t { kNone, kRead, kWrite, kAdmin };

// "read" → kRead …; the highest scope named in a space-separated list; nullopt if any word
// is unknown or the list is empty.
[[nodiscard]] std::optional<Need> token_scope_from_string(std::string_view scopes);
[[nodiscard]] std::string_view to_string(Need need);

struct Access {
    store::User user;              // secrets cleared
    std::int64_t token_id = 0;
    Need token_scope = Need::kRead;
    store::Scope data;        // member data: events, findings, scans, reports, assets, collectors
    store::Scope collectors;  // collectors and enrollment tokens readable (operator: all)
    store::Scope reports;     // data, plus an analyst's own tenant (its analyst reports)
    store::Scope manage;      // members whose assets, collectors, scans, users it may change
    std::vector<std::pair<store::TenantId, std::int64_t>> grants;  // analyst: member → grant

    [[nodiscard]] bool is_operator() const { return user.role == store::Role::kOperator; }
    [[nodiscard]] bool is_member_admin() const {
        return user.role == store::Role::kMemberAdmin;
    }
    [[nodiscard]] std::string actor() const { return "user:" + std::to_string(user.id); }
    // The credential used: "token:<id>", or "session" for a login cookie.
    [[nodiscard]] std::string credential() const {
        return token_id != 0 ? "token:" + std::to_string(token_id) : "session";
    }
    // Why this caller may read `member`: "role:member_admin", "grant:7", "role:operator".
    [[nodiscard]] std::string basis(store::TenantId member) const;
    [[nodiscard]] std::optional<std::int64_t> grant_for(store::TenantId member) const;
};

// THE scope rule (see above) for an active user at `now`.
[[nodiscard]] core::Result<Access> compute_access(store::Store& store, store::User user,
                                                  std::int64_t now_ns);

// Authenticates `Authorization: Bearer <token>`: SHA-256 of the token, store.find_api_token,
// the user (refused if disabled), then compute_access with the token's scope. Every failure
// of the credential is kUnauthenticated with one message; a store fault keeps its code.
[[nodiscard]] core::Result<Access> authenticate(store::Store& store,
                                                std::string_view authorization,
                                                std::int64_t now_ns);

// The roles `access` may create or edit users with, in `tenant` (operator: any role whose
// level matches the tenant's; member_admin: member roles in its own member; else none).
[[nodiscard]] bool may_manage_user(const Access& access, store::Role role,
                                   store::TenantId tenant);
// The tenant level a role belongs to (operator: nation).
[[nodiscard]] store::TenantLevel level_of(store::Role role);

}  // namespace cyberalarm::server::api
