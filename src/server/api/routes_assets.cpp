// Routes for a member's assets: the networks, domains and hosts it says are its own, and the
// ownership check that must pass before the scanner touches them.
#include <algorithm>

#include "server/api/secrets.h"
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxHostName = 253;

// A DNS name: 1..253 bytes of labels 1..63 of letters, digits and hyphens (not at either
// end), at least two labels. Returned in lower case.
std::optional<std::string> normalise_host(std::string_view text) {
    std::string name(text);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    if (name.empty() || name.size() > kMaxHostName || name.find('.') == std::string::npos) {
        return std::nullopt;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        auto end = name.find('.', start);
        end = end == std::string::npos ? name.size() : end;
        const std::string_view label(name.data() + start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            })) {
            return std::nullopt;
        }
        start = end + 1;
    }
    return name;
}

Decoded<std::string> normalise_asset(store::AssetKind kind, std::string_view value) {
    if (kind == store::AssetKind::kNetwork) {
        const auto cidr = core::Cidr::parse(value);
        if (!cidr) {
            return fail(ApiError::unprocessable("value", "value: not a CIDR or IP address"));
        }
        return cidr->to_string();
    }
    auto host = normalise_host(value);
    if (!host) {
        return fail(ApiError::unprocessable("value", "value: not a DNS name"));
    }
    return std::move(*host);
}

}  // namespace

Decoded<store::Asset> find_asset(const RequestContext& ctx, std::int64_t id) {
    // The store has no get_asset(id); a caller's assets are few, so look among them.
    for (const auto member : ctx.access.data.members) {
        CA_STORE_TRY(assets, ctx.store.list_assets(ctx.access.data, member), "asset");
        for (auto& asset : *assets) {
            if (asset.id == id) {
                return std::move(asset);
            }
        }
    }
    return fail(ApiError::not_found("asset"));
}

namespace {

// The asset named in the path, if the caller may change it (404 if it cannot see it).
Decoded<store::Asset> managed_asset(const RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "asset"));
    CA_API_TRY(asset, find_asset(ctx, *id));
    CA_API_TRY(member, manageable(ctx, asset->member));
    return std::move(*asset);
}

}  // namespace

Reply list_assets(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "member"));
    CA_API_TRY(member, member_in(ctx.access.data, *id));
    CA_STORE_TRY(assets, ctx.store.list_assets(ctx.access.data, *member), "member");
    CA_API_TRY(logged, audit(ctx, "read", *member, "assets", ""));
    const bool admin = ctx.access.manage.allows(*member);
    return list_response(*assets, [admin](const store::Asset& a) { return asset_json(a, admin); });
}

Reply create_asset(RequestContext& ctx) {
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "member"));
    CA_API_TRY(member, manageable(ctx, *id));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"kind", "value"}));
    CA_API_TRY(kind_text, body->string("kind", 16));
    const auto kind = store::asset_kind_from_string(*kind_text);
    if (!kind) {
        return fail(ApiError::unprocessable("kind", "kind: one of network, domain, host"));
    }
    CA_API_TRY(value, body->string("value", kMaxHostName + 1));
    CA_API_TRY(normal, normalise_asset(*kind, *value));
    store::Asset asset;
    asset.member = *member;
    asset.kind = *kind;
    asset.value = std::move(*normal);
    asset.verify_token = "cyberalarm-verify=" + random_hex(32);
    asset.created_ns = ctx.now_ns;
    CA_STORE_TRY(added, ctx.store.add_asset(ctx.access.manage, asset), "asset");
    CA_API_TRY(logged, audit(ctx, "create", *member, "asset:" + std::to_string(added->id),
                             "kind=" + std::string(store::to_string(added->kind)) +
                                 " value=" + added->value));
    return json_response(201, asset_json(*added, true));
}

Reply delete_asset(RequestContext& ctx) {
    CA_API_TRY(asset, managed_asset(ctx));
    CA_STORE_TRY(deleted, ctx.store.delete_asset(ctx.access.manage, asset->id), "asset");
    CA_API_TRY(logged, audit(ctx, "delete", asset->member, "asset:" + std::to_string(asset->id),
                             "value=" + asset->value));
    return no_content();
}

Reply verify_asset(RequestContext& ctx) {
    CA_API_TRY(asset, managed_asset(ctx));
    const std::int64_t id = asset->id;
    const store::TenantId member = asset->member;
    if (!ctx.options.verify_ownership) {
        return fail(ApiError::unavailable(
            "ownership verification is not configured on this server (the scanner provides it)"));
    }
    if (asset->verified_ns == 0) {
        const auto proven = ctx.options.verify_ownership(*asset);
        if (!proven) {
            CA_API_TRY(logged, audit(ctx, "verify_failed", member, "asset:" + std::to_string(id), ""));
            return fail(ApiError::unprocessable(
                "", "ownership not proven: " + proven.error().message().substr(0, 200)));
        }
        CA_STORE_TRY(marked, ctx.store.mark_asset_verified(ctx.access.manage, id,
                                                           "ownership-check", ctx.now_ns),
                     "asset");
        asset->verified_ns = ctx.now_ns;
        asset->verified_by = "ownership-check";
        CA_API_TRY(logged, audit(ctx, "verify", member, "asset:" + std::to_string(id), ""));
    }
    return json_response(200, asset_json(*asset, true));
}

}  // namespace cyberalarm::server::api
