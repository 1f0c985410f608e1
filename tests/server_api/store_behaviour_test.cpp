// What the routes do for those allowed: pagination, filters, errors, audit, users, tokens,
// collectors, assets, scans, reports and findings.
#include <gtest/gtest.h>

#include <set>

#include "server/api/secrets.h"
#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

std::size_t count(World& w, const std::string& target, const std::string& token) {
    const auto r = w.call("GET", target, token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return w.json_of(r)["items"].size();
}

TEST(ApiBehaviour, EventsPageThroughEverythingOnce) {
    World w;
    std::set<std::int64_t> ids;
    std::string target = "/api/v1/events?limit=2";
    int pages = 0;
    while (true) {
        const auto j = w.json_of(w.call("GET", target, w.viewer_a.token));
        ASSERT_TRUE(j["items"].is_array());
        EXPECT_LE(j["items"].size(), 2u);
        for (const auto& item : j["items"]) {
            EXPECT_TRUE(ids.insert(item["id"].get<std::int64_t>()).second);
            EXPECT_TRUE(item["event"]["destination"]["port"].is_number());
            EXPECT_TRUE(item["event"]["source"]["ip"].is_string());
            EXPECT_EQ(item["collector_id"], w.a.collector);
        }
        ++pages;
        if (j["next_cursor"].is_null()) {
            break;
        }
        target = "/api/v1/events?limit=2&cursor=" + j["next_cursor"].get<std::string>();
        ASSERT_LT(pages, 10);
    }
    EXPECT_EQ(ids.size(), w.a.events);
    EXPECT_EQ(pages, 3);
}

TEST(ApiBehaviour, EventAndFindingFilters) {
    World w;
    const auto& t = w.viewer_a.token;
    EXPECT_EQ(count(w, "/api/v1/events?port=22", t), 2u);
    EXPECT_EQ(count(w, "/api/v1/events?address=198.51.100.3", t), 1u);
    EXPECT_EQ(count(w, "/api/v1/events?address=192.0.2.11", t), 2u);
    EXPECT_EQ(count(w, "/api/v1/events?action=drop", t), 1u);
    EXPECT_EQ(count(w, "/api/v1/events?category=ids", t), 0u);
    const auto from = std::to_string((kT0 - 2500 * kS) / kS);
    EXPECT_EQ(count(w, "/api/v1/events?from=" + from + "&to=2026-01-01T23:45:00Z", t), 3u);
    EXPECT_EQ(count(w, "/api/v1/findings?kind=port_scan&status=open&min_severity=high", t), 1u);
    EXPECT_EQ(count(w, "/api/v1/findings?kind=brute_force", t), 0u);
    EXPECT_EQ(count(w, "/api/v1/findings?min_severity=critical", t), 0u);
    EXPECT_EQ(count(w, "/api/v1/findings?address=198.51.100.1&port=22", t), 1u);
}

TEST(ApiBehaviour, ClearErrors) {
    World w;
    const auto& t = w.viewer_a.token;
    auto r = w.call("GET", "/api/v1/events?port=0", t);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body,
              R"({"error":{"code":"invalid_argument","field":"port","message":"port: must be 1-65535"}})");
    EXPECT_EQ(w.json_of(w.call("GET", "/api/v1/events?prot=22", t))["error"]["field"], "prot");
    EXPECT_EQ(w.json_of(w.call("GET", "/api/v1/events?from=yesterday", t))["error"]["field"], "from");
    EXPECT_EQ(w.call("GET", "/api/v1/events?from=10&to=5", t).status, 400);
    r = w.call("GET", "/api/v1/nothing-here", t);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(w.json_of(r)["error"]["code"], "not_found");
    r = w.call("DELETE", "/api/v1/events", t);
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(header(r, "Allow"), "GET");
    const std::string assets = "/api/v1/members/" + std::to_string(w.a.id) + "/assets";
    HttpRequest text;
    text.method = "POST";
    text.target = assets;
    text.headers = {{"authorization", "Bearer " + w.admin_a.token}, {"content-type", "text/plain"}};
    text.body = "kind=network";
    EXPECT_EQ(w.api->handle(text).status, 415);
    EXPECT_EQ(w.call("POST", assets, w.admin_a.token, std::string(70000, ' ')).status, 413);
    EXPECT_EQ(w.call("POST", assets, w.admin_a.token, "{\"kind\":").status, 400);
    r = w.call("POST", assets, w.admin_a.token, R"({"kind":"planet","value":"x"})");
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(w.json_of(r)["error"]["field"], "kind");
    r = w.call("POST", "/api/v1/users", w.admin_a.token,
               R"({"email":"VIEWER@a.example","role":"member_viewer","password":"long enough pw 1"})");
    EXPECT_EQ(r.status, 409);
}

TEST(ApiBehaviour, ReadsAreAuditedAndMemberAdminsSeeThem) {
    World w;
    ASSERT_EQ(w.call("GET", "/api/v1/events?port=22", w.viewer_a.token).status, 200);
    const auto audit = w.json_of(w.call("GET", "/api/v1/audit", w.admin_a.token));
    bool found = false;
    for (const auto& r : audit["items"]) {
        if (r["actor"] == "user:" + std::to_string(w.viewer_a.id) && r["target"] == "events") {
            found = true;
            EXPECT_EQ(r["action"], "read");
            EXPECT_EQ(r["member"], w.a.id);
            EXPECT_NE(r["detail"].get<std::string>().find("role:member_viewer"), std::string::npos);
            EXPECT_NE(r["detail"].get<std::string>().find("port=22"), std::string::npos);
        }
        EXPECT_EQ(r["member"], w.a.id);  // only its own member's records
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(w.call("GET", "/api/v1/audit", w.viewer_a.token).status, 403);
    EXPECT_EQ(w.call("GET", "/api/v1/audit?member=" + std::to_string(w.b.id), w.admin_a.token).status,
              404);
    const auto all = w.json_of(w.call("GET", "/api/v1/audit?limit=1000", w.op.token));
    std::set<std::int64_t> members;
    for (const auto& r : all["items"]) {
        members.insert(r["member"].get<std::int64_t>());
    }
    EXPECT_TRUE(members.count(w.b.id));  // B's enrollment token, made in the world
    // Pages of the audit log.
    const auto page = w.json_of(w.call("GET", "/api/v1/audit?limit=1", w.op.token));
    ASSERT_EQ(page["items"].size(), 1u);
    ASSERT_TRUE(page["next_cursor"].is_string());
    const auto next = w.json_of(w.call(
        "GET", "/api/v1/audit?limit=1&cursor=" + page["next_cursor"].get<std::string>(), w.op.token));
    EXPECT_GT(next["items"][0]["seq"].get<std::int64_t>(), page["items"][0]["seq"].get<std::int64_t>());
}

TEST(ApiBehaviour, UsersAreManagedWithinTheirReach) {
    World w;
    const auto stored = w.store->find_user_by_email("new@a.example");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->password_hash.rfind("$argon2id$", 0), 0u);
    EXPECT_TRUE(verify_password(stored->password_hash, kPlantedPassword));
    auto r = w.call("POST", "/api/v1/users", w.admin_a.token,
                    R"({"email":"x@a.example","role":"operator","password":"long enough pw 1"})");
    EXPECT_EQ(r.status, 403);
    r = w.call("POST", "/api/v1/users", w.admin_a.token,
               nlohmann::json{{"email", "x@b.example"}, {"role", "member_viewer"},
                              {"tenant", w.b.id}, {"password", "long enough pw 1"}}
                   .dump());
    EXPECT_EQ(r.status, 404);
    r = w.call("POST", "/api/v1/users", w.admin_a.token,
               R"({"email":"x@a.example","role":"member_viewer","password":"short"})");
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(w.json_of(r)["error"]["field"], "password");
    EXPECT_EQ(w.call("PATCH", "/api/v1/users/" + std::to_string(w.admin_b.id), w.admin_a.token,
                     R"({"disabled":true})")
                  .status,
              404);
    r = w.call("PATCH", "/api/v1/users/" + std::to_string(w.viewer_a.id), w.admin_a.token,
               R"({"disabled":true})");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(w.call("GET", "/api/v1/me", w.viewer_a.token).status, 401);
    const auto users = w.json_of(w.call("GET", "/api/v1/users", w.admin_a.token));
    EXPECT_EQ(users["items"].size(), 4u);  // admin, viewer, the TOTP admin, new
    EXPECT_EQ(w.call("GET", "/api/v1/users", w.force_analyst.token).status, 403);
}

TEST(ApiBehaviour, ApiTokensAreShownOnceAndAlwaysExpire) {
    World w;
    auto r = w.call("POST", "/api/v1/tokens", w.admin_a.token,
                    R"({"label":"ci","scopes":["read"]})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto made = w.json_of(r);
    const std::string token = made["token"];
    EXPECT_EQ(token.rfind("cat_", 0), 0u);
    EXPECT_TRUE(made["expires"].is_string());
    EXPECT_EQ(w.call("GET", "/api/v1/me", token).status, 200);
    const auto list = w.call("GET", "/api/v1/tokens", w.admin_a.token);
    EXPECT_EQ(list.body.find(token.substr(4)), std::string::npos);
    EXPECT_EQ(w.json_of(list)["items"].size(), 2u);
    r = w.call("POST", "/api/v1/tokens", w.admin_a.token,
               R"({"label":"forever","expires":"2099-01-01T00:00:00Z"})");
    EXPECT_EQ(r.status, 422);
    const auto writer = w.token_for(w.admin_a.id, "read write");
    EXPECT_EQ(w.call("POST", "/api/v1/tokens", writer, R"({"label":"up","scopes":["admin"]})").status,
              403);
    const std::string id = std::to_string(made["id"].get<std::int64_t>());
    EXPECT_EQ(w.call("DELETE", "/api/v1/tokens/" + id, w.admin_b.token).status, 404);
    EXPECT_EQ(w.call("DELETE", "/api/v1/tokens/" + id, w.admin_a.token).status, 204);
    EXPECT_EQ(w.call("GET", "/api/v1/me", token).status, 401);
}

TEST(ApiBehaviour, CollectorsAndEnrollmentTokens) {
    World w;
    const auto c = w.json_of(w.call("GET", "/api/v1/collectors/" + w.a.collector, w.viewer_a.token));
    EXPECT_EQ(c["status"], "active");
    EXPECT_EQ(c["events_total"], w.a.events);
    EXPECT_TRUE(c["last_seen"].is_string());
    EXPECT_TRUE(c.contains("cert_not_after"));
    EXPECT_EQ(w.call("POST", "/api/v1/collectors/" + w.a.collector + "/revoke", w.viewer_a.token)
                  .status,
              403);
    const auto tokens = w.call("GET", "/api/v1/enroll-tokens", w.admin_b.token);
    EXPECT_EQ(w.json_of(tokens)["items"].size(), 1u);
    EXPECT_EQ(tokens.body.find(w.enroll_token_b), std::string::npos);
    const auto stored = w.store->list_enroll_tokens(store::Scope::service());
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->size(), 1u);
    EXPECT_EQ(stored->front().token_hash, store::token_hash(w.enroll_token_b));
    const auto made = w.call("POST", "/api/v1/members/" + std::to_string(w.a.id) + "/collectors",
                             w.admin_a.token, R"({"name":"second gateway"})");
    ASSERT_EQ(made.status, 201) << made.body;
    EXPECT_EQ(w.json_of(made)["status"], "awaiting_enrollment");
    const auto revoked =
        w.call("POST", "/api/v1/collectors/" + w.a.collector + "/revoke", w.admin_a.token);
    EXPECT_EQ(w.json_of(revoked)["status"], "revoked");
    EXPECT_EQ(w.call("POST", "/api/v1/collectors/" + w.a.collector + "/enroll-tokens",
                     w.admin_a.token)
                  .status,
              409);
}

TEST(ApiBehaviour, AssetsVerificationAndScans) {
    World w;
    const std::string a = "/api/v1/members/" + std::to_string(w.a.id);
    auto r = w.call("POST", a + "/assets", w.admin_a.token, R"({"kind":"domain","value":"WWW.A.Example."})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(w.json_of(r)["value"], "www.a.example");
    EXPECT_TRUE(w.json_of(r)["verify_token"].is_string());
    r = w.call("POST", a + "/scans", w.admin_a.token, R"({"targets":["192.0.2.10"]})");
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(w.json_of(r)["error"]["field"], "targets[0]");
    r = w.call("POST", "/api/v1/assets/" + std::to_string(w.a.asset) + "/verify", w.admin_a.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(w.json_of(r)["verified"].is_string());
    r = w.call("POST", a + "/scans", w.admin_a.token, R"({"targets":["192.0.2.10","192.0.2.0/26"]})");
    EXPECT_EQ(r.status, 202) << r.body;
    r = w.call("POST", a + "/scans", w.admin_a.token, R"({"targets":["192.0.2.200"]})");
    EXPECT_EQ(r.status, 422);  // in B's half of the /24, not A's verified /25
    EXPECT_EQ(count(w, a + "/scans", w.viewer_a.token), 2u);
    EXPECT_EQ(count(w, "/api/v1/scans/" + std::to_string(w.a.scan) + "/results", w.viewer_a.token),
              1u);
    // Without the scanner's hooks, the answer says why.
    ApiService bare(*w.store, ApiOptions{});
    HttpRequest verify;
    verify.method = "POST";
    verify.target = "/api/v1/assets/" + std::to_string(w.a.asset) + "/verify";
    verify.headers["authorization"] = "Bearer " + w.admin_a.token;
    r = bare.handle(verify);
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("not configured"), std::string::npos);
    EXPECT_EQ(w.call("DELETE", "/api/v1/assets/" + std::to_string(w.a.asset), w.viewer_a.token).status,
              403);
    EXPECT_EQ(w.call("DELETE", "/api/v1/assets/" + std::to_string(w.a.asset), w.admin_a.token).status,
              204);
}

TEST(ApiBehaviour, ReportsDownloadAsAuditedExports) {
    World w;
    EXPECT_EQ(count(w, "/api/v1/reports", w.viewer_a.token), 1u);
    const auto r = w.call("GET", "/api/v1/reports/" + std::to_string(w.a.report), w.viewer_a.token);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("weekly report of member a"), std::string::npos);
    EXPECT_EQ(header(r, "Content-Disposition").rfind("attachment", 0), 0u);
    const auto exports = w.audit_with("export");
    ASSERT_EQ(exports.size(), 1u);
    EXPECT_EQ(exports[0].target, "report:" + std::to_string(w.a.report));
    EXPECT_EQ(exports[0].member, w.a.id);
}

TEST(ApiBehaviour, FindingStatusChangesByTheMemberAdminOnly) {
    World w;
    const std::string path =
        "/api/v1/members/" + std::to_string(w.a.id) + "/findings/" + w.a.finding;
    EXPECT_EQ(w.call("PATCH", path, w.viewer_a.token, R"({"status":"resolved"})").status, 403);
    auto r = w.call("PATCH", path, w.admin_a.token, R"({"status":"acknowledged"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(w.json_of(r)["status"], "acknowledged");
    EXPECT_EQ(w.json_of(w.call("GET", path, w.viewer_a.token))["finding"]["kind"], "port_scan");
    EXPECT_EQ(w.call("PATCH", path, w.admin_a.token, R"({"status":"gone"})").status, 422);
    EXPECT_FALSE(w.audit_with("update").empty());
}

}  // namespace
}  // namespace cyberalarm::server::api::test
