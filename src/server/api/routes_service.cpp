// Routes about the service and the caller: /healthz, /metrics, /me, /audit.
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

using nlohmann::json;

Reply get_healthz(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    // Only liveness and the storage's kind and schema: nothing about tenants or where the
    // data lives (location() is an operator's concern, not the public's).
    return json_response(200, json{{"status", "ok"},
                                   {"backend", ctx.store.backend()},
                                   {"schema_version", ctx.store.schema_version()}});
}

Reply get_metrics(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    if (!ctx.access.is_operator()) {
        return fail(ApiError::forbidden("metrics are for the operator"));
    }
    std::string text = ctx.service.metrics();
    if (ctx.options.metrics_text) {
        text += ctx.options.metrics_text();
    }
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = std::move(text);
    return response;
}

Reply get_me(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    const Access& a = ctx.access;
    json grants = json::array();
    for (const auto& [member, grant] : a.grants) {
        grants.push_back({{"member", member}, {"grant", grant}});
    }
    return json_response(200, json{{"user", user_json(a.user)},
                                   {"token_scope", to_string(a.token_scope)},
                                   {"members", a.data.members},
                                   {"manages_members", a.manage.all_members
                                                           ? json("all")
                                                           : json(a.manage.members)},
                                   {"grants", std::move(grants)}});
}

Reply read_audit(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({"member", "cursor", "limit"}));
    CA_API_TRY(member, ctx.query.integer("member", 1, INT64_MAX));
    CA_API_TRY(limit, ctx.query.limit(ctx.options.default_page_size, ctx.options.max_page_size));
    std::int64_t from_seq = 1;
    if (const auto cursor = ctx.query.raw("cursor")) {
        CA_API_TRY(seq, ctx.query.integer("cursor", 1, INT64_MAX));
        from_seq = **seq;
        (void)cursor;
    }
    std::optional<store::TenantId> about;
    if (ctx.access.is_operator()) {
        about = *member;
    } else if (ctx.access.is_member_admin()) {
        // A member admin sees every access to its own member's data, and only that.
        CA_API_TRY(own, member_in(ctx.access.manage, member->value_or(ctx.access.user.tenant)));
        about = *own;
    } else {
        return fail(ApiError::forbidden("the audit log is for member admins and the operator"));
    }
    CA_STORE_TRY(records, ctx.store.read_audit(from_seq, *limit + 1, about), "audit record");
    json items = json::array();
    std::string next;
    for (const auto& r : *records) {
        if (r.seq < from_seq || (about && r.member != *about)) {
            continue;
        }
        if (items.size() == *limit) {
            next = std::to_string(r.seq);
            break;
        }
        items.push_back(audit_json(r));
    }
    CA_API_TRY(logged, audit(ctx, "read", about.value_or(0), "audit", ctx.query.describe()));
    return page_response(dump(items), next);
}

}  // namespace cyberalarm::server::api
