// Body: the strict JSON object decoder for request bodies (see internal/decode.h).
#include <algorithm>
#include <set>

#include "server/api/internal/decode.h"

namespace cyberalarm::server::api {

namespace {

using nlohmann::json;

bool is_json_type(std::string_view content_type) {
    const auto semi = content_type.find(';');
    std::string base(content_type.substr(0, semi));
    while (!base.empty() && base.back() == ' ') {
        base.pop_back();
    }
    std::transform(base.begin(), base.end(), base.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return base == "application/json";
}

bool printable(std::string_view s) {
    return std::none_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

// Parses with a callback that refuses duplicate keys and deep nesting, so that what a
// check saw is what the handler reads (nlohmann would keep the last duplicate silently).
struct StrictParse {
    std::vector<std::set<std::string>> keys;
    std::string problem;

    bool operator()(int depth, json::parse_event_t event, json& parsed) {
        if (!problem.empty()) {
            return false;
        }
        if (depth > static_cast<int>(kMaxJsonDepth)) {
            problem = "JSON nested deeper than " + std::to_string(kMaxJsonDepth);
            return false;
        }
        if (event == json::parse_event_t::object_start) {
            keys.emplace_back();
        } else if (event == json::parse_event_t::object_end && !keys.empty()) {
            keys.pop_back();
        } else if (event == json::parse_event_t::key && !keys.empty()) {
            const auto& key = parsed.get_ref<const std::string&>();
            if (!keys.back().insert(key).second) {
                problem = "duplicate key \"" + key.substr(0, 64) + "\"";
                return false;
            }
        }
        return true;
    }
};

std::string type_message(std::string_view name, std::string_view type) {
    return std::string(name) + ": must be " + std::string(type);
}

}  // namespace

Decoded<Body> Body::parse(std::string_view content_type, std::string_view text,
                          std::size_t max_bytes) {
    Body body;
    if (text.empty()) {
        return body;
    }
    if (text.size() > max_bytes) {
        return fail(ApiError{413, "payload_too_large",
                             "request body exceeds " + std::to_string(max_bytes) + " bytes", ""});
    }
    if (!is_json_type(content_type)) {
        return fail(ApiError{415, "unsupported_media_type",
                             "request body must be Content-Type: application/json", ""});
    }
    StrictParse strict;
    json j = json::parse(
        text, [&strict](int d, json::parse_event_t e, json& p) { return strict(d, e, p); },
        false);
    if (!strict.problem.empty()) {
        return fail(ApiError::bad_request("", "request body: " + strict.problem));
    }
    if (j.is_discarded()) {
        return fail(ApiError::bad_request("", "request body is not valid JSON"));
    }
    if (!j.is_object()) {
        return fail(ApiError::bad_request("", "request body must be a JSON object"));
    }
    body.object_ = std::move(j);
    return body;
}

Decoded<void> Body::only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : object_.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            const std::string name = key.substr(0, 64);
            return fail(ApiError::bad_request(name, name + ": unknown field"));
        }
    }
    return {};
}

bool Body::has(std::string_view name) const { return object_.contains(name); }

Decoded<std::string> Body::string(std::string_view name, std::size_t max_bytes) const {
    CA_API_TRY(value, optional_string(name, max_bytes));
    if (!value->has_value()) {
        return fail(ApiError::unprocessable(name, std::string(name) + ": required"));
    }
    return std::move(**value);
}

Decoded<std::optional<std::string>> Body::optional_text(std::string_view name,
                                                        std::size_t max_bytes) const {
    const auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_string()) {
        return fail(ApiError::unprocessable(name, type_message(name, "a string")));
    }
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes || !printable(s)) {
        return fail(ApiError::unprocessable(
            name, std::string(name) + ": at most " + std::to_string(max_bytes) +
                      " bytes without control characters"));
    }
    return s;
}

Decoded<std::optional<std::string>> Body::optional_string(std::string_view name,
                                                          std::size_t max_bytes) const {
    CA_API_TRY(value, optional_text(name, max_bytes));
    if (value->has_value() && (*value)->empty()) {
        return fail(ApiError::unprocessable(name, std::string(name) + ": must not be empty"));
    }
    return std::move(*value);
}

Decoded<std::optional<std::int64_t>> Body::integer(std::string_view name, std::int64_t min,
                                                   std::int64_t max) const {
    const auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) {
        return std::nullopt;
    }
    const std::string range = std::to_string(min) + "-" + std::to_string(max);
    if (!it->is_number_integer()) {
        return fail(ApiError::unprocessable(name, type_message(name, "an integer " + range)));
    }
    if (it->is_number_unsigned() &&
        it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
        return fail(ApiError::unprocessable(name, type_message(name, "an integer " + range)));
    }
    const auto n = it->get<std::int64_t>();
    if (n < min || n > max) {
        return fail(ApiError::unprocessable(name, type_message(name, "an integer " + range)));
    }
    return n;
}

Decoded<std::optional<bool>> Body::boolean(std::string_view name) const {
    const auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_boolean()) {
        return fail(ApiError::unprocessable(name, type_message(name, "true or false")));
    }
    return it->get<bool>();
}

Decoded<std::optional<std::int64_t>> Body::time(std::string_view name) const {
    const auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) {
        return std::nullopt;
    }
    std::optional<std::int64_t> ns;
    if (it->is_string()) {
        ns = parse_time(it->get_ref<const std::string&>());
    } else if (it->is_number_unsigned()) {
        const auto s = it->get<std::uint64_t>();
        ns = parse_time(std::to_string(s));
    }
    if (!ns) {
        return fail(ApiError::unprocessable(
            name, type_message(name, "an RFC 3339 time with a zone or Unix seconds")));
    }
    return *ns;
}

Decoded<std::optional<std::vector<std::string>>> Body::string_list(std::string_view name,
                                                                   std::size_t max_items,
                                                                   std::size_t max_bytes) const {
    const auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) {
        return std::nullopt;
    }
    const std::string what = "an array of 1-" + std::to_string(max_items) + " strings of 1-" +
                             std::to_string(max_bytes) + " bytes";
    if (!it->is_array() || it->empty() || it->size() > max_items) {
        return fail(ApiError::unprocessable(name, type_message(name, what)));
    }
    std::vector<std::string> out;
    for (const auto& item : *it) {
        if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
            item.get_ref<const std::string&>().size() > max_bytes ||
            !printable(item.get_ref<const std::string&>())) {
            return fail(ApiError::unprocessable(name, type_message(name, what)));
        }
        out.push_back(item.get<std::string>());
    }
    return out;
}

}  // namespace cyberalarm::server::api
