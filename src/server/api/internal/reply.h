// How the API answers: ApiError (an HTTP status, a stable code, a message for the client and
// the field at fault), JSON bodies, the security headers every response carries, and times
// as RFC 3339 text.
//
// Error bodies: {"error":{"code":"invalid_argument","message":"port: must be 1-65535",
// "field":"port"}}. Messages never quote stored secrets; a 404 body depends only on what kind
// of object was asked for, so another member's object and a missing one answer the same.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "core/result.h"
#include "server/api/http.h"

namespace cyberalarm::server::api {

struct ApiError {
    int status = 500;
    std::string code;  // "invalid_argument", "not_found" …
    std::string message;
    std::string field;  // "" when not about one field

    [[nodiscard]] static ApiError bad_request(std::string_view field, std::string_view message);
    // A body field that is well-formed JSON but not an acceptable value (422).
    [[nodiscard]] static ApiError unprocessable(std::string_view field, std::string_view message);
    [[nodiscard]] static ApiError not_found(std::string_view what);  // "no such <what>"
    [[nodiscard]] static ApiError forbidden(std::string_view message);
    [[nodiscard]] static ApiError conflict(std::string_view message);
    [[nodiscard]] static ApiError unavailable(std::string_view message);
    [[nodiscard]] static ApiError internal();
    // Maps a store or decoder error: kNotFound → not_found(what) (the store's own text is
    // dropped so it cannot tell cases apart), kAlreadyExists → 409, kInvalidArgument/kParse/
    // kOutOfRange → 400 naming the field, kPermissionDenied → 403, kUnavailable → 503, the
    // rest → 500 with a generic message.
    [[nodiscard]] static ApiError from(const core::Error& error, std::string_view what);
};

using Reply = tl::expected<HttpResponse, ApiError>;

inline tl::unexpected<ApiError> fail(ApiError error) {
    return tl::unexpected<ApiError>(std::move(error));
}

// dump() that never throws on invalid UTF-8 (replaces it).
[[nodiscard]] std::string dump(const nlohmann::json& j);

[[nodiscard]] HttpResponse json_response(int status, const nlohmann::json& body);
[[nodiscard]] HttpResponse json_response(int status, std::string body);
// 204 without a body.
[[nodiscard]] HttpResponse no_content();
[[nodiscard]] HttpResponse error_response(const ApiError& error);
// Adds the headers every answer carries (CSP, nosniff, no-store, no-referrer).
void add_security_headers(HttpResponse& response);

// RFC 3339 UTC text for a stamp; null for 0 ("never").
[[nodiscard]] nlohmann::json time_json(std::int64_t ns);

}  // namespace cyberalarm::server::api

// Returns the ApiError of a failed Reply-like expression from the enclosing function.
#define CA_API_TRY(var, expr)                                           \
    auto var = (expr);                                                  \
    if (!var) {                                                         \
        return ::cyberalarm::server::api::fail(std::move(var.error())); \
    }

// Likewise for a core::Result or core::Status from the store: the error is mapped by
// ApiError::from with `what` naming the object ("asset", "collector" …).
#define CA_STORE_TRY(var, expr, what)                                                    \
    auto var = (expr);                                                                   \
    if (!var) {                                                                          \
        return ::cyberalarm::server::api::fail(                                          \
            ::cyberalarm::server::api::ApiError::from(var.error(), what));               \
    }
