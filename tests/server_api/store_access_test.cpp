// The scope rule: analysts see a member only through a live grant under their own tenant;
// the operator runs the service and reads no member data.
#include <gtest/gtest.h>

#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

std::string member_path(const MemberData& m, const std::string& what) {
    return "/api/v1/members/" + std::to_string(m.id) + what;
}

// What the analyst sees of members A and B: event counts and the status of direct reads.
void expect_sees(World& w, const Person& who, bool a_visible) {
    const auto events = w.json_of(w.call("GET", "/api/v1/events", who.token));
    EXPECT_EQ(events["items"].size(), a_visible ? w.a.events : 0u);
    for (const auto& item : events["items"]) {
        EXPECT_EQ(item["member"], w.a.id);
    }
    const auto findings = w.json_of(w.call("GET", "/api/v1/findings", who.token));
    EXPECT_EQ(findings["items"].size(), a_visible ? 1u : 0u);
    const int a_status = a_visible ? 200 : 404;
    EXPECT_EQ(w.call("GET", "/api/v1/events?member=" + std::to_string(w.a.id), who.token).status,
              a_status);
    EXPECT_EQ(w.call("GET", member_path(w.a, "/findings/" + w.a.finding), who.token).status,
              a_status);
    EXPECT_EQ(w.call("GET", member_path(w.a, "/scans"), who.token).status, a_status);
    EXPECT_EQ(w.call("GET", "/api/v1/reports/" + std::to_string(w.a.report), who.token).status,
              a_status);
    EXPECT_EQ(w.call("GET", "/api/v1/events?member=" + std::to_string(w.b.id), who.token).status,
              404);
    EXPECT_EQ(w.call("GET", member_path(w.b, "/findings/" + w.b.finding), who.token).status, 404);
}

TEST(ApiAccess, AnalystWithoutAGrantSeesNothing) {
    World w;
    expect_sees(w, w.force_analyst, false);
    const auto tenants = w.json_of(w.call("GET", "/api/v1/tenants", w.force_analyst.token));
    ASSERT_EQ(tenants["items"].size(), 1u);
    EXPECT_EQ(tenants["items"][0]["id"], w.force);
}

TEST(ApiAccess, AGrantShowsThatMemberOnlyUntilItExpires) {
    World w;
    const auto id = w.grant(w.force_analyst, w.a, kT0 + 3600 * kS);
    expect_sees(w, w.force_analyst, true);
    // Read-only, even with an admin-scoped token.
    EXPECT_EQ(w.call("POST", member_path(w.a, "/assets"), w.force_analyst.token,
                     R"({"kind":"domain","value":"a.example"})")
                  .status,
              403);
    // The grant is the recorded basis of the read, and was touched.
    bool found = false;
    for (const auto& r : w.audit_with("read")) {
        if (r.actor == "user:" + std::to_string(w.force_analyst.id) && r.target == "events") {
            found = true;
            EXPECT_EQ(r.member, w.a.id);
            EXPECT_NE(r.detail.find("grant:" + std::to_string(id)), std::string::npos) << r.detail;
        }
    }
    EXPECT_TRUE(found);
    const auto grants = w.store->list_grants(w.force_analyst.id);
    ASSERT_TRUE(grants);
    ASSERT_EQ(grants->size(), 1u);
    EXPECT_GT(grants->front().last_used_ns, 0);

    w.now = kT0 + 3600 * kS;  // expiry is exclusive
    expect_sees(w, w.force_analyst, false);
}

TEST(ApiAccess, ARevokedGrantShowsNothing) {
    World w;
    const auto id = w.grant(w.force_analyst, w.a, kT0 + 86400 * kS);
    expect_sees(w, w.force_analyst, true);
    EXPECT_EQ(w.call("DELETE", "/api/v1/grants/" + std::to_string(id), w.op.token).status, 204);
    expect_sees(w, w.force_analyst, false);
    const auto grants = w.json_of(w.call("GET", "/api/v1/grants", w.admin_a.token));
    ASSERT_EQ(grants["items"].size(), 1u);  // the member admin sees who could read its data
    EXPECT_TRUE(grants["items"][0]["revoked"].is_string());
}

TEST(ApiAccess, GrantsOutsideTheAnalystsTenantCountForNothing) {
    World w;
    const auto r = w.call("POST", "/api/v1/grants", w.op.token,
                          nlohmann::json{{"user", w.other_analyst.id},
                                         {"member", w.a.id},
                                         {"purpose", "curious"},
                                         {"expires", (kT0 + 3600 * kS) / kS}}
                              .dump());
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(w.json_of(r)["error"]["field"], "member");
    store::Grant g;  // written past the API, as a faulty tool might
    g.user = w.other_analyst.id;
    g.member = w.a.id;
    g.purpose = "bypass";
    g.granted_by = w.op.id;
    g.created_ns = kT0;
    g.expires_ns = kT0 + 3600 * kS;
    ASSERT_TRUE(w.store->create_grant(g));
    expect_sees(w, w.other_analyst, false);
    // Only the operator grants.
    EXPECT_EQ(w.call("POST", "/api/v1/grants", w.admin_a.token,
                     nlohmann::json{{"user", w.force_analyst.id},
                                    {"member", w.a.id},
                                    {"purpose", "x"},
                                    {"expires", (kT0 + 60 * kS) / kS}}
                         .dump())
                  .status,
              403);
}

TEST(ApiAccess, OperatorReadsNoMemberData) {
    World w;
    const std::string a = std::to_string(w.a.id);
    for (const std::string& path :
         std::vector<std::string>{"/api/v1/events", "/api/v1/events?member=" + a, "/api/v1/events/summary",
          "/api/v1/findings", member_path(w.a, "/findings/" + w.a.finding),
          "/api/v1/reports?tenant=" + a, "/api/v1/reports/" + std::to_string(w.a.report),
          member_path(w.a, "/scans"), "/api/v1/scans/" + std::to_string(w.a.scan) + "/results",
          member_path(w.a, "/assets")}) {
        const auto r = w.call("GET", path, w.op.token);
        EXPECT_EQ(r.status, 403) << path << ": " << r.body;
        EXPECT_EQ(r.body.find("198.51.100."), std::string::npos) << path;
    }
    // It runs the service: tenants, collectors, metrics.
    const auto tenants = w.json_of(w.call("GET", "/api/v1/tenants", w.op.token));
    EXPECT_EQ(tenants["items"].size(), 7u);
    const auto collectors = w.json_of(w.call("GET", member_path(w.a, "/collectors"), w.op.token));
    ASSERT_EQ(collectors["items"].size(), 1u);
    EXPECT_EQ(collectors["items"][0]["id"], w.a.collector);
    EXPECT_EQ(collectors["items"][0]["events_total"], w.a.events);
    const auto metrics = w.call("GET", "/metrics", w.op.token);
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("cyberalarm_api_responses_total{class=\"2xx\"}"),
              std::string::npos);
    EXPECT_NE(metrics.body.find("cyberalarm_server_up 1"), std::string::npos);
    EXPECT_EQ(w.call("GET", "/metrics", w.admin_a.token).status, 403);
    EXPECT_EQ(w.call("GET", "/metrics", "").status, 401);
}

TEST(ApiAccess, MeDescribesTheCallersReach) {
    World w;
    const auto me = w.json_of(w.call("GET", "/api/v1/me", w.admin_a.token));
    EXPECT_EQ(me["user"]["role"], "member_admin");
    EXPECT_EQ(me["members"], nlohmann::json::array({w.a.id}));
    EXPECT_EQ(me["manages_members"], nlohmann::json::array({w.a.id}));
    EXPECT_EQ(me["token_scope"], "admin");
    const auto op = w.json_of(w.call("GET", "/api/v1/me", w.op.token));
    EXPECT_EQ(op["members"], nlohmann::json::array());
    EXPECT_EQ(op["manages_members"], "all");
}

}  // namespace
}  // namespace cyberalarm::server::api::test
