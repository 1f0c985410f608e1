// Routes for tenants: the nation → region → force → member hierarchy.
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxSector = 64;
constexpr std::size_t kMaxNetworksText = 8192;

// A caller sees its own tenant and the members whose data it may read; the operator all.
bool visible(const Access& access, store::TenantId id) {
    return access.is_operator() || id == access.user.tenant || access.data.allows(id);
}

bool with_networks(const Access& access, const store::Tenant& tenant) {
    return access.is_operator() || access.data.allows(tenant.id);
}

// "10.0.0.0/8, 2001:db8::/32" → the same list normalised; 422 naming the bad entry.
Decoded<std::string> normalise_networks(std::string_view text) {
    std::string out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (item.empty()) {
            continue;
        }
        const auto cidr = core::Cidr::parse(item);
        if (!cidr) {
            return fail(ApiError::unprocessable(
                "networks", "networks: \"" + std::string(item.substr(0, 64)) + "\" is not a CIDR"));
        }
        out += out.empty() ? "" : ",";
        out += cidr->to_string();
    }
    return out;
}

// Applies the optional name/sector/networks fields of `body` to `tenant`.
Decoded<void> apply_fields(const Body& body, store::Tenant& tenant) {
    CA_API_TRY(name, body.optional_string("name", kMaxName));
    CA_API_TRY(sector, body.optional_text("sector", kMaxSector));
    CA_API_TRY(networks, body.optional_text("networks", kMaxNetworksText));
    if (*name) {
        tenant.name = std::move(**name);
    }
    if (*sector) {
        tenant.sector = std::move(**sector);
    }
    if (*networks) {
        if (tenant.level != store::TenantLevel::kMember && !(*networks)->empty()) {
            return fail(ApiError::unprocessable("networks", "networks: members only"));
        }
        CA_API_TRY(normal, normalise_networks(**networks));
        tenant.networks = std::move(*normal);
    }
    return {};
}

Decoded<void> operator_only(const RequestContext& ctx) {
    if (!ctx.access.is_operator()) {
        return fail(ApiError::forbidden("tenants are managed by the operator"));
    }
    return {};
}

}  // namespace

Reply list_tenants(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({"parent"}));
    CA_API_TRY(parent, ctx.query.integer("parent", 1, INT64_MAX));
    json items = json::array();
    if (ctx.access.is_operator()) {
        CA_STORE_TRY(all, ctx.store.list_tenants(*parent), "tenant");
        for (const auto& t : *all) {
            items.push_back(tenant_json(t, true));
        }
    } else {
        std::vector<store::TenantId> ids = ctx.access.data.members;
        ids.insert(ids.begin(), ctx.access.user.tenant);
        for (const auto id : store::Scope::of(ids).members) {
            CA_STORE_TRY(t, ctx.store.get_tenant(id), "tenant");
            if (!*parent || t->parent == **parent) {
                items.push_back(tenant_json(*t, with_networks(ctx.access, *t)));
            }
        }
    }
    return page_response(dump(items), "");
}

Reply create_tenant(RequestContext& ctx) {
    CA_API_TRY(op, operator_only(ctx));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"level", "parent", "name", "sector", "networks"}));
    CA_API_TRY(level_text, body->string("level", 16));
    const auto level = store::tenant_level_from_string(*level_text);
    if (!level) {
        return fail(ApiError::unprocessable("level", "level: one of nation, region, force, member"));
    }
    CA_API_TRY(parent, body->integer("parent", 1, INT64_MAX));
    if (*level != store::TenantLevel::kNation && !*parent) {
        return fail(ApiError::unprocessable("parent", "parent: required below a nation"));
    }
    if (!body->has("name")) {
        return fail(ApiError::unprocessable("name", "name: required"));
    }
    store::Tenant tenant;
    tenant.level = *level;
    tenant.parent = parent->value_or(0);
    CA_API_TRY(applied, apply_fields(*body, tenant));
    CA_STORE_TRY(created, ctx.store.create_tenant(tenant), "tenant");
    CA_API_TRY(logged, audit(ctx, "create", created->level == store::TenantLevel::kMember ? created->id : 0,
                             "tenant:" + std::to_string(created->id),
                             "level=" + std::string(store::to_string(created->level))));
    return json_response(201, tenant_json(*created, true));
}

Reply get_tenant(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(id, id_param(ctx, 0, "tenant"));
    if (!visible(ctx.access, *id)) {
        return fail(ApiError::not_found("tenant"));
    }
    CA_STORE_TRY(tenant, ctx.store.get_tenant(*id), "tenant");
    return json_response(200, tenant_json(*tenant, with_networks(ctx.access, *tenant)));
}

Reply patch_tenant(RequestContext& ctx) {
    CA_API_TRY(op, operator_only(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "tenant"));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"name", "sector", "networks"}));
    CA_STORE_TRY(tenant, ctx.store.get_tenant(*id), "tenant");
    CA_API_TRY(applied, apply_fields(*body, *tenant));
    CA_STORE_TRY(updated, ctx.store.update_tenant(*tenant), "tenant");
    CA_API_TRY(logged, audit(ctx, "update", tenant->level == store::TenantLevel::kMember ? tenant->id : 0,
                             "tenant:" + std::to_string(tenant->id), ""));
    return json_response(200, tenant_json(*tenant, true));
}

}  // namespace cyberalarm::server::api
