// No answer of any route, to any role, carries a password, a hash, a TOTP seed or a token
// (beyond the one answer that creates a token).
#include <gtest/gtest.h>

#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

void expect_clean(const World& w, const HttpResponse& r, const std::string& what) {
    for (const auto& secret : w.planted) {
        ASSERT_FALSE(secret.empty());
        EXPECT_EQ(r.body.find(secret), std::string::npos) << what << " leaks a planted secret";
        for (const auto& [name, value] : r.headers) {
            EXPECT_EQ(value.find(secret), std::string::npos) << what << " header " << name;
        }
    }
    EXPECT_EQ(r.body.find("$argon2"), std::string::npos) << what;
    EXPECT_EQ(r.body.find("password"), std::string::npos) << what;
    EXPECT_EQ(r.body.find("totp_secret"), std::string::npos) << what;
    EXPECT_EQ(r.body.find("token_hash"), std::string::npos) << what;
}

TEST(ApiSecrets, NoAnswerCarriesAPlantedSecret) {
    World w;
    // Give the analyst a grant so that its answers have content too.
    ASSERT_GT(w.grant(w.force_analyst, w.a, kT0 + 3600 * kS), 0);
    int answers = 0;
    int with_content = 0;
    for (const auto* who : {&w.op, &w.admin_a, &w.viewer_a, &w.admin_b, &w.force_analyst,
                            &w.other_analyst}) {
        for (const auto* m : {&w.a, &w.b, &w.c}) {
            for (const auto& [method, path] : w.concrete_routes(*m)) {
                if (method != "GET") {
                    continue;
                }
                const auto r = w.call(method, path, who->token);
                expect_clean(w, r, method + " " + path + " as user " + std::to_string(who->id));
                ++answers;
                with_content += r.status == 200 ? 1 : 0;
            }
        }
    }
    EXPECT_GT(answers, 300);
    EXPECT_GT(with_content, 100);
    // The user listings, where hashes and seeds live next door.
    for (const auto* who : {&w.op, &w.admin_a}) {
        const auto users = w.call("GET", "/api/v1/users", who->token);
        EXPECT_EQ(users.status, 200);
        EXPECT_NE(users.body.find("viewer@a.example"), std::string::npos);
        expect_clean(w, users, "users");
    }
    // Changing a user answers without the new password or its hash.
    const auto patched = w.call("PATCH", "/api/v1/users/" + std::to_string(w.viewer_a.id),
                                w.op.token, R"({"password":"another-Secret-pass-99"})");
    EXPECT_EQ(patched.status, 200);
    EXPECT_EQ(patched.body.find("another-Secret-pass-99"), std::string::npos);
    expect_clean(w, patched, "patch user");
}

}  // namespace
}  // namespace cyberalarm::server::api::test
