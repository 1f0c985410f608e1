// No answer of any route, to any role, carries a password, a hash, a TOTP seed or a token
// (beyond the one answer that creates a token).
#include <gtest/gtest.h>

#include "server/api/internal/people.h"
#include "server/api/secrets.h"
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

// Every password the store holds — made through the API, the admin CLI's path or a reset —
// is Argon2id at OWASP's floor; one stored as the old product did (bare SHA-256) is caught.
TEST(ApiSecrets, EveryStoredPasswordIsArgon2id) {
    World w;
    auto users = w.store->list_users(std::nullopt);
    ASSERT_TRUE(users);
    ASSERT_GE(users->size(), 7u);
    for (const auto& u : *users) {
        EXPECT_TRUE(is_strong_password_hash(u.password_hash)) << u.email;
    }
    auto weak = users->front();
    weak.password_hash = store::token_hash(kPlantedPassword);
    ASSERT_TRUE(w.store->update_user(weak));
    int weak_found = 0;
    const auto after = w.store->list_users(std::nullopt);
    ASSERT_TRUE(after);
    for (const auto& u : *after) {
        weak_found += is_strong_password_hash(u.password_hash) ? 0 : 1;
    }
    EXPECT_EQ(weak_found, 1);
}

// The answers of people signing in: the login itself, the session, the data map with its
// users and tokens — none carries the password, its hash, the TOTP seed or the cookie.
TEST(ApiSecrets, LoginAndSessionAnswersCarryNoSecret) {
    World w;
    HttpRequest login;
    login.method = "POST";
    login.target = "/api/v1/session";
    login.peer_address = "192.0.2.9";
    login.headers["content-type"] = "application/json";
    login.body = nlohmann::json{{"email", "totp@a.example"},
                                {"password", kPlantedPassword},
                                {"totp", Totp::code_at(w.totp_secret, w.now.load() / kS)}}
                     .dump();
    const auto r = w.api->handle(login);
    ASSERT_EQ(r.status, 200) << r.body;
    expect_clean(w, r, "login");
    const auto cookie = header(r, "Set-Cookie").substr(0, header(r, "Set-Cookie").find(';'));
    const std::string session_token = cookie.substr(cookie.find('=') + 1);
    EXPECT_EQ(r.body.find(session_token), std::string::npos);  // the cookie only in its header
    for (const char* path : {"/api/v1/session", "/api/v1/me", "/api/v1/users"}) {
        const auto s = w.call_with("GET", path, {{"cookie", cookie}});
        EXPECT_EQ(s.status, 200) << path;
        expect_clean(w, s, path);
        EXPECT_EQ(s.body.find(session_token), std::string::npos) << path;
        EXPECT_EQ(header(s, "Set-Cookie"), "") << path;
    }
    for (const char* path : {"/api/v1/data-map", "/api/v1/data-map?format=markdown"}) {
        const auto m = w.call("GET", path, w.op.token);
        EXPECT_EQ(m.status, 200) << path;
        expect_clean(w, m, path);
        EXPECT_NE(m.body.find("totp@a.example"), std::string::npos);  // the user is listed
    }
    // The audit log of it all: no password, code, seed or cookie.
    const auto all = w.store->read_audit(1, 100000, std::nullopt);
    ASSERT_TRUE(all);
    for (const auto& rec : *all) {
        for (const auto& secret : w.planted) {
            EXPECT_EQ(rec.detail.find(secret), std::string::npos) << rec.seq;
        }
        EXPECT_EQ(rec.detail.find(session_token), std::string::npos);
    }
}

}  // namespace
}  // namespace cyberalarm::server::api::test
