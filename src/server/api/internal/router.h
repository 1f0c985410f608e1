// The route table's types and matching: a route is a method, a pattern of literal segments
// and {params}, what the token must allow, a summary (the OpenAPI summary) and a handler.
//
// Matching splits the path on '/', percent-decodes each segment (strictly, see decode.h) and
// compares segment by segment; a {param} matches any non-empty segment. A path that matches
// a pattern under another method answers 405 with Allow.
//
// Thread safety: the table is immutable; matching is pure.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/internal/access.h"
#include "server/api/internal/decode.h"
#include "server/api/internal/reply.h"

namespace cyberalarm::server::api {

struct RequestContext;
using Handler = Reply (*)(RequestContext&);

struct Route {
    std::string_view method;
    std::string_view pattern;
    Need need;  // kNone: no authentication (GET /healthz only)
    std::string_view summary;
    Handler handler;
};

// Every route of the API (routes.cpp).
[[nodiscard]] std::span<const Route> route_table();

struct RouteMatch {
    const Route* route = nullptr;
    std::vector<std::string> params;  // decoded, in pattern order
};

// 404 for no pattern, 405 (with `allow` filled) for a pattern under other methods, 400 for a
// malformed segment.
[[nodiscard]] Decoded<RouteMatch> match_route(std::span<const Route> table,
                                              std::string_view method, std::string_view path,
                                              std::string& allow);

}  // namespace cyberalarm::server::api
