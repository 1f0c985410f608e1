// Routes that account for access: a member's own access-transparency log (every read or
// export of its data: who, when, under which grant or role, what) and the operator's data
// map and access review (data_map.h).
#include <map>

#include "server/api/data_map.h"
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

bool is_member_role(store::Role role) {
    return role == store::Role::kMemberViewer || role == store::Role::kMemberAdmin;
}

// The first word of an audit detail is the basis ("grant:7", "role:member_admin"), the second
// the credential; the rest are the filters.
std::pair<std::string, std::string> split_detail(const std::string& detail) {
    const auto first = detail.find(' ');
    const std::string basis = detail.substr(0, first);
    if (first == std::string::npos) {
        return {basis, ""};
    }
    const auto second = detail.find(' ', first + 1);
    return {basis, second == std::string::npos ? "" : detail.substr(second + 1)};
}

}  // namespace

Reply member_access_log(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({"cursor", "limit"}));
    if (!is_member_role(ctx.access.user.role)) {
        return fail(ApiError::forbidden("the access log is shown to the member's own users"));
    }
    CA_API_TRY(id, id_param(ctx, 0, "member"));
    CA_API_TRY(member, member_in(ctx.access.data, *id));
    CA_API_TRY(limit, ctx.query.limit(ctx.options.default_page_size, ctx.options.max_page_size));
    CA_API_TRY(cursor, ctx.query.integer("cursor", 1, INT64_MAX));
    const std::int64_t from = cursor->value_or(1);
    CA_STORE_TRY(grants, ctx.store.list_grants(std::nullopt), "grant");
    std::map<std::string, const store::Grant*> grant_by_basis;
    for (const auto& g : *grants) {
        if (g.member == *member) {
            grant_by_basis["grant:" + std::to_string(g.id)] = &g;
        }
    }
    std::map<std::string, json> people;  // actor → who, looked up once
    json items = json::array();
    std::string next;
    std::int64_t seq = from;
    // Pages of the member's records until a page of accesses is full or the log ends.
    while (next.empty()) {
        CA_STORE_TRY(records, ctx.store.read_audit(seq, *limit + 1, *member), "audit record");
        for (const auto& r : *records) {
            seq = r.seq + 1;
            if (r.member != *member || (r.action != "read" && r.action != "export")) {
                continue;
            }
            if (items.size() == *limit) {
                next = std::to_string(r.seq);
                break;
            }
            if (!people.count(r.actor)) {
                json who{{"actor", r.actor}};
                std::int64_t uid = 0;
                if (r.actor.rfind("user:", 0) == 0 && (uid = std::atoll(r.actor.c_str() + 5)) > 0) {
                    if (auto u = ctx.store.get_user(uid)) {
                        who["name"] = u->display_name;
                        who["role"] = std::string(store::to_string(u->role));
                        who["tenant"] = u->tenant;
                    }
                }
                people[r.actor] = std::move(who);
            }
            const auto [basis, filters] = split_detail(r.detail);
            json item{{"seq", r.seq},       {"time", time_json(r.time_ns)},
                      {"who", people[r.actor]}, {"action", r.action},
                      {"what", r.target},   {"filters", filters},
                      {"basis", basis}};
            if (const auto it = grant_by_basis.find(basis); it != grant_by_basis.end()) {
                item["grant"] = {{"id", it->second->id},
                                 {"purpose", it->second->purpose},
                                 {"expires", time_json(it->second->expires_ns)}};
            }
            items.push_back(std::move(item));
        }
        if (records->size() <= *limit) {
            break;
        }
    }
    CA_API_TRY(logged, audit(ctx, "read", *member, "access-log", ctx.query.describe()));
    return page_response(dump(items), next);
}

Reply data_map(RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({"format"}));
    CA_API_TRY(format, ctx.query.text("format", 16));
    if (!ctx.access.is_operator()) {
        return fail(ApiError::forbidden("the data map is the operator's"));
    }
    const bool markdown = format->value_or("json") == "markdown";
    if (!markdown && format->value_or("json") != "json") {
        return fail(ApiError::bad_request("format", "format: json or markdown"));
    }
    CA_STORE_TRY(map, build_data_map(ctx.store, ctx.options.data_map, ctx.now_ns), "data map");
    CA_API_TRY(logged, audit(ctx, "read", 0, "data-map", ctx.query.describe()));
    if (markdown) {
        HttpResponse r = json_response(200, data_map_markdown(*map));
        r.content_type = "text/markdown; charset=utf-8";
        return r;
    }
    return json_response(200, data_map_json(*map));
}

}  // namespace cyberalarm::server::api
