// Routes for collectors and their one-time enrollment tokens.
#include "server/api/secrets.h"
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxCollectorName = 200;

// The collector named in the path if the caller may see it; another member's answers
// exactly like an unknown id.
Decoded<store::Collector> visible_collector(const RequestContext& ctx) {
    const std::string& id = ctx.params.at(0);
    auto collector = ctx.store.get_collector(id);
    if (!collector) {
        return fail(ApiError::from(collector.error(), "collector"));
    }
    if (!ctx.access.collectors.allows(collector->member)) {
        return fail(ApiError::not_found("collector"));
    }
    return std::move(*collector);
}

// Like visible_collector, and the caller may change it (403 if it only reads it).
Decoded<store::Collector> managed_collector(const RequestContext& ctx) {
    CA_API_TRY(collector, visible_collector(ctx));
    if (!ctx.access.manage.allows(collector->member)) {
        return fail(ApiError::forbidden("this role may read but not change this collector"));
    }
    return std::move(*collector);
}

}  // namespace

Reply list_collectors(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(id, id_param(ctx, 0, "member"));
    CA_API_TRY(member, member_in(ctx.access.collectors, *id));
    CA_STORE_TRY(collectors, ctx.store.list_collectors(ctx.access.collectors, *member), "member");
    CA_API_TRY(logged, audit(ctx, "read", *member, "collectors", ""));
    return list_response(*collectors, collector_json);
}

Reply create_collector(RequestContext& ctx) {
    CA_API_TRY(id, id_param(ctx, 0, "member"));
    CA_API_TRY(member, manageable(ctx, *id));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"name"}));
    CA_API_TRY(name, body->string("name", kMaxCollectorName));
    CA_STORE_TRY(tenant, ctx.store.get_tenant(*member), "member");
    if (tenant->level != store::TenantLevel::kMember) {
        return fail(ApiError::not_found("member"));
    }
    store::Collector collector;
    // Chosen by the server, unguessable: it becomes the certificate's CN and must not be
    // something another member could predict or collide with.
    collector.id = "col-" + random_hex(24);
    collector.member = *member;
    collector.name = std::move(*name);
    collector.created_ns = ctx.now_ns;
    CA_STORE_TRY(created, ctx.store.create_collector(collector), "collector");
    CA_API_TRY(logged, audit(ctx, "create", *member, "collector:" + collector.id, ""));
    return json_response(201, collector_json(collector));
}

Reply get_collector(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(collector, visible_collector(ctx));
    CA_API_TRY(logged, audit(ctx, "read", collector->member, "collector:" + collector->id, ""));
    return json_response(200, collector_json(*collector));
}

Reply revoke_collector(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(collector, managed_collector(ctx));
    if (collector->revoked_ns == 0) {
        CA_STORE_TRY(revoked, ctx.store.revoke_collector(collector->id, ctx.now_ns), "collector");
        collector->revoked_ns = ctx.now_ns;
        CA_API_TRY(logged,
                   audit(ctx, "revoke", collector->member, "collector:" + collector->id, ""));
    }
    return json_response(200, collector_json(*collector));
}

Reply create_enroll_token(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(collector, managed_collector(ctx));
    if (collector->revoked_ns != 0) {
        return fail(ApiError{409, "revoked", "the collector is revoked; register a new one", ""});
    }
    const std::string token = random_token(kEnrollTokenPrefix);
    store::EnrollToken record;
    record.token_hash = store::token_hash(token);
    record.collector_id = collector->id;
    record.member = collector->member;
    record.created_by = ctx.access.actor();
    record.created_ns = ctx.now_ns;
    record.expires_ns = ctx.now_ns + ctx.options.enroll_token_lifetime_s * 1'000'000'000;
    CA_STORE_TRY(added, ctx.store.add_enroll_token(record), "enrollment token");
    CA_API_TRY(logged, audit(ctx, "create", collector->member, "enroll-token:" + collector->id,
                             ""));
    json j = enroll_token_json(record);
    j["token"] = token;  // the only time it is shown
    return json_response(201, j);
}

Reply list_enroll_tokens(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({"member"}));
    CA_API_TRY(member, ctx.query.integer("member", 1, INT64_MAX));
    if (*member) {
        CA_API_TRY(in, member_in(ctx.access.manage, **member));
    }
    CA_STORE_TRY(tokens, ctx.store.list_enroll_tokens(ctx.access.manage), "enrollment token");
    json items = json::array();
    for (const auto& t : *tokens) {
        if (ctx.access.manage.allows(t.member) && (!*member || t.member == **member)) {
            items.push_back(enroll_token_json(t));
        }
    }
    CA_API_TRY(logged, audit_members(ctx, "read", covered(ctx.access.manage, *member),
                                     "enroll-tokens", ctx.query.describe()));
    return page_response(dump(items), "");
}

}  // namespace cyberalarm::server::api
