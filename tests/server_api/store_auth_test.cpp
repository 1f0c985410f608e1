// Authentication: every route but /healthz needs a valid bearer token; a client certificate
// is no credential; failures look alike, are audited without the token and rate-limited.
#include <gtest/gtest.h>

#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

// Login and password reset take no credential; without a valid body they do nothing and
// show nothing (their own tests cover what they do with one).
bool open_route(const std::string& method, const std::string& path) {
    return method == "POST" && (path == "/api/v1/session" || path == "/api/v1/password-reset" ||
                                path == "/api/v1/password-reset/complete");
}

TEST(ApiAuth, EveryRouteRejectsUnauthenticatedRequests) {
    World w;
    int checked = 0;
    int open = 0;
    for (const auto& [method, path] : w.concrete_routes(w.a)) {
        const auto r = w.call(method, path, "");
        if (path == "/healthz") {
            EXPECT_EQ(r.status, 200);
            continue;
        }
        if (open_route(method, path)) {
            ++open;
            EXPECT_GE(r.status, 400) << method << " " << path;
            EXPECT_EQ(header(r, "Set-Cookie"), "") << path;
            continue;
        }
        // A session cookie that is not a live session is no credential either.
        const auto cookie = w.call_with(method, path, {{"cookie", "ca_session=cas_" + std::string(64, '0')}});
        EXPECT_EQ(cookie.status, 401) << method << " " << path;
        ++checked;
        EXPECT_EQ(r.status, 401) << method << " " << path << ": " << r.body;
        EXPECT_EQ(header(r, "WWW-Authenticate").rfind("Bearer", 0), 0u) << path;
        EXPECT_EQ(w.json_of(r)["error"]["code"], "unauthenticated");
    }
    EXPECT_EQ(open, 3);
    EXPECT_EQ(checked + open + 1, static_cast<int>(w.api->routes().size()));
}

TEST(ApiAuth, HealthzSaysOnlyStatusAndStorage) {
    World w;
    const auto r = w.call("GET", "/healthz", "");
    ASSERT_EQ(r.status, 200);
    const auto j = w.json_of(r);
    EXPECT_EQ(j["status"], "ok");
    EXPECT_EQ(j["backend"], "sqlite");
    EXPECT_TRUE(j["schema_version"].is_number_integer());
    EXPECT_EQ(j.size(), 3u);
    EXPECT_EQ(r.body.find("Member"), std::string::npos);
    EXPECT_EQ(r.body.find(w.dir.path().string()), std::string::npos);
}

TEST(ApiAuth, ACollectorCertificateAloneReadsNothing) {
    World w;
    for (const auto& [method, path] : w.concrete_routes(w.a)) {
        if (path == "/healthz") {
            continue;
        }
        HttpRequest request;
        request.method = method;
        request.target = path;
        request.peer_address = "192.0.2.201";
        request.client_certificate = ClientCertificate{w.a.collector, "1f"};
        const auto r = w.api->handle(request);
        if (open_route(method, path)) {
            EXPECT_GE(r.status, 400) << method << " " << path;  // no body: nothing done
            EXPECT_EQ(header(r, "Set-Cookie"), "") << path;
        } else {
            EXPECT_EQ(r.status, 401) << method << " " << path;
        }
        EXPECT_EQ(r.body.find("Member A"), std::string::npos);
    }
}

TEST(ApiAuth, BadExpiredRevokedAndDisabledLookTheSame) {
    World w;
    const auto expired = w.token_for(w.viewer_a.id, "read", kT0 - kS);
    const auto revoked = w.token_for(w.viewer_a.id, "read");
    const auto tokens = w.store->list_api_tokens(w.viewer_a.id);
    ASSERT_TRUE(tokens);
    for (const auto& t : *tokens) {
        if (t.token_hash == store::token_hash(revoked)) {
            ASSERT_TRUE(w.store->revoke_api_token(t.id, kT0 - kS));
        }
    }
    const auto disabled_user = w.token_for(w.admin_b.id, "read");
    auto user = w.store->get_user(w.admin_b.id);
    ASSERT_TRUE(user);
    user->disabled_ns = kT0 - kS;
    ASSERT_TRUE(w.store->update_user(*user));

    const auto reference = w.call("GET", "/api/v1/me", "cat_" + std::string(64, '0'));
    ASSERT_EQ(reference.status, 401);
    for (const auto& token : {expired, revoked, disabled_user, std::string("garbage token"),
                              std::string("")}) {
        const auto r = w.call("GET", "/api/v1/me", token);
        EXPECT_EQ(r.status, 401) << token;
        EXPECT_EQ(r.body, reference.body);
    }
    HttpRequest basic;
    basic.method = "GET";
    basic.target = "/api/v1/me";
    basic.headers["authorization"] = "Basic dXNlcjpwYXNz";
    EXPECT_EQ(w.api->handle(basic).status, 401);
}

TEST(ApiAuth, FailuresAreAuditedWithThePeerNeverTheToken) {
    World w;
    const std::string guess = "cat_" + std::string(64, 'e');
    ASSERT_EQ(w.call("GET", "/api/v1/events?port=22", guess).status, 401);
    const auto failed = w.audit_with("auth_failed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].actor, "peer:192.0.2.200");
    EXPECT_NE(failed[0].detail.find("192.0.2.200"), std::string::npos);
    EXPECT_EQ(failed[0].target, "GET /api/v1/events");
    for (const auto& field : {failed[0].detail, failed[0].target, failed[0].actor}) {
        EXPECT_EQ(field.find(std::string(64, 'e')), std::string::npos);
        EXPECT_EQ(field.find(store::token_hash(guess)), std::string::npos);
    }
}

TEST(ApiAuth, RepeatedFailuresAreRateLimitedPerPeer) {
    World w(20);
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(w.call("GET", "/api/v1/me", "cat_bad").status, 401);
    }
    auto r = w.call("GET", "/api/v1/me", w.viewer_a.token);
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(w.json_of(r)["error"]["code"], "rate_limited");
    EXPECT_EQ(header(r, "Retry-After"), "60");
    w.now += 61 * kS;
    EXPECT_EQ(w.call("GET", "/api/v1/me", w.viewer_a.token).status, 200);
}

TEST(ApiAuth, AReadOnlyTokenCannotChangeAnything) {
    World w;
    const auto read_only = w.token_for(w.admin_a.id, "read");
    int writes = 0;
    for (const auto& [method, path] : w.concrete_routes(w.a)) {
        if (method == "GET" || open_route(method, path)) {
            continue;
        }
        ++writes;
        const auto r = w.call(method, path, read_only, R"({"name":"x"})");
        EXPECT_EQ(r.status, 403) << method << " " << path << ": " << r.body;
        EXPECT_EQ(w.json_of(r)["error"]["code"], "permission_denied");
    }
    EXPECT_GE(writes, 15);
    EXPECT_EQ(w.call("GET", "/api/v1/members/" + std::to_string(w.a.id) + "/assets", read_only)
                  .status,
              200);
    const auto assets = w.store->list_assets(store::Scope::service(), w.a.id);
    ASSERT_TRUE(assets);
    EXPECT_EQ(assets->size(), 1u);
}

TEST(ApiAuth, SecurityHeadersOnEveryAnswer) {
    World w;
    for (const auto& r : {w.call("GET", "/healthz", ""), w.call("GET", "/api/v1/me", ""),
                          w.call("GET", "/nope", ""), w.call("PUT", "/api/v1/me", ""),
                          w.call("GET", "/api/v1/me", w.viewer_a.token)}) {
        EXPECT_EQ(header(r, "Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
        EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
        EXPECT_EQ(header(r, "Cache-Control"), "no-store");
        EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
    }
}

}  // namespace
}  // namespace cyberalarm::server::api::test
