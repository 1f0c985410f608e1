#include "server/api/internal/reply.h"

#include "core/time.h"

namespace cyberalarm::server::api {

namespace {

ApiError make(int status, std::string_view code, std::string_view message,
              std::string_view field = {}) {
    return ApiError{status, std::string(code), std::string(message), std::string(field)};
}

}  // namespace

ApiError ApiError::bad_request(std::string_view field, std::string_view message) {
    return make(400, "invalid_argument", message, field);
}

ApiError ApiError::unprocessable(std::string_view field, std::string_view message) {
    return make(422, "invalid_value", message, field);
}

ApiError ApiError::not_found(std::string_view what) {
    return make(404, "not_found", "no such " + std::string(what));
}

ApiError ApiError::forbidden(std::string_view message) {
    return make(403, "permission_denied", message);
}

ApiError ApiError::conflict(std::string_view message) {
    return make(409, "already_exists", message);
}

ApiError ApiError::unavailable(std::string_view message) {
    return make(503, "unavailable", message);
}

ApiError ApiError::internal() {
    return make(500, "internal", "internal error; the server's log has the details");
}

ApiError ApiError::from(const core::Error& error, std::string_view what) {
    using core::ErrorCode;
    switch (error.code()) {
        case ErrorCode::kNotFound:
            return not_found(what);
        case ErrorCode::kAlreadyExists:
            return conflict(std::string(what) + " already exists");
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kParse:
        case ErrorCode::kOutOfRange:
        case ErrorCode::kUnsupported:
            return bad_request(error.field(), error.message());
        case ErrorCode::kPermissionDenied:
            return forbidden("not allowed on this " + std::string(what));
        case ErrorCode::kUnavailable:
            return unavailable("storage is busy; retry shortly");
        case ErrorCode::kUnauthenticated:
            return make(401, "unauthenticated", "authentication required");
        default:
            return internal();
    }
}

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse json_response(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.content_type = "application/json";
    response.body = std::move(body);
    return response;
}

HttpResponse json_response(int status, const nlohmann::json& body) {
    return json_response(status, dump(body));
}

HttpResponse no_content() {
    HttpResponse response;
    response.status = 204;
    response.content_type.clear();
    return response;
}

HttpResponse error_response(const ApiError& error) {
    nlohmann::json inner = {{"code", error.code}, {"message", error.message}};
    if (!error.field.empty()) {
        inner["field"] = error.field;
    }
    return json_response(error.status, nlohmann::json{{"error", std::move(inner)}});
}

void add_security_headers(HttpResponse& response) {
    response.headers.emplace_back("Content-Security-Policy",
                                  "default-src 'none'; frame-ancestors 'none'");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

nlohmann::json time_json(std::int64_t ns) {
    if (ns == 0) {
        return nullptr;
    }
    return core::format_iso8601(ns);
}

}  // namespace cyberalarm::server::api
