// Routes for reports (listing, download as an audited export) and scans (runs, requests
// limited to verified assets, results).
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxTargets = 64;
constexpr std::size_t kMaxTarget = 253;

bool within_domain(std::string_view name, std::string_view domain) {
    return name == domain || (name.size() > domain.size() &&
                              name.substr(name.size() - domain.size()) == domain &&
                              name[name.size() - domain.size() - 1] == '.');
}

// A target is scannable only inside a verified asset: an address or CIDR inside a verified
// network, a name equal to a verified host or under a verified domain.
bool covered_by(std::string_view target, const std::vector<store::Asset>& assets) {
    const auto cidr = core::Cidr::parse(target);
    std::string name(target);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& asset : assets) {
        if (asset.verified_ns == 0) {
            continue;
        }
        if (asset.kind == store::AssetKind::kNetwork && cidr) {
            const auto net = core::Cidr::parse(asset.value);
            if (net && net->base.is_v4() == cidr->base.is_v4() && cidr->prefix >= net->prefix &&
                net->contains(cidr->base)) {
                return true;
            }
        } else if (asset.kind == store::AssetKind::kDomain && within_domain(name, asset.value)) {
            return true;
        } else if (asset.kind == store::AssetKind::kHost && name == asset.value) {
            return true;
        }
    }
    return false;
}

// The member a scan run belongs to, among those the caller reads (the store has no
// get_scan(id)); not_found("scan") otherwise.
Decoded<store::TenantId> scan_member(const RequestContext& ctx, std::int64_t scan_id) {
    for (const auto member : ctx.access.data.members) {
        CA_STORE_TRY(runs, ctx.store.list_scans(ctx.access.data, member), "scan");
        for (const auto& run : *runs) {
            if (run.id == scan_id) {
                return member;
            }
        }
    }
    return fail(ApiError::not_found("scan"));
}

}  // namespace

Reply list_reports(RequestContext& ctx) {
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(allowed, ctx.query.only({"tenant"}));
    CA_API_TRY(tenant, ctx.query.integer("tenant", 1, INT64_MAX));
    const store::TenantId id = tenant->value_or(ctx.access.user.tenant);
    if (!ctx.access.reports.allows(id)) {
        return fail(ApiError::not_found("tenant"));
    }
    CA_STORE_TRY(reports, ctx.store.list_reports(ctx.access.reports, id), "tenant");
    CA_API_TRY(logged, audit(ctx, "read", ctx.access.data.allows(id) ? id : 0,
                             "reports:" + std::to_string(id), ""));
    return list_response(*reports, report_json);
}

Reply get_report(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "report"));
    CA_STORE_TRY(report, ctx.store.get_report(ctx.access.reports, *id), "report");
    if (!ctx.access.reports.allows(report->tenant)) {
        return fail(ApiError::not_found("report"));
    }
    CA_API_TRY(logged, audit(ctx, "export", ctx.access.data.allows(report->tenant) ? report->tenant : 0,
                             "report:" + std::to_string(*id), report->kind));
    HttpResponse response;
    response.content_type = report->content_type == "application/pdf" ? "application/pdf"
                                                                       : "text/html; charset=utf-8";
    // Downloaded, never rendered in the API's origin.
    response.headers.emplace_back(
        "Content-Disposition",
        "attachment; filename=\"report-" + std::to_string(*id) +
            (report->content_type == "application/pdf" ? ".pdf\"" : ".html\""));
    response.body = std::move(report->body);
    return response;
}

Reply list_scans(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "member"));
    CA_API_TRY(member, member_in(ctx.access.data, *id));
    CA_STORE_TRY(runs, ctx.store.list_scans(ctx.access.data, *member), "member");
    CA_API_TRY(logged, audit(ctx, "read", *member, "scans", ""));
    return list_response(*runs, scan_run_json);
}

Reply create_scan(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "member"));
    CA_API_TRY(member, manageable(ctx, *id));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"targets"}));
    CA_API_TRY(targets, body->string_list("targets", kMaxTargets, kMaxTarget));
    if (!*targets) {
        return fail(ApiError::unprocessable("targets", "targets: required"));
    }
    CA_STORE_TRY(assets, ctx.store.list_assets(ctx.access.manage, *member), "member");
    for (std::size_t i = 0; i < (*targets)->size(); ++i) {
        if (!covered_by((**targets)[i], *assets)) {
            const std::string field = "targets[" + std::to_string(i) + "]";
            return fail(ApiError::unprocessable(
                field, field + ": not within a verified asset of this member"));
        }
    }
    if (!ctx.options.request_scan) {
        return fail(ApiError::unavailable(
            "scanning is not configured on this server (the scanner provides it)"));
    }
    auto scan = ctx.options.request_scan(*member, **targets, ctx.access.actor());
    if (!scan) {
        return fail(ApiError::from(scan.error(), "scan"));
    }
    std::string list;
    for (const auto& t : **targets) {
        list += list.empty() ? "" : ",";
        list += t;
    }
    CA_API_TRY(logged, audit(ctx, "create", *member, "scan:" + std::to_string(*scan),
                             "targets=" + list));
    return json_response(202, json{{"scan_id", *scan}, {"member", *member}});
}

Reply get_scan_results(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(id, id_param(ctx, 0, "scan"));
    CA_API_TRY(member, scan_member(ctx, *id));
    CA_STORE_TRY(results, ctx.store.scan_results(ctx.access.data, *member, *id), "scan");
    CA_API_TRY(logged, audit(ctx, "read", *member, "scan-results:" + std::to_string(*id), ""));
    return list_response(*results, scan_result_json);
}

}  // namespace cyberalarm::server::api
