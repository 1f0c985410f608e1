// Routes for users: the operator manages everyone; a member admin manages its own member's
// viewers and admins. Passwords arrive here once and leave only as Argon2id hashes in the
// store; no answer carries a hash or a TOTP secret (views.h).
#include <algorithm>

#include "server/api/secrets.h"
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::size_t kMinPassword = 12;
constexpr std::size_t kMaxPassword = 256;
constexpr std::size_t kMaxEmail = 254;
constexpr std::size_t kMaxDisplayName = 200;

Decoded<std::string> normalise_email(std::string email) {
    std::transform(email.begin(), email.end(), email.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto at = email.find('@');
    const bool ok = at != std::string::npos && at > 0 && at + 1 < email.size() &&
                    email.find('@', at + 1) == std::string::npos &&
                    email.find(' ') == std::string::npos;
    if (!ok) {
        return fail(ApiError::unprocessable("email", "email: not an email address"));
    }
    return email;
}

Decoded<std::string> password_hash(const RequestContext& ctx, const std::string& password) {
    if (password.size() < kMinPassword) {
        return fail(ApiError::unprocessable(
            "password", "password: at least " + std::to_string(kMinPassword) + " characters"));
    }
    auto hash = hash_password(password, ctx.options.password_opslimit,
                              ctx.options.password_memlimit);
    if (!hash) {
        return fail(ApiError::unavailable("the server is short of memory; retry shortly"));
    }
    return std::move(*hash);
}

// The caller may give `role` to a user of `tenant`: 404 for a tenant it cannot see, 403 for
// a role it may not grant, 422 if the role does not belong at the tenant's level.
Decoded<void> check_role(RequestContext& ctx, store::Role role, store::TenantId tenant) {
    if (!ctx.access.is_operator() && tenant != ctx.access.user.tenant) {
        return fail(ApiError::not_found("tenant"));
    }
    if (!may_manage_user(ctx.access, role, tenant)) {
        return fail(ApiError::forbidden("this role may not give the role " +
                                        std::string(store::to_string(role))));
    }
    CA_STORE_TRY(t, ctx.store.get_tenant(tenant), "tenant");
    if (t->level != level_of(role)) {
        return fail(ApiError::unprocessable(
            "role", "role: a " + std::string(store::to_string(role)) + " belongs to a " +
                        std::string(store::to_string(level_of(role))) + ", not a " +
                        std::string(store::to_string(t->level))));
    }
    return {};
}

Decoded<store::Role> role_field(const Body& body) {
    CA_API_TRY(text, body.string("role", 32));
    const auto role = store::role_from_string(*text);
    if (!role) {
        return fail(ApiError::unprocessable(
            "role", "role: one of member_viewer, member_admin, force_analyst, region_analyst, "
                    "national_analyst, operator"));
    }
    return *role;
}

// The member a user record concerns for the audit log (0 for police and operator users).
store::TenantId member_of(const store::User& user) {
    return level_of(user.role) == store::TenantLevel::kMember ? user.tenant : 0;
}

}  // namespace

Reply list_users(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({"tenant"}));
    CA_API_TRY(tenant, ctx.query.integer("tenant", 1, INT64_MAX));
    std::optional<store::TenantId> filter = *tenant;
    if (!ctx.access.is_operator()) {
        if (!ctx.access.is_member_admin()) {
            return fail(ApiError::forbidden("users are managed by member admins and the operator"));
        }
        if (filter && *filter != ctx.access.user.tenant) {
            return fail(ApiError::not_found("tenant"));
        }
        filter = ctx.access.user.tenant;
    }
    CA_STORE_TRY(users, ctx.store.list_users(filter), "tenant");
    CA_API_TRY(logged, audit(ctx, "read", ctx.access.is_operator() ? 0 : *filter, "users",
                             ctx.query.describe()));
    json items = json::array();
    for (const auto& u : *users) {
        if (ctx.access.is_operator() || u.tenant == *filter) {
            items.push_back(user_json(u));
        }
    }
    return page_response(dump(items), "");
}

Reply create_user(RequestContext& ctx) {
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"email", "display_name", "role", "tenant", "password"}));
    CA_API_TRY(role, role_field(*body));
    CA_API_TRY(tenant, body->integer("tenant", 1, INT64_MAX));
    const store::TenantId t = tenant->value_or(ctx.access.user.tenant);
    CA_API_TRY(allowed, check_role(ctx, *role, t));
    CA_API_TRY(email_text, body->string("email", kMaxEmail));
    CA_API_TRY(email, normalise_email(std::move(*email_text)));
    CA_API_TRY(display_name, body->optional_text("display_name", kMaxDisplayName));
    CA_API_TRY(password, body->string("password", kMaxPassword));
    CA_API_TRY(hash, password_hash(ctx, *password));
    store::User user;
    user.tenant = t;
    user.role = *role;
    user.email = std::move(*email);
    user.display_name = display_name->value_or("");
    user.password_hash = std::move(*hash);
    user.created_ns = ctx.now_ns;
    CA_STORE_TRY(created, ctx.store.create_user(std::move(user)), "user");
    CA_API_TRY(logged, audit(ctx, "create", member_of(*created),
                             "user:" + std::to_string(created->id),
                             "role=" + std::string(store::to_string(created->role))));
    return json_response(201, user_json(*created));
}

Reply patch_user(RequestContext& ctx) {
    CA_API_TRY(id, id_param(ctx, 0, "user"));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"display_name", "role", "disabled", "password"}));
    auto found = ctx.store.get_user(*id);
    // A user the caller may not manage answers like a missing one.
    if (!found || !may_manage_user(ctx.access, found->role, found->tenant)) {
        return fail(found ? ApiError::not_found("user") : ApiError::from(found.error(), "user"));
    }
    store::User user = std::move(*found);
    std::string changed;
    if (body->has("role")) {
        CA_API_TRY(role, role_field(*body));
        CA_API_TRY(allowed, check_role(ctx, *role, user.tenant));
        user.role = *role;
        changed += " role=" + std::string(store::to_string(*role));
    }
    CA_API_TRY(display_name, body->optional_text("display_name", kMaxDisplayName));
    if (*display_name) {
        user.display_name = std::move(**display_name);
        changed += " display_name";
    }
    CA_API_TRY(disabled, body->boolean("disabled"));
    if (*disabled) {
        user.disabled_ns = **disabled ? (user.disabled_ns != 0 ? user.disabled_ns : ctx.now_ns) : 0;
        changed += **disabled ? " disabled" : " enabled";
    }
    CA_API_TRY(password, body->optional_string("password", kMaxPassword));
    if (*password) {
        CA_API_TRY(hash, password_hash(ctx, **password));
        user.password_hash = std::move(*hash);
        changed += " password";
    }
    CA_STORE_TRY(updated, ctx.store.update_user(user), "user");
    // A new password, a new role or disabling ends the user's sessions: whoever held one
    // logs in again under the new terms (API tokens keep their own expiry and revocation).
    if (*password || body->has("role") || (*disabled && **disabled)) {
        ctx.service.sessions.remove_user(user.id);
    }
    CA_API_TRY(logged, audit(ctx, "update", member_of(user), "user:" + std::to_string(user.id),
                             changed.empty() ? "" : changed.substr(1)));
    return json_response(200, user_json(user));
}

}  // namespace cyberalarm::server::api
