// Passwords are Argon2id at no less than OWASP's cost; tokens are fresh and prefixed.
#include <gtest/gtest.h>

#include <regex>

#include "server/api/secrets.h"
#include "store/store.h"

namespace cyberalarm::server::api {
namespace {

TEST(Password, Argon2idAtLeastOwaspCost) {
    // Asked for less than the floor: raised to t=2, m=19 MiB.
    auto hash = hash_password("correct horse battery staple", 1, 1024);
    ASSERT_TRUE(hash);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(*hash, m, std::regex(R"(^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=1\$)")))
        << *hash;
    EXPECT_GE(std::stoi(m[1]), 19 * 1024);
    EXPECT_GE(std::stoi(m[2]), 2);
    EXPECT_TRUE(verify_password(*hash, "correct horse battery staple"));
    EXPECT_FALSE(verify_password(*hash, "correct horse battery stapler"));
    EXPECT_NE(*hash, *hash_password("correct horse battery staple", 2, kMinPasswordMem));
}

TEST(Tokens, PrefixedFreshAndOnlyTheDigestIsStored) {
    const auto a = random_token(kApiTokenPrefix);
    const auto b = random_token(kApiTokenPrefix);
    EXPECT_EQ(a.substr(0, 4), "cat_");
    EXPECT_EQ(a.size(), 4u + 64u);
    EXPECT_NE(a, b);
    EXPECT_EQ(store::token_hash(a).size(), 64u);
    EXPECT_EQ(store::token_hash(a).find(a.substr(4)), std::string::npos);
    EXPECT_EQ(random_hex(24).size(), 24u);
}

}  // namespace
}  // namespace cyberalarm::server::api
