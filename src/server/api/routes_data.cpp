// Routes that read member data: events (search and summary) and findings. Each read is
// audited per member covered, with the caller's basis (role or grant) and the filters.
#include "server/api/internal/service.h"
#include "server/api/internal/views.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

constexpr std::array kCategories = {core::Category::kFirewall, core::Category::kIds,
                                    core::Category::kAv,       core::Category::kSpam,
                                    core::Category::kAuth,     core::Category::kFlow};
constexpr std::array kActions = {core::Action::kAllow, core::Action::kDeny, core::Action::kDrop,
                                 core::Action::kReject, core::Action::kAlert,
                                 core::Action::kUnknown};
constexpr std::array kSeverities = {core::Severity::kInfo, core::Severity::kLow,
                                    core::Severity::kMedium, core::Severity::kHigh,
                                    core::Severity::kCritical};
constexpr std::array kStatuses = {store::FindingStatus::kOpen,
                                  store::FindingStatus::kAcknowledged,
                                  store::FindingStatus::kResolved};
constexpr std::array kKinds = {
    detect::FindingKind::kPortScan,  detect::FindingKind::kHostSweep,
    detect::FindingKind::kBruteForce, detect::FindingKind::kFlood,
    detect::FindingKind::kExposure,  detect::FindingKind::kKnownBad,
    detect::FindingKind::kBeaconing, detect::FindingKind::kIdsAlert,
    detect::FindingKind::kAvAlert,   detect::FindingKind::kSpam};

constexpr std::int64_t kNs = 1'000'000'000;

// A store error about a query: a cursor it refuses is the client's (400 naming "cursor").
ApiError query_error(const core::Error& error) {
    ApiError e = ApiError::from(error, "member");
    if (e.status == 400 && e.field.empty()) {
        e.field = "cursor";
        e.message = "cursor: not a cursor of this query (" + error.message() + ")";
    }
    return e;
}

// The filters events and summaries share.
Decoded<store::EventQuery> event_query(const RequestContext& ctx) {
    store::EventQuery q;
    CA_API_TRY(member, ctx.query.integer("member", 1, INT64_MAX));
    if (*member) {
        CA_API_TRY(m, member_in(ctx.access.data, **member));
        q.member = *m;
    }
    CA_API_TRY(from, ctx.query.time("from"));
    CA_API_TRY(to, ctx.query.time("to"));
    q.from_ns = from->value_or(0);
    q.to_ns = to->value_or(store::kForever);
    if (q.from_ns >= q.to_ns) {
        return fail(ApiError::bad_request("to", "to: must be after from"));
    }
    CA_API_TRY(address, ctx.query.address("address"));
    CA_API_TRY(port, ctx.query.port("port"));
    CA_API_TRY(category, ctx.query.choice("category", kCategories));
    CA_API_TRY(action, ctx.query.choice("action", kActions));
    q.address = *address;
    q.port = *port;
    q.category = *category;
    q.action = *action;
    return q;
}

// The finding /members/{member}/findings/{id} names, if the caller reads that member.
Decoded<store::FindingRecord> path_finding(const RequestContext& ctx) {
    CA_API_TRY(allowed, ctx.query.only({}));
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(member, id_param(ctx, 0, "finding"));
    if (!ctx.access.data.allows(*member)) {
        return fail(ApiError::not_found("finding"));
    }
    CA_STORE_TRY(record, ctx.store.get_finding(ctx.access.data, *member, ctx.params.at(1)),
                 "finding");
    return std::move(*record);
}

}  // namespace

Reply search_events(RequestContext& ctx) {
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(allowed, ctx.query.only({"member", "from", "to", "address", "port", "category",
                                        "action", "limit", "cursor"}));
    CA_API_TRY(q, event_query(ctx));
    CA_API_TRY(limit, ctx.query.limit(ctx.options.default_page_size, ctx.options.max_page_size));
    q->limit = *limit;
    CA_API_TRY(cursor, ctx.query.text("cursor", kMaxParamValueBytes));
    q->cursor = cursor->value_or("");
    auto page = ctx.store.search_events(ctx.access.data, *q);
    if (!page) {
        return fail(query_error(page.error()));
    }
    CA_API_TRY(logged, audit_members(ctx, "read", covered(ctx.access.data, q->member), "events",
                                     ctx.query.describe()));
    core::EcsWriter writer;
    std::string items = "[";
    for (const auto& record : page->items) {
        if (items.size() > 1) {
            items += ',';
        }
        append_event_json(writer, record, items);
    }
    items += ']';
    return page_response(std::move(items), page->next_cursor);
}

Reply summarize_events(RequestContext& ctx) {
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(allowed, ctx.query.only({"member", "from", "to", "address", "port", "category",
                                        "action", "bucket", "top"}));
    CA_API_TRY(q, event_query(ctx));
    CA_API_TRY(bucket, ctx.query.integer("bucket", 60, 31 * 86400));
    CA_API_TRY(top, ctx.query.integer("top", 1, 100));
    if (!ctx.query.raw("to")) {
        q->to_ns = ctx.now_ns;
    }
    if (!ctx.query.raw("from")) {
        q->from_ns = q->to_ns - 86400 * kNs;
    }
    const std::int64_t bucket_ns = bucket->value_or(3600) * kNs;
    if ((q->to_ns - q->from_ns) / bucket_ns > 10000) {
        return fail(ApiError::bad_request("bucket", "bucket: more than 10000 buckets in range"));
    }
    auto summary = ctx.store.summarize_events(ctx.access.data, *q, bucket_ns,
                                              static_cast<std::size_t>(top->value_or(10)));
    if (!summary) {
        return fail(query_error(summary.error()));
    }
    CA_API_TRY(logged, audit_members(ctx, "read", covered(ctx.access.data, q->member),
                                     "events-summary", ctx.query.describe()));
    json sources = json::array();
    for (const auto& [ip, count] : summary->top_sources) {
        sources.push_back({{"ip", ip.to_string()}, {"count", count}});
    }
    json ports = json::array();
    for (const auto& [port, count] : summary->top_ports) {
        ports.push_back({{"port", port}, {"count", count}});
    }
    json buckets = json::array();
    for (const auto& [start, count] : summary->per_bucket) {
        buckets.push_back({{"start", time_json(start)}, {"count", count}});
    }
    return json_response(200, json{{"events", summary->events},
                                   {"denied", summary->denied},
                                   {"top_sources", std::move(sources)},
                                   {"top_ports", std::move(ports)},
                                   {"per_bucket", std::move(buckets)}});
}

Reply search_findings(RequestContext& ctx) {
    CA_API_TRY(op, refuse_operator(ctx));
    CA_API_TRY(allowed, ctx.query.only({"member", "kind", "min_severity", "status", "address",
                                        "port", "from", "to", "limit", "cursor"}));
    store::FindingQuery q;
    CA_API_TRY(member, ctx.query.integer("member", 1, INT64_MAX));
    if (*member) {
        CA_API_TRY(m, member_in(ctx.access.data, **member));
        q.member = *m;
    }
    CA_API_TRY(kind, ctx.query.choice("kind", kKinds));
    CA_API_TRY(severity, ctx.query.choice("min_severity", kSeverities));
    CA_API_TRY(status, ctx.query.choice("status", kStatuses));
    CA_API_TRY(address, ctx.query.address("address"));
    CA_API_TRY(port, ctx.query.port("port"));
    CA_API_TRY(from, ctx.query.time("from"));
    CA_API_TRY(to, ctx.query.time("to"));
    CA_API_TRY(limit, ctx.query.limit(ctx.options.default_page_size, ctx.options.max_page_size));
    CA_API_TRY(cursor, ctx.query.text("cursor", kMaxParamValueBytes));
    q.kind = *kind;
    q.min_severity = *severity;
    q.status = *status;
    q.address = *address;
    q.port = *port;
    q.from_ns = from->value_or(0);
    q.to_ns = to->value_or(store::kForever);
    if (q.from_ns >= q.to_ns) {
        return fail(ApiError::bad_request("to", "to: must be after from"));
    }
    q.limit = *limit;
    q.cursor = cursor->value_or("");
    auto page = ctx.store.search_findings(ctx.access.data, q);
    if (!page) {
        return fail(query_error(page.error()));
    }
    CA_API_TRY(logged, audit_members(ctx, "read", covered(ctx.access.data, q.member), "findings",
                                     ctx.query.describe()));
    std::string items = "[";
    for (const auto& record : page->items) {
        if (items.size() > 1) {
            items += ',';
        }
        append_finding_json(record, items);
    }
    items += ']';
    return page_response(std::move(items), page->next_cursor);
}

Reply get_finding(RequestContext& ctx) {
    CA_API_TRY(record, path_finding(ctx));
    CA_API_TRY(logged, audit(ctx, "read", record->member,
                             "finding:" + record->finding.id.substr(0, 200), ""));
    std::string body;
    append_finding_json(*record, body);
    return json_response(200, std::move(body));
}

Reply patch_finding(RequestContext& ctx) {
    CA_API_TRY(before, path_finding(ctx));
    CA_API_TRY(member, manageable(ctx, before->member));
    CA_API_TRY(body, body_of(ctx));
    CA_API_TRY(fields, body->only({"status"}));
    CA_API_TRY(status_text, body->string("status", 16));
    const auto status = store::finding_status_from_string(*status_text);
    if (!status) {
        return fail(ApiError::unprocessable("status", "status: one of open, acknowledged, resolved"));
    }
    CA_STORE_TRY(set, ctx.store.set_finding_status(ctx.access.manage, *member, before->finding.id,
                                                   *status, ctx.now_ns),
                 "finding");
    CA_API_TRY(logged, audit(ctx, "update", *member, "finding:" + before->finding.id.substr(0, 200),
                             "status=" + std::string(store::to_string(*status))));
    CA_STORE_TRY(after, ctx.store.get_finding(ctx.access.data, *member, before->finding.id),
                 "finding");
    std::string out;
    append_finding_json(*after, out);
    return json_response(200, std::move(out));
}

}  // namespace cyberalarm::server::api
