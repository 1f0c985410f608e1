// Helpers every handler shares (internal/service.h): audit records, ids from the path,
// scope checks that answer like a missing object, pages.
#include <charconv>

#include "server/api/internal/service.h"

namespace cyberalarm::server::api {

std::string peer_of(const HttpRequest& request) { return request.peer_address.substr(0, 64); }

Decoded<void> append_record(RequestContext& ctx, store::AuditRecord record) {
    if (!ctx.store.append_audit(std::move(record))) {
        return fail(ApiError::unavailable("the audit log cannot be written; nothing was done"));
    }
    ++ctx.service.audit_records;
    return {};
}

Decoded<void> audit(RequestContext& ctx, std::string_view action, store::TenantId member,
                    std::string_view target, std::string_view detail) {
    store::AuditRecord record;
    record.time_ns = ctx.now_ns;
    record.actor = ctx.access.actor();
    record.action = std::string(action);
    record.member = member;
    record.target = std::string(target);
    record.detail = (member != 0 ? ctx.access.basis(member)
                                 : "role:" + std::string(store::to_string(ctx.access.user.role))) +
                    " " + ctx.access.credential();
    if (!detail.empty()) {
        record.detail += ' ';
        record.detail += detail.substr(0, 512);
    }
    CA_API_TRY(appended, append_record(ctx, std::move(record)));
    if (member != 0) {
        if (const auto grant = ctx.access.grant_for(member)) {
            // Last-used is advisory; the audit record above is the account of the access.
            (void)ctx.store.touch_grant(*grant, ctx.now_ns);
        }
    }
    return {};
}

Decoded<void> audit_members(RequestContext& ctx, std::string_view action,
                            const std::vector<store::TenantId>& members, std::string_view target,
                            std::string_view detail) {
    if (members.empty()) {
        return audit(ctx, action, 0, target, detail);
    }
    for (const auto member : members) {
        CA_API_TRY(done, audit(ctx, action, member, target, detail));
    }
    return {};
}

Decoded<std::int64_t> id_param(const RequestContext& ctx, std::size_t index,
                               std::string_view what) {
    const std::string& text = ctx.params.at(index);
    std::int64_t id = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || p != text.data() + text.size() || id <= 0) {
        return fail(ApiError::not_found(what));
    }
    return id;
}

Decoded<store::TenantId> member_in(const store::Scope& scope, std::int64_t member) {
    if (member <= 0 || !scope.allows(member)) {
        return fail(ApiError::not_found("member"));
    }
    return member;
}

Decoded<store::TenantId> manageable(const RequestContext& ctx, std::int64_t member) {
    const Access& a = ctx.access;
    if (member <= 0 || !(a.data.allows(member) || a.manage.allows(member))) {
        return fail(ApiError::not_found("member"));
    }
    if (!a.manage.allows(member)) {
        return fail(ApiError::forbidden("this role may read but not change this member's data"));
    }
    return member;
}

Decoded<void> refuse_operator(const RequestContext& ctx) {
    if (ctx.access.is_operator()) {
        return fail(ApiError::forbidden(
            "the operator role runs the service and has no access to member data"));
    }
    return {};
}

std::vector<store::TenantId> covered(const store::Scope& scope,
                                     std::optional<store::TenantId> member) {
    if (member) {
        return {*member};
    }
    return scope.members;
}

HttpResponse page_response(std::string items_json, const std::string& next) {
    std::string body = "{\"items\":";
    body += items_json;
    body += ",\"next_cursor\":";
    body += next.empty() ? "null" : dump(nlohmann::json(next));
    body += '}';
    return json_response(200, std::move(body));
}

Decoded<Body> body_of(const RequestContext& ctx) {
    return Body::parse(ctx.request.header("content-type"), ctx.request.body,
                       ctx.options.max_body_bytes);
}

}  // namespace cyberalarm::server::api
