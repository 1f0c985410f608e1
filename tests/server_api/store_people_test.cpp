// People signing in: login with password and TOTP into a session cookie (Secure, HttpOnly,
// SameSite=Strict) with idle and absolute expiry, CSRF on every change made with it, logout,
// lockout per account and per peer, password reset by one-time link, TOTP enrolment with the
// secret shown once and codes accepted once.
#include <gtest/gtest.h>

#include "server/api/internal/people.h"
#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

using nlohmann::json;

struct Login {
    int status = 0;
    std::string cookie;  // "ca_session=…"
    std::string csrf;
    json body;
    std::string set_cookie;
};

Login login(World& w, const std::string& email, const std::string& password,
            const std::string& code = "", const std::string& peer = "192.0.2.200") {
    json body{{"email", email}, {"password", password}};
    if (!code.empty()) {
        body["totp"] = code;
    }
    const auto r = w.call_with("POST", "/api/v1/session", {}, body.dump(), peer);
    Login out;
    out.status = r.status;
    out.body = w.json_of(r);
    out.set_cookie = header(r, "Set-Cookie");
    out.cookie = out.set_cookie.substr(0, out.set_cookie.find(';'));
    if (out.body.contains("csrf_token")) {
        out.csrf = out.body["csrf_token"];
    }
    return out;
}

std::string code_now(const World& w) {
    return Totp::code_at(w.totp_secret, w.now.load() / kS);
}

HttpResponse with_session(World& w, const Login& l, const std::string& method,
                          const std::string& target, const std::string& body = "",
                          bool csrf = true) {
    World::Headers h{{"cookie", "theme=dark; " + l.cookie}};
    if (csrf) {
        h.emplace_back("x-csrf-token", l.csrf);
    }
    return w.call_with(method, target, h, body);
}

TEST(ApiPeople, LoginWithPasswordAndTotpSetsAStrictSessionCookie) {
    World w;
    const auto l = login(w, "TOTP@a.example", kPlantedPassword, code_now(w));
    ASSERT_EQ(l.status, 200) << l.body.dump();
    EXPECT_EQ(l.cookie.rfind("ca_session=cas_", 0), 0u);
    for (const char* attr : {"; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"}) {
        EXPECT_NE(l.set_cookie.find(attr), std::string::npos) << attr;
    }
    EXPECT_EQ(l.body["user"]["email"], "totp@a.example");
    EXPECT_EQ(l.body["totp_pending"], false);
    EXPECT_EQ(l.csrf.size(), 64u);
    const auto events = with_session(w, l, "GET", "/api/v1/events");
    EXPECT_EQ(events.status, 200) << events.body;
    // The read was audited as this user, by session.
    const auto reads = w.audit_with("read");
    ASSERT_FALSE(reads.empty());
    EXPECT_EQ(reads.back().actor, "user:" + std::to_string(w.totp_admin_a.id));
    EXPECT_NE(reads.back().detail.find("session"), std::string::npos);
    const auto logins = w.audit_with("login");
    ASSERT_EQ(logins.size(), 1u);
    EXPECT_NE(logins[0].detail.find("totp=yes"), std::string::npos);
    EXPECT_NE(w.store->get_user(w.totp_admin_a.id)->last_login_ns, 0);
}

TEST(ApiPeople, WrongPasswordMissingOrReplayedCodeAllLookTheSame) {
    World w;
    const auto reference = w.call_with("POST", "/api/v1/session", {},
                                       json{{"email", "nobody@a.example"},
                                            {"password", "whatever-password"}}
                                           .dump());
    ASSERT_EQ(reference.status, 401);
    const std::string code = code_now(w);
    for (const auto& [password, c] : std::vector<std::pair<std::string, std::string>>{
             {"wrong-password-123", code}, {kPlantedPassword, ""}, {kPlantedPassword, "000000"}}) {
        const auto r = w.call_with("POST", "/api/v1/session", {},
                                   json{{"email", "totp@a.example"}, {"password", password},
                                        {"totp", c.empty() ? "x" : c}}
                                       .dump());
        EXPECT_EQ(r.status, 401);
        EXPECT_EQ(r.body, reference.body);
        EXPECT_EQ(header(r, "Set-Cookie"), "");
    }
    // The code was not spent by the wrong password: it still works once, then never again.
    EXPECT_EQ(login(w, "totp@a.example", kPlantedPassword, code).status, 200);
    EXPECT_EQ(login(w, "totp@a.example", kPlantedPassword, code).status, 401);
    w.now += Totp::kStepS * kS;
    EXPECT_EQ(login(w, "totp@a.example", kPlantedPassword, code_now(w)).status, 200);
    // Failures are audited with the peer and the account, never the password or code.
    const auto failed = w.audit_with("login_failed");
    ASSERT_GE(failed.size(), 4u);
    for (const auto& r : failed) {
        EXPECT_EQ(r.actor, "peer:192.0.2.200");
        EXPECT_EQ(r.detail.find(kPlantedPassword), std::string::npos);
        EXPECT_EQ(r.detail.find(code), std::string::npos);
    }
    EXPECT_NE(failed[1].detail.find("account=user:" + std::to_string(w.totp_admin_a.id)),
              std::string::npos);
}

TEST(ApiPeople, CodesOutsideTheWindowAreRefused) {
    World w;
    const auto old = Totp::code_at(w.totp_secret, w.now.load() / kS - 3 * Totp::kStepS);
    const auto ahead = Totp::code_at(w.totp_secret, w.now.load() / kS + 3 * Totp::kStepS);
    EXPECT_EQ(login(w, "totp@a.example", kPlantedPassword, old).status, 401);
    EXPECT_EQ(login(w, "totp@a.example", kPlantedPassword, ahead).status, 401);
    const auto near = Totp::code_at(w.totp_secret, w.now.load() / kS - Totp::kStepS);
    EXPECT_EQ(login(w, "totp@a.example", kPlantedPassword, near).status, 200);
}

TEST(ApiPeople, ChangesWithASessionNeedItsCsrfTokenBearerClientsDoNot) {
    World w;
    const auto l = login(w, "totp@a.example", kPlantedPassword, code_now(w));
    ASSERT_EQ(l.status, 200);
    const std::string body = json{{"label", "script"}}.dump();
    const auto none = with_session(w, l, "POST", "/api/v1/tokens", body, false);
    EXPECT_EQ(none.status, 403) << none.body;
    EXPECT_NE(none.body.find("CSRF"), std::string::npos);
    Login forged = l;
    forged.csrf = std::string(64, 'a');
    EXPECT_EQ(with_session(w, forged, "POST", "/api/v1/tokens", body).status, 403);
    // Another session's token is not this session's.
    w.now += Totp::kStepS * kS;
    const auto other = login(w, "totp@a.example", kPlantedPassword, code_now(w));
    forged.csrf = other.csrf;
    EXPECT_EQ(with_session(w, forged, "POST", "/api/v1/tokens", body).status, 403);
    EXPECT_EQ(with_session(w, l, "POST", "/api/v1/tokens", body).status, 201);
    // Safe methods need none; a bearer client needs none for changes.
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/me", "", false).status, 200);
    EXPECT_EQ(w.call("POST", "/api/v1/tokens", w.admin_a.token, body).status, 201);
}

TEST(ApiPeople, SessionsEndWhenIdleAbsolutelyAndAtLogout) {
    World w;
    auto l = login(w, "totp@a.example", kPlantedPassword, code_now(w));
    ASSERT_EQ(l.status, 200);
    w.now += 29 * 60 * kS;
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/me").status, 200);
    w.now += 31 * 60 * kS;  // idle for longer than 30 minutes
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/me").status, 401);

    w.now += Totp::kStepS * kS;
    l = login(w, "totp@a.example", kPlantedPassword, code_now(w));
    ASSERT_EQ(l.status, 200);
    for (int i = 0; i < 12 * 3; ++i) {  // busy for 12 hours, a request every 20 minutes
        w.now += 20 * 60 * kS;
        const int status = with_session(w, l, "GET", "/api/v1/me").status;
        EXPECT_EQ(status, i < 12 * 3 - 1 ? 200 : 401) << i;
    }

    w.now += Totp::kStepS * kS;
    l = login(w, "totp@a.example", kPlantedPassword, code_now(w));
    const auto out = with_session(w, l, "DELETE", "/api/v1/session");
    EXPECT_EQ(out.status, 204);
    EXPECT_NE(header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/me").status, 401);
    EXPECT_EQ(w.audit_with("logout").size(), 1u);
}

TEST(ApiPeople, AnAdminsPasswordChangeEndsTheUsersSessions) {
    World w;
    const auto l = login(w, "totp@a.example", kPlantedPassword, code_now(w));
    ASSERT_EQ(l.status, 200);
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/me").status, 200);
    const auto changed =
        w.call("PATCH", "/api/v1/users/" + std::to_string(w.totp_admin_a.id), w.op.token,
               R"({"password":"a brand new long passphrase"})");
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/me").status, 401)
        << "a session outlived the password it was opened with";
}

TEST(ApiPeople, RepeatedFailuresLockTheAccountThenThePeer) {
    World w(1000);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(login(w, "totp@a.example", "wrong-password-1", "", "198.51.100." + std::to_string(i))
                      .status,
                  401);
    }
    // Locked, even with the right password and from a fresh address.
    const auto locked = w.call_with("POST", "/api/v1/session", {},
                                    json{{"email", "totp@a.example"},
                                         {"password", kPlantedPassword},
                                         {"totp", code_now(w)}}
                                        .dump(),
                                    "198.51.100.99");
    EXPECT_EQ(locked.status, 429);
    EXPECT_NE(header(locked, "Retry-After"), "");
    w.now += 15 * 60 * kS + kS;
    EXPECT_EQ(login(w, "totp@a.example", kPlantedPassword, code_now(w)).status, 200);

    World p(3);  // per peer: 3 failures a minute, whatever the account
    for (const char* email : {"x@a.example", "y@a.example", "z@a.example"}) {
        EXPECT_EQ(login(p, email, "wrong-password-1").status, 401);
    }
    EXPECT_EQ(login(p, "totp@a.example", kPlantedPassword, code_now(p)).status, 429);
}

TEST(ApiPeople, PasswordResetLinksAreSingleUseAndExpire) {
    World w;
    const auto unknown = w.call_with("POST", "/api/v1/password-reset", {},
                                     json{{"email", "nobody@a.example"}}.dump());
    const auto known = w.call_with("POST", "/api/v1/password-reset", {},
                                   json{{"email", "TOTP@a.example"}}.dump());
    EXPECT_EQ(unknown.status, 202);
    EXPECT_EQ(known.status, 202);
    EXPECT_EQ(unknown.body, known.body);  // no account enumeration
    ASSERT_EQ(w.mails.size(), 1u);
    EXPECT_EQ(w.mails[0].first, "totp@a.example");
    const std::string link = w.mails[0].second;
    const std::string token = link.substr(link.find("token=") + 6);
    EXPECT_EQ(token.rfind("car_", 0), 0u);
    // The token is kept only as a hash: it is in no audit record.
    for (const auto& r : w.audit_with("password_reset_requested")) {
        EXPECT_EQ(r.detail.find(token), std::string::npos);
    }
    const auto session = login(w, "totp@a.example", kPlantedPassword, code_now(w));
    ASSERT_EQ(session.status, 200);

    const std::string fresh = "a-new-password-of-length";
    const auto done = w.call_with("POST", "/api/v1/password-reset/complete", {},
                                  json{{"token", token}, {"password", fresh}}.dump());
    EXPECT_EQ(done.status, 204) << done.body;
    EXPECT_EQ(with_session(w, session, "GET", "/api/v1/me").status, 401);  // sessions ended
    const auto again = w.call_with("POST", "/api/v1/password-reset/complete", {},
                                   json{{"token", token}, {"password", "yet-another-password"}}.dump());
    EXPECT_EQ(again.status, 422);  // single use
    w.now += Totp::kStepS * kS;
    EXPECT_EQ(login(w, "totp@a.example", fresh, code_now(w)).status, 200);
    EXPECT_TRUE(is_strong_password_hash(w.store->get_user(w.totp_admin_a.id)->password_hash));

    // A link older than its lifetime is refused.
    ASSERT_EQ(w.call_with("POST", "/api/v1/password-reset", {},
                          json{{"email", "totp@a.example"}}.dump())
                  .status,
              202);
    const std::string late = w.mails.back().second.substr(w.mails.back().second.find("token=") + 6);
    w.now += 3601 * kS;
    EXPECT_EQ(w.call_with("POST", "/api/v1/password-reset/complete", {},
                          json{{"token", late}, {"password", "late-password-123"}}.dump())
                  .status,
              422);
    EXPECT_EQ(w.audit_with("password_reset").size(), 1u);
}

TEST(ApiPeople, TotpEnrolmentShowsTheSecretOnceAndSealsIt) {
    World w;
    // A user with a password and no TOTP: its session may only enrol.
    const std::string password = "enrol-me-password-1";
    const auto created = w.call("POST", "/api/v1/users", w.admin_a.token,
                                json{{"email", "enrol@a.example"},
                                     {"role", "member_viewer"},
                                     {"password", password}}
                                    .dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const auto l = login(w, "enrol@a.example", password);
    ASSERT_EQ(l.status, 200) << l.body.dump();
    EXPECT_EQ(l.body["totp_pending"], true);
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/events").status, 403);
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/me").status, 200);

    const auto start = with_session(w, l, "POST", "/api/v1/me/totp");
    ASSERT_EQ(start.status, 201) << start.body;
    const auto j = w.json_of(start);
    const std::string uri = j["otpauth_uri"];
    EXPECT_EQ(uri.rfind("otpauth://totp/cyberalarm:enrol@a.example?secret=", 0), 0u) << uri;
    const std::string b32 = j["secret"];
    EXPECT_NE(uri.find("secret=" + b32 + "&"), std::string::npos);

    const auto id = w.json_of(created)["id"].get<store::UserId>();
    EXPECT_EQ(w.store->get_user(id)->totp_secret, "");  // not stored before a code proves it
    // The raw secret, through base32: what an authenticator app would hold.
    std::string raw;
    {
        // Decode base32 (RFC 4648, no padding) for the test's authenticator.
        unsigned buffer = 0;
        int bits = 0;
        for (const char c : b32) {
            const auto v = static_cast<unsigned>(c >= 'A' && c <= 'Z' ? c - 'A' : c - '2' + 26);
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                raw += static_cast<char>((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
    }
    const auto wrong = with_session(w, l, "POST", "/api/v1/me/totp/verify",
                                    json{{"code", "123456"}}.dump());
    EXPECT_EQ(wrong.status, 422);
    const auto code = Totp::code_at(raw, w.now.load() / kS);
    const auto ok = with_session(w, l, "POST", "/api/v1/me/totp/verify", json{{"code", code}}.dump());
    EXPECT_EQ(ok.status, 204) << ok.body;
    const auto stored = w.store->get_user(id)->totp_secret;
    EXPECT_EQ(stored.rfind("sb1:", 0), 0u);
    EXPECT_EQ(stored.find(b32), std::string::npos);
    EXPECT_EQ(unseal(w.secrets_key, stored).value_or(""), raw);
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/events").status, 200);  // enrolment done
    // Shown once: a second enrolment is refused, and nothing shows the secret again.
    EXPECT_EQ(with_session(w, l, "POST", "/api/v1/me/totp").status, 409);
    EXPECT_EQ(with_session(w, l, "GET", "/api/v1/session").body.find(b32), std::string::npos);
    // Now login needs the code; the one used to enrol is spent.
    EXPECT_EQ(login(w, "enrol@a.example", password).status, 401);
    EXPECT_EQ(login(w, "enrol@a.example", password, code).status, 401);
    w.now += Totp::kStepS * kS;
    EXPECT_EQ(login(w, "enrol@a.example", password, Totp::code_at(raw, w.now.load() / kS)).status,
              200);
}

TEST(ApiPeople, CookieHeaderParsing) {
    EXPECT_EQ(cookie_value("ca_session=cas_ab12", "ca_session"), "cas_ab12");
    EXPECT_EQ(cookie_value("a=b;  ca_session=cas_x ; c=d", "ca_session"), "cas_x");
    EXPECT_EQ(cookie_value("xca_session=cas_x", "ca_session"), "");
    EXPECT_EQ(cookie_value("ca_session=\"quoted\"", "ca_session"), "");
    EXPECT_EQ(cookie_value("ca_session=", "ca_session"), "");
    EXPECT_EQ(cookie_value(std::string(5000, 'a'), "ca_session"), "");
}

}  // namespace
}  // namespace cyberalarm::server::api::test
