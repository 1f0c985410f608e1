// Lines written in OpenSSH's own message formats (auth.c, sshd.c, packet.c).
#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::sshd(), line);
}

TEST(Sshd, FailedPasswordForInvalidUser) {
    auto p = run("Nov 13 07:00:28 web1 sshd[22960]: Failed password for invalid user admin "
                 "from 203.0.113.5 port 51234 ssh2");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 60);
    const auto& e = p.event;
    EXPECT_EQ(*p.result, Disposition::kEvent);
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2023-11-13T07:00:28.000Z");
    EXPECT_EQ(e.observer_name, "web1");
    EXPECT_EQ(e.category, core::Category::kAuth);
    EXPECT_EQ(e.outcome, core::Outcome::kFailure);
    EXPECT_EQ(e.src_ip.to_string(), "203.0.113.5");
    EXPECT_EQ(e.src_port, 51234);
    EXPECT_EQ(e.dst_port, 22);
    EXPECT_EQ(e.app_protocol, "ssh");
    EXPECT_EQ(e.event_code, "auth_failed");
    EXPECT_FALSE(e.user_hash.empty());
    EXPECT_EQ(core::to_ecs_json(e).find("admin"), std::string::npos);
}

TEST(Sshd, SameUserSameHashDifferentUserDifferentHash) {
    auto a = run("Nov 13 07:00:28 web1 sshd[1]: Failed password for root from 203.0.113.5 "
                 "port 1 ssh2");
    auto b = run("Nov 13 07:00:29 web1 sshd[1]: Failed password for root from 203.0.113.5 "
                 "port 2 ssh2");
    auto c = run("Nov 13 07:00:29 web1 sshd[1]: Failed password for postgres from "
                 "203.0.113.5 port 2 ssh2");
    ASSERT_TRUE(a.result && b.result && c.result);
    EXPECT_EQ(a.event.user_hash, b.event.user_hash);
    EXPECT_NE(a.event.user_hash, c.event.user_hash);
}

TEST(Sshd, AcceptedPublickey) {
    auto p = run("Nov 13 06:58:45 web1 sshd[20118]: Accepted publickey for ops from "
                 "2001:db8::20 port 38855 ssh2: ED25519 SHA256:abcdef");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.outcome, core::Outcome::kSuccess);
    EXPECT_EQ(p.event.src_ip.to_string(), "2001:db8::20");
    EXPECT_EQ(p.event.src_port, 38855);
}

TEST(Sshd, PreauthFailures) {
    struct Case {
        std::string_view line;
        std::string_view code;
        core::Outcome outcome;
    };
    const Case cases[] = {
        {"Invalid user test from 203.0.113.5 port 52698", "invalid_user",
         core::Outcome::kFailure},
        {"Invalid user  from 203.0.113.5 port 52698", "invalid_user", core::Outcome::kFailure},
        {"error: maximum authentication attempts exceeded for invalid user test from "
         "203.0.113.5 port 52698 ssh2 [preauth]",
         "max_auth_attempts", core::Outcome::kFailure},
        {"Disconnecting authenticating user root 203.0.113.5 port 52694: Too many "
         "authentication failures [preauth]",
         "too_many_failures", core::Outcome::kFailure},
        {"Connection closed by authenticating user postgres 203.0.113.5 port 52700 "
         "[preauth]",
         "preauth_closed", core::Outcome::kFailure},
        {"Disconnected from invalid user admin 203.0.113.5 port 52702 [preauth]",
         "preauth_disconnected", core::Outcome::kFailure},
        {"User root from 203.0.113.5 not allowed because not listed in AllowUsers",
         "not_allowed", core::Outcome::kFailure},
        {"Did not receive identification string from 203.0.113.5 port 40000",
         "no_identification", core::Outcome::kUnknown},
        {"Did not receive identification string from 203.0.113.5", "no_identification",
         core::Outcome::kUnknown},
        {"banner exchange: Connection from 203.0.113.5 port 40001: invalid format",
         "bad_banner", core::Outcome::kUnknown},
        {"Received disconnect from 203.0.113.5 port 52694:11: Bye Bye [preauth]",
         "received_disconnect", core::Outcome::kUnknown},
        {"Connection closed by 203.0.113.5 port 40002 [preauth]", "connection_closed",
         core::Outcome::kUnknown},
    };
    for (const auto& c : cases) {
        std::string line = "Nov 13 07:00:30 web1 sshd[5]: " + std::string(c.line);
        auto p = run(line);
        ASSERT_TRUE(p.result) << line;
        EXPECT_EQ(*p.result, Disposition::kEvent) << line;
        EXPECT_EQ(p.event.event_code, c.code) << line;
        EXPECT_EQ(p.event.outcome, c.outcome) << line;
        EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.5") << line;
    }
}

TEST(Sshd, UserNamesWithSpacesAndTricks) {
    auto p = run("Nov 13 07:00:30 web1 sshd[5]: Failed password for invalid user a from "
                 "198.51.100.1 port 9 b from 203.0.113.5 port 4242 ssh2");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.src_ip.to_string(), "203.0.113.5");
    EXPECT_EQ(p.event.src_port, 4242);
}

TEST(Sshd, Rfc5424AndSshdSession) {
    auto p = run("<38>1 2026-11-23T06:58:45.242397+00:00 web1 sshd 20118 - -  Failed "
                 "password for root from 203.0.113.5 port 38855 ssh2");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.outcome, core::Outcome::kFailure);
    auto q = run("Nov 13 07:00:30 web1 sshd-session[77]: Invalid user x from 203.0.113.5 "
                 "port 1");
    ASSERT_TRUE(q.result);
    EXPECT_GT(q.confidence, 0);
    EXPECT_EQ(*q.result, Disposition::kEvent);
}

TEST(Sshd, NonAuthLinesAreIgnored) {
    for (std::string_view m : {
             "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
             "ruser= rhost=203.0.113.5  user=root",
             "pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)",
             "Received signal 15; terminating.",
             "Server listening on 0.0.0.0 port 22.",
             "Connection closed by remote host",
         }) {
        std::string line = "Nov 13 07:00:30 web1 sshd[5]: " + std::string(m);
        auto p = run(line);
        ASSERT_TRUE(p.result) << line;
        EXPECT_EQ(*p.result, Disposition::kIgnored) << line;
    }
}

TEST(Sshd, MalformedAuthLineIsError) {
    auto p = run("Nov 13 07:00:30 web1 sshd[5]: Failed password for root from nowhere port "
                 "x ssh2");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "source");
    auto q = run("Nov 13 07:00:30 web1 kernel: Failed password for root");
    EXPECT_EQ(q.confidence, 0);
    std::string line = "Nov 13 07:00:30 web1 sshd[5]: Failed password for invalid user a "
                       "from 2001:db8::1 port 4242 ssh2";
    for (std::size_t n = 0; n <= line.size(); ++n) {
        (void)run(std::string_view(line).substr(0, n));
    }
}

}  // namespace
}  // namespace cyberalarm::parse
