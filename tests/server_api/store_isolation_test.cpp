// Tenant isolation: a member's users cannot tell another member's objects from missing ones,
// on any route, with any guessed, swapped or enumerated id or cursor, and change none of them.
#include <gtest/gtest.h>

#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

// A plausible body per route, so that a change reaches the point where it looks the object up.
std::string body_for(const std::string& method, const std::string& path) {
    if (method == "GET" || method == "DELETE") {
        return "";
    }
    if (path.find("/findings/") != std::string::npos) {
        return R"({"status":"resolved"})";
    }
    if (path.find("/assets") != std::string::npos && method == "POST" &&
        path.find("/verify") == std::string::npos) {
        return R"({"kind":"network","value":"192.0.2.0/24"})";
    }
    if (path.find("/scans") != std::string::npos) {
        return R"({"targets":["192.0.2.140"]})";
    }
    if (path.find("/collectors") != std::string::npos && path.find("/members/") != std::string::npos) {
        return R"({"name":"sneaky"})";
    }
    return "";
}

MemberData ghost() {
    MemberData g;
    g.id = 999999;
    g.collector = "col-zz";
    g.asset = 999999;
    g.finding = "port_scan:203.0.113.250";
    g.scan = 999999;
    g.report = 999999;
    return g;
}

void expect_indistinguishable(World& w, const Person& who, const char* role) {
    const auto theirs = w.concrete_routes(w.b);
    const auto missing = w.concrete_routes(ghost());
    ASSERT_EQ(theirs.size(), missing.size());
    int object_routes = 0;
    for (std::size_t i = 0; i < theirs.size(); ++i) {
        const auto& [method, path] = theirs[i];
        const auto r_b = w.call(method, path, who.token, body_for(method, path));
        const auto r_g = w.call(method, missing[i].second, who.token, body_for(method, path));
        EXPECT_EQ(r_b.status, r_g.status) << role << " " << method << " " << path;
        // The same request twice (a route naming no member) may differ by design: a TOTP
        // enrolment answers a fresh secret each time.
        if (path != missing[i].second || path != "/api/v1/me/totp") {
            EXPECT_EQ(r_b.body, r_g.body) << role << " " << method << " " << path;
        }
        // Where the role may use the route at all, another member's object is "not found".
        if (path != missing[i].second && method == "GET" && r_g.status != 403) {
            ++object_routes;
            EXPECT_EQ(r_b.status, 404) << role << " " << method << " " << path << ": " << r_b.body;
        }
        EXPECT_EQ(r_b.body.find("Member B"), std::string::npos) << path;
        EXPECT_EQ(r_b.body.find("203.0.113."), std::string::npos) << path;
        EXPECT_EQ(r_b.body.find("col-b"), std::string::npos) << path;
    }
    EXPECT_GE(object_routes, 12);
}

TEST(ApiIsolation, MemberUsersCannotTellAnotherMembersObjectsFromMissingOnes) {
    World w;
    expect_indistinguishable(w, w.admin_a, "member_admin");
    expect_indistinguishable(w, w.viewer_a, "member_viewer");
    // Nothing of B's changed.
    const auto finding = w.store->get_finding(store::Scope::service(), w.b.id, w.b.finding);
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->status, store::FindingStatus::kOpen);
    const auto collector = w.store->get_collector(w.b.collector);
    ASSERT_TRUE(collector);
    EXPECT_EQ(collector->revoked_ns, 0);
    const auto assets = w.store->list_assets(store::Scope::service(), w.b.id);
    ASSERT_TRUE(assets);
    ASSERT_EQ(assets->size(), 1u);
    EXPECT_EQ(assets->front().verified_ns, 0);
    const auto collectors = w.store->list_collectors(store::Scope::service(), w.b.id);
    ASSERT_TRUE(collectors);
    EXPECT_EQ(collectors->size(), 1u);
}

TEST(ApiIsolation, SearchesWithoutAMemberReturnOnlyTheCallersOwn) {
    World w;
    auto events = w.json_of(w.call("GET", "/api/v1/events?limit=1000", w.viewer_a.token));
    ASSERT_EQ(events["items"].size(), w.a.events);
    for (const auto& item : events["items"]) {
        EXPECT_EQ(item["member"], w.a.id);
    }
    auto findings = w.json_of(w.call("GET", "/api/v1/findings", w.viewer_a.token));
    ASSERT_EQ(findings["items"].size(), 1u);
    EXPECT_EQ(findings["items"][0]["id"], w.a.finding);
    auto summary = w.json_of(w.call("GET", "/api/v1/events/summary", w.viewer_a.token));
    EXPECT_EQ(summary["events"], w.a.events);
    auto tenants = w.json_of(w.call("GET", "/api/v1/tenants", w.viewer_a.token));
    ASSERT_EQ(tenants["items"].size(), 1u);
    EXPECT_EQ(tenants["items"][0]["id"], w.a.id);
}

TEST(ApiIsolation, SwappedCursorsNeverCrossMembers) {
    World w;
    const auto page_b = w.json_of(w.call("GET", "/api/v1/events?limit=1", w.admin_b.token));
    ASSERT_TRUE(page_b["next_cursor"].is_string());
    const std::string cursor = page_b["next_cursor"];
    const auto r = w.call("GET", "/api/v1/events?limit=1&cursor=" + cursor, w.viewer_a.token);
    if (r.status == 200) {
        for (const auto& item : w.json_of(r)["items"]) {
            EXPECT_EQ(item["member"], w.a.id);
        }
    } else {
        EXPECT_EQ(r.status, 400);
        EXPECT_EQ(w.json_of(r)["error"]["field"], "cursor");
    }
    const auto with_member = w.call(
        "GET", "/api/v1/events?limit=1&member=" + std::to_string(w.b.id) + "&cursor=" + cursor,
        w.viewer_a.token);
    EXPECT_EQ(with_member.status, 404);
    const auto forged = w.call("GET", "/api/v1/findings?cursor=ffff.1.2.3", w.viewer_a.token);
    EXPECT_EQ(forged.status, 400);
    EXPECT_EQ(w.json_of(forged)["error"]["field"], "cursor");
}

TEST(ApiIsolation, EnumeratedIdsFindNothingOfOthers) {
    World w;
    for (std::int64_t id = 1; id <= 40; ++id) {
        const auto s = std::to_string(id);
        for (const auto& path : {"/api/v1/reports/" + s, "/api/v1/scans/" + s + "/results",
                                 "/api/v1/tenants/" + s, "/api/v1/members/" + s + "/assets"}) {
            const auto r = w.call("GET", path, w.viewer_a.token);
            if (r.status == 200) {
                EXPECT_EQ(r.body.find("Member B"), std::string::npos) << path;
                EXPECT_EQ(r.body.find("member b"), std::string::npos) << path;
                EXPECT_EQ(r.body.find("192.0.2.140"), std::string::npos) << path;
            } else {
                EXPECT_EQ(r.status, 404) << path;
            }
        }
    }
}

}  // namespace
}  // namespace cyberalarm::server::api::test
