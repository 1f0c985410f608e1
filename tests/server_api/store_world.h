// A populated world for the API's behaviour tests: a real SQLite store in a temporary
// directory, the tenant tree nation → region → {force, other force} → members A, B (force)
// and C (other force), one user and API token per role, events, findings, scans, reports,
// assets and collectors for A and B, and planted secrets that no response may ever carry.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api/api.h"
#include "store/store.h"
#include "support/test_support.h"

namespace cyberalarm::server::api::test {

inline constexpr std::int64_t kS = 1'000'000'000;
inline constexpr std::int64_t kT0 = 1'767'312'000 * kS;  // 2026-01-02T00:00:00Z
inline constexpr char kPlantedPassword[] = "planted-Password-4711-never-shown";
inline constexpr char kPlantedHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$cGxhbnRlZHNhbHQ$plantedHASHplantedHASHplanted";
inline constexpr char kPlantedTotp[] = "PLANTEDTOTPSEED7JBSWY3DPEHPK3PXP";

struct Person {
    store::UserId id = 0;
    std::string token;  // an API token with scope "admin" (the role still limits it)
};

// What a member was given, for tests to aim at.
struct MemberData {
    store::TenantId id = 0;
    std::string collector;
    std::int64_t asset = 0;
    std::string finding;
    std::int64_t scan = 0;
    std::int64_t report = 0;
    std::size_t events = 0;
};

// The value of a response header ("" if absent).
std::string header(const HttpResponse& response, const std::string& name);

class World {
public:
    // `auth_failures`: failed authentications a peer may make per minute before 429 (high by
    // default, so that tests enumerating routes without a token are not rate-limited).
    explicit World(int auth_failures = 1000);

    HttpResponse call(const std::string& method, const std::string& target,
                      const std::string& token, const std::string& body = "");
    // A request with these headers (lower-case names) from `peer`.
    using Headers = std::vector<std::pair<std::string, std::string>>;
    HttpResponse call_with(const std::string& method, const std::string& target,
                           const Headers& headers, const std::string& body = "",
                           const std::string& peer = "192.0.2.200");
    // call() that parses the body as JSON (null if it is not JSON).
    nlohmann::json json_of(const HttpResponse& response) const;
    // A token for `user` with the given scopes ("read", "read write" …).
    std::string token_for(store::UserId user, const std::string& scopes,
                          std::int64_t expires_ns = kT0 + 365 * 86400 * kS);
    // The operator grants `analyst` access to `member` until `expires_ns`; the grant id.
    std::int64_t grant(const Person& analyst, const MemberData& member, std::int64_t expires_ns);
    // The audit records whose action is `action`.
    std::vector<store::AuditRecord> audit_with(const std::string& action);
    // Every route with its {params} filled for `member` (or route-wide objects of it).
    std::vector<std::pair<std::string, std::string>> concrete_routes(const MemberData& m) const;

    cyberalarm::test::TempDir dir;
    std::unique_ptr<store::Store> store;
    std::atomic<std::int64_t> now{kT0};
    std::unique_ptr<ApiService> api;

    store::TenantId nation = 0, region = 0, force = 0, other_force = 0;
    MemberData a, b, c;
    Person op, admin_a, viewer_a, admin_b, force_analyst, other_analyst;
    std::vector<std::string> planted;  // strings no answer may contain
    std::string enroll_token_b;        // made through the API for B, planted too
    Person totp_admin_a;      // member admin of A with a password and an enrolled TOTP seed
    std::string totp_secret;  // its raw seed (planted)
    SecretKey secrets_key{};           // the key TOTP seeds are sealed with
    std::mutex mail_mu;
    std::vector<std::pair<std::string, std::string>> mails;  // password-reset (email, link)
};

}  // namespace cyberalarm::server::api::test
