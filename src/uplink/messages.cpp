#include "uplink/messages.h"

#include <nlohmann/json.hpp>

namespace cyberalarm::uplink {

namespace {

using core::Error;
using core::fail;
using nlohmann::json;

// dump() throws on invalid UTF-8 by default; replace instead (an error text may quote input).
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<json> parse_object(std::string_view text, std::string_view what) {
    if (text.size() > kMaxMessageBytes) {
        return fail(Error::out_of_range(std::string(what) + " of " + std::to_string(text.size()) +
                                        " bytes exceeds " + std::to_string(kMaxMessageBytes)));
    }
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        return fail(Error::parse(std::string(what) + " is not valid JSON"));
    }
    if (!j.is_object()) {
        return fail(Error::parse(std::string(what) + " is not a JSON object"));
    }
    return j;
}

core::Result<std::uint64_t> get_count(const json& j, const char* key, bool required) {
    auto it = j.find(key);
    if (it == j.end()) {
        if (required) {
            return fail(Error::parse(std::string("missing \"") + key + "\"", key));
        }
        return 0;
    }
    if (!it->is_number_unsigned()) {
        return fail(
            Error::parse(std::string("\"") + key + "\" must be a non-negative integer", key));
    }
    return it->get<std::uint64_t>();
}

core::Result<std::string> get_string(const json& j, const char* key, std::size_t max_bytes) {
    auto it = j.find(key);
    if (it == j.end()) {
        return fail(Error::parse(std::string("missing \"") + key + "\"", key));
    }
    if (!it->is_string()) {
        return fail(Error::parse(std::string("\"") + key + "\" must be a string", key));
    }
    const auto& s = it->get_ref<const std::string&>();
    if (s.empty()) {
        return fail(Error::parse(std::string("\"") + key + "\" is empty", key));
    }
    if (s.size() > max_bytes) {
        return fail(Error::out_of_range(std::string("\"") + key + "\" is too long", key));
    }
    return s;
}

bool looks_like_pem(std::string_view s, std::string_view label) {
    std::string begin = "-----BEGIN " + std::string(label) + "-----";
    return s.find(begin) != std::string_view::npos;
}

}  // namespace

bool valid_collector_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxCollectorIdBytes) {
        return false;
    }
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string to_json(const BatchAck& ack) {
    json j = {{"acked_through", ack.acked_through},
              {"stored", ack.stored},
              {"duplicates", ack.duplicates},
              {"gap", ack.gap},
              {"malformed", ack.malformed}};
    return dump(j);
}

std::string to_json(const EnrollRequest& request) {
    return dump(json{{"token", request.token}, {"csr", request.csr_pem}});
}

std::string to_json(const EnrollResponse& response) {
    return dump(json{{"collector_id", response.collector_id},
                     {"certificate", response.certificate_pem},
                     {"ca", response.ca_pem}});
}

std::string error_json(std::string_view message) {
    return dump(json{{"error", std::string(message)}});
}

core::Result<BatchAck> parse_batch_ack(std::string_view text) {
    auto j = parse_object(text, "batch acknowledgement");
    if (!j) {
        return fail(std::move(j.error()));
    }
    BatchAck ack;
    auto through = get_count(*j, "acked_through", true);
    if (!through) {
        return fail(std::move(through.error()));
    }
    ack.acked_through = *through;
    // The counters are informational; a server may leave any of them out.
    for (auto [key, field] :
         {std::pair{"stored", &ack.stored}, std::pair{"duplicates", &ack.duplicates},
          std::pair{"gap", &ack.gap}, std::pair{"malformed", &ack.malformed}}) {
        auto v = get_count(*j, key, false);
        if (!v) {
            return fail(std::move(v.error()));
        }
        *field = *v;
    }
    return ack;
}

core::Result<EnrollRequest> parse_enroll_request(std::string_view text) {
    auto j = parse_object(text, "enrollment request");
    if (!j) {
        return fail(std::move(j.error()));
    }
    EnrollRequest r;
    auto token = get_string(*j, "token", kMaxTokenBytes);
    if (!token) {
        return fail(std::move(token.error()));
    }
    auto csr = get_string(*j, "csr", kMaxMessageBytes);
    if (!csr) {
        return fail(std::move(csr.error()));
    }
    if (!looks_like_pem(*csr, "CERTIFICATE REQUEST")) {
        return fail(Error::parse("\"csr\" is not a PEM certificate request", "csr"));
    }
    r.token = std::move(*token);
    r.csr_pem = std::move(*csr);
    return r;
}

core::Result<EnrollResponse> parse_enroll_response(std::string_view text) {
    auto j = parse_object(text, "enrollment response");
    if (!j) {
        return fail(std::move(j.error()));
    }
    EnrollResponse r;
    auto id = get_string(*j, "collector_id", kMaxCollectorIdBytes);
    if (!id) {
        return fail(std::move(id.error()));
    }
    if (!valid_collector_id(*id)) {
        return fail(
            Error::parse("\"collector_id\" has characters outside [A-Za-z0-9._-]", "collector_id"));
    }
    auto cert = get_string(*j, "certificate", kMaxMessageBytes);
    if (!cert) {
        return fail(std::move(cert.error()));
    }
    auto ca = get_string(*j, "ca", kMaxMessageBytes);
    if (!ca) {
        return fail(std::move(ca.error()));
    }
    if (!looks_like_pem(*cert, "CERTIFICATE") || !looks_like_pem(*ca, "CERTIFICATE")) {
        return fail(Error::parse("\"certificate\" and \"ca\" must be PEM certificates"));
    }
    r.collector_id = std::move(*id);
    r.certificate_pem = std::move(*cert);
    r.ca_pem = std::move(*ca);
    return r;
}

std::string parse_error_message(std::string_view body) {
    if (body.size() <= kMaxMessageBytes) {
        json j = json::parse(body, nullptr, false);
        if (j.is_object()) {
            auto it = j.find("error");
            if (it != j.end() && it->is_string()) {
                return it->get<std::string>().substr(0, 200);
            }
        }
    }
    std::string s(body.substr(0, 200));
    for (char& c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            c = '?';
        }
    }
    return s;
}

}  // namespace cyberalarm::uplink
