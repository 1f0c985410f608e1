// Routes for analyst grants (the operator gives and revokes them; analysts see their own; a
// member admin sees who may read its member) and for API tokens (each user their own; the
// operator all). A token is shown once, when made; only its SHA-256 is kept.
#include <algorithm>

#include "server/api/secrets.h"
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::int64_t kNs = 1'000'000'000;
constexpr std::int64_t kMaxGrantLifetimeS = 366 * 86400;
constexpr std::size_t kMaxPurpose = 500;
constexpr std::size_t kMaxLabel = 100;

bool is_analyst(store::Role role) {
    return role == store::Role::kForceAnalyst || role == store::Role::kRegionAnalyst ||
           role == store::Role::kNationalAnalyst;
}

Decoded<void> operator_only(const RequestContext& ctx) {
    if (!ctx.access.is_operator()) {
        return fail(ApiError::forbidden("grants are given and revoked by the operator"));
    }
    return {};
}

Decoded<store::Grant> find_grant(RequestContext& ctx, std::int64_t id) {
    CA_STORE_TRY(grants, ctx.store.list_grants(std::nullopt), "grant");
    for (auto& g : *grants) {
        if (g.id == id) {
            return std::move(g);
        }
    }
    return fail(ApiError::not_found("grant"));
}

}  // namespace

Reply list_grants(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    const Access& a = ctx.access;
    std::optional<store::UserId> user;
    if (is_analyst(a.user.role)) {
        user = a.user.id;
    } else if (!a.is_operator() && !a.is_member_admin()) {
        return fail(ApiError::forbidden("grants are shown to analysts, member admins and the operator"));
    }
    CA_STORE_TRY(grants, ctx.store.list_grants(user), "grant");
    json items = json::array();
    for (const auto& g : *grants) {
        // A member admin sees every grant over its own member: who may read its data.
        if (!a.is_member_admin() || g.member == a.user.tenant) {
            items.push_back(grant_json(g));
        }
    }
    CA_API_TRY(logged, audit(ctx, "read", a.is_member_admin() ? a.user.tenant : 0, "grants", ""));
    return page_response(dump(items), "");
}

Reply create_grant(RequestContext& ctx) {
    CA_API_TRY(op, operator_only(ctx));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"user", "member", "purpose", "expires"}));
    CA_API_TRY(user_id, body->integer("user", 1, INT64_MAX));
    CA_API_TRY(member, body->integer("member", 1, INT64_MAX));
    CA_API_TRY(purpose, body->string("purpose", kMaxPurpose));
    CA_API_TRY(expires, body->time("expires"));
    if (!*user_id || !*member || !*expires) {
        const char* missing = !*user_id ? "user" : !*member ? "member" : "expires";
        return fail(ApiError::unprocessable(missing, std::string(missing) + ": required"));
    }
    if (**expires <= ctx.now_ns || **expires > ctx.now_ns + kMaxGrantLifetimeS * kNs) {
        return fail(ApiError::unprocessable("expires", "expires: in the future, within a year"));
    }
    auto user = ctx.store.get_user(**user_id);
    if (!user || !is_analyst(user->role)) {
        return fail(ApiError::unprocessable("user", "user: not an analyst"));
    }
    CA_STORE_TRY(under, ctx.store.members_under(user->tenant), "tenant");
    if (std::find(under->begin(), under->end(), **member) == under->end()) {
        return fail(ApiError::unprocessable("member", "member: not a member under the analyst's tenant"));
    }
    store::Grant grant;
    grant.user = **user_id;
    grant.member = **member;
    grant.purpose = std::move(*purpose);
    grant.granted_by = ctx.access.user.id;
    grant.created_ns = ctx.now_ns;
    grant.expires_ns = **expires;
    CA_STORE_TRY(created, ctx.store.create_grant(grant), "grant");
    CA_API_TRY(logged, audit(ctx, "grant", created->member, "grant:" + std::to_string(created->id),
                             "user=" + std::to_string(created->user) + " purpose=" + created->purpose));
    return json_response(201, grant_json(*created));
}

Reply delete_grant(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, operator_only(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "grant"));
    CA_API_TRY(grant, find_grant(ctx, *id));
    CA_STORE_TRY(revoked, ctx.store.revoke_grant(*id, ctx.now_ns), "grant");
    CA_API_TRY(logged, audit(ctx, "revoke", grant->member, "grant:" + std::to_string(*id), ""));
    return no_content();
}

Reply list_tokens(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({"user"}));
    CA_API_TRY(user, ctx.query.integer("user", 1, INT64_MAX));
    std::optional<store::UserId> owner = *user;
    if (!ctx.access.is_operator()) {
        if (owner && *owner != ctx.access.user.id) {
            return fail(ApiError::not_found("user"));
        }
        owner = ctx.access.user.id;
    }
    CA_STORE_TRY(tokens, ctx.store.list_api_tokens(owner), "user");
    json items = json::array();
    for (const auto& t : *tokens) {
        if (!owner || t.user == *owner) {
            items.push_back(api_token_json(t));
        }
    }
    return page_response(dump(items), "");
}

Reply create_token(RequestContext& ctx) {
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"label", "scopes", "expires"}));
    CA_API_TRY(label, body->string("label", kMaxLabel));
    CA_API_TRY(scopes_list, body->string_list("scopes", 3, 8));
    std::string scopes = "read";
    if (*scopes_list) {
        scopes.clear();
        for (const auto& s : **scopes_list) {
            scopes += scopes.empty() ? s : " " + s;
        }
    }
    const auto need = token_scope_from_string(scopes);
    if (!need) {
        return fail(ApiError::unprocessable("scopes", "scopes: each one of read, write, admin"));
    }
    if (*need > ctx.access.token_scope) {
        return fail(ApiError::forbidden("a token cannot make a token with more scope than its own"));
    }
    CA_API_TRY(expires, body->time("expires"));
    const std::int64_t until =
        expires->value_or(ctx.now_ns + ctx.options.token_default_lifetime_s * kNs);
    if (until <= ctx.now_ns || until > ctx.now_ns + ctx.options.token_max_lifetime_s * kNs) {
        return fail(ApiError::unprocessable(
            "expires", "expires: in the future, within " +
                           std::to_string(ctx.options.token_max_lifetime_s / 86400) + " days"));
    }
    const std::string token = random_token(kApiTokenPrefix);
    store::ApiToken record;
    record.user = ctx.access.user.id;
    record.token_hash = store::token_hash(token);
    record.label = std::move(*label);
    record.scopes = scopes;
    record.created_ns = ctx.now_ns;
    record.expires_ns = until;
    CA_STORE_TRY(created, ctx.store.create_api_token(record), "token");
    CA_API_TRY(logged, audit(ctx, "create", 0, "token:" + std::to_string(created->id),
                             "label=" + created->label + " scopes=" + created->scopes));
    json j = api_token_json(*created);
    j["token"] = token;  // the only time it is shown
    return json_response(201, j);
}

Reply delete_token(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(id, id_param(ctx, 0, "token"));
    std::optional<store::UserId> owner;
    if (!ctx.access.is_operator()) {
        owner = ctx.access.user.id;
    }
    CA_STORE_TRY(tokens, ctx.store.list_api_tokens(owner), "token");
    const auto it = std::find_if(tokens->begin(), tokens->end(), [&](const store::ApiToken& t) {
        return t.id == *id && (!owner || t.user == *owner);
    });
    if (it == tokens->end()) {
        return fail(ApiError::not_found("token"));
    }
    CA_STORE_TRY(revoked, ctx.store.revoke_api_token(*id, ctx.now_ns), "token");
    CA_API_TRY(logged, audit(ctx, "revoke", 0, "token:" + std::to_string(*id), ""));
    return no_content();
}

}  // namespace cyberalarm::server::api
