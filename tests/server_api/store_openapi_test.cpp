// docs/api/openapi.yaml and the route table describe the same API: every route documented,
// every documented operation routed, and only health, login and password reset without
// security.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

std::string upper(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
}

TEST(ApiOpenApi, DocumentAndRoutesAgreeBothWays) {
    World w;
    const YAML::Node doc = YAML::LoadFile(std::string(CA_SOURCE_DIR) + "/docs/api/openapi.yaml");
    ASSERT_EQ(doc["openapi"].as<std::string>().substr(0, 2), "3.");
    ASSERT_TRUE(doc["components"]["securitySchemes"]["bearer"]);
    std::set<std::string> documented;
    std::set<std::string> open_documented;
    for (const auto& path : doc["paths"]) {
        for (const auto& op : path.second) {
            const auto method = op.first.as<std::string>();
            if (method == "parameters") {
                continue;
            }
            const std::string key = upper(method) + " " + path.first.as<std::string>();
            documented.insert(key);
            EXPECT_TRUE(op.second["summary"]) << key;
            EXPECT_TRUE(op.second["responses"]) << key;
            const auto security = op.second["security"];
            if (security && security.IsSequence() && security.size() == 0) {
                open_documented.insert(key);
            }
        }
    }
    std::set<std::string> routed;
    std::set<std::string> open_routed;
    for (const auto& route : w.api->routes()) {
        const std::string key = route.method + " " + route.pattern;
        routed.insert(key);
        if (!route.authenticated) {
            open_routed.insert(key);
        }
    }
    for (const auto& key : routed) {
        EXPECT_TRUE(documented.count(key)) << key << " is routed but not in openapi.yaml";
    }
    for (const auto& key : documented) {
        EXPECT_TRUE(routed.count(key)) << key << " is in openapi.yaml but not routed";
    }
    EXPECT_EQ(open_documented, open_routed);
    EXPECT_EQ(open_routed,
              (std::set<std::string>{"GET /healthz", "POST /api/v1/session",
                                     "POST /api/v1/password-reset",
                                     "POST /api/v1/password-reset/complete"}));
}

}  // namespace
}  // namespace cyberalarm::server::api::test
