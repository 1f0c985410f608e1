// The REST API's decoders of untrusted input (src/server/api/internal/decode.h, router.h):
// the query string, path segments and JSON bodies must accept or refuse any bytes without
// throwing, and whatever they accept must be clean — no control characters or invalid
// UTF-8 in a decoded value, a port in range, a time in [1970, 2200).
//
// Also the Cookie header's parser and the opening of sealed TOTP seeds (the whole input).
//
// Input layout: the first line is a request target (path and query), the rest a JSON body.
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "core/time.h"
#include "fuzz_common.h"
#include "server/api/audit_chain.h"
#include "server/api/internal/decode.h"
#include "server/api/internal/people.h"
#include "server/api/internal/router.h"

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz_api_decode: %s\n", what);
    std::abort();
}

bool clean(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

void query(std::string_view text) {
    using namespace cyberalarm::server::api;
    auto q = QueryParams::parse(text);
    if (!q) {
        return;
    }
    if (q->items().size() > kMaxQueryParams) {
        die("too many parameters accepted");
    }
    for (const auto& [name, value] : q->items()) {
        if (!clean(name) || !clean(value) || value.size() > kMaxParamValueBytes) {
            die("unclean parameter accepted");
        }
        if (auto port = q->port(name); port && *port && **port == 0) {
            die("port 0 accepted");
        }
        if (auto t = q->time(name); t && *t && (**t < 0 || **t >= cyberalarm::core::kMaxTimeNs)) {
            die("time out of range accepted");
        }
        (void)q->address(name);
        (void)q->integer(name, 1, 1000);
    }
    (void)q->limit(100, 1000);
    (void)q->only({"member", "port"});
    (void)q->describe();
}

void path(std::string_view text) {
    using namespace cyberalarm::server::api;
    std::string allow;
    auto m = match_route(route_table(), "GET", text, allow);
    if (m) {
        for (const auto& p : m->params) {
            if (p.empty() || !clean(p) || p.find('/') != std::string::npos) {
                die("unclean path parameter accepted");
            }
        }
    }
}

void body(std::string_view text) {
    using namespace cyberalarm::server::api;
    auto b = Body::parse("application/json", text, 64 * 1024);
    if (!b) {
        return;
    }
    for (const char* name : {"name", "kind", "value", "password", "status"}) {
        if (auto s = b->optional_text(name, 256); s && *s && !clean(**s)) {
            die("unclean body string accepted");
        }
    }
    (void)b->integer("member", 1, INT64_MAX);
    (void)b->boolean("disabled");
    (void)b->time("expires");
    (void)b->string_list("targets", 64, 253);
    (void)b->only({"name"});
}

// The Cookie header (session cookie) and sealed secrets: any bytes, no crash; a value taken
// from a cookie is only token characters.
void cookie_and_sealed(std::string_view text) {
    using namespace cyberalarm::server::api;
    const auto v = cookie_value(text, kSessionCookie);
    for (const char c : v) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
            die("non-token cookie value accepted");
        }
    }
    static const SecretKey key{};
    if (unseal(key, text)) {
        die("a sealed secret opened without having been sealed");
    }
    (void)verify_signature(text.substr(0, 64), text, text.substr(64 % (text.size() + 1)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    const auto target = input.substr(0, newline);
    const auto rest = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
    const auto qmark = target.find('?');
    path(target.substr(0, qmark));
    query(qmark == std::string_view::npos ? target : target.substr(qmark + 1));
    body(rest);
    cookie_and_sealed(input);
    (void)cyberalarm::server::api::percent_decode(input, true);
    (void)cyberalarm::server::api::parse_time(target);
    return 0;
}
