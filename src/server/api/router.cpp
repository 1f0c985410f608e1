#include "server/api/internal/router.h"

namespace cyberalarm::server::api {

namespace {

std::vector<std::string_view> split(std::string_view path) {
    std::vector<std::string_view> out;
    path.remove_prefix(1);  // the leading '/'
    while (true) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return out;
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Segments of `pattern` matched against the decoded path; params appended on success.
bool matches(std::string_view pattern, const std::vector<std::string>& segments,
             std::vector<std::string>& params) {
    const auto parts = split(pattern);
    if (parts.size() != segments.size()) {
        return false;
    }
    std::vector<std::string> found;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (is_param(parts[i])) {
            if (segments[i].empty()) {
                return false;
            }
            found.push_back(segments[i]);
        } else if (parts[i] != segments[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

}  // namespace

Decoded<RouteMatch> match_route(std::span<const Route> table, std::string_view method,
                                std::string_view path, std::string& allow) {
    allow.clear();
    if (path.empty() || path.front() != '/') {
        return fail(ApiError::not_found("route"));
    }
    std::vector<std::string> segments;
    for (const auto raw : split(path)) {
        auto decoded = percent_decode(raw, false);
        if (!decoded || decoded->size() > kMaxSegmentBytes ||
            decoded->find('/') != std::string::npos) {
            return fail(ApiError::bad_request("path", "malformed path segment"));
        }
        segments.push_back(std::move(*decoded));
    }
    RouteMatch match;
    for (const auto& route : table) {
        std::vector<std::string> params;
        if (!matches(route.pattern, segments, params)) {
            continue;
        }
        if (route.method == method) {
            match.route = &route;
            match.params = std::move(params);
            return match;
        }
        if (allow.find(route.method) == std::string::npos) {
            allow += allow.empty() ? "" : ", ";
            allow += route.method;
        }
    }
    if (!allow.empty()) {
        return fail(ApiError{405, "method_not_allowed",
                             std::string(method.substr(0, 16)) + " is not allowed here; allowed: " + allow,
                             ""});
    }
    return fail(ApiError::not_found("route"));
}

}  // namespace cyberalarm::server::api
