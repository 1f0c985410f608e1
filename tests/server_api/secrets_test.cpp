// Passwords are Argon2id at no less than OWASP's cost; tokens are fresh and prefixed.
#include <gtest/gtest.h>

#include <cstdio>

#include "server/api/secrets.h"
#include "store/store.h"

namespace cyberalarm::server::api {
namespace {

TEST(Password, Argon2idAtLeastOwaspCost) {
    // Asked for less than the floor: raised to t=2, m=19 MiB.
    auto hash = hash_password("correct horse battery staple", 1, 1024);
    ASSERT_TRUE(hash);
    // Not std::regex: GCC 12 at -O2 with the sanitizers warns inside libstdc++'s regex
    // compiler (a false maybe-uninitialized), which -Werror turns into a failed build.
    unsigned memory_kib = 0;
    unsigned passes = 0;
    char tail = 0;
    ASSERT_EQ(std::sscanf(hash->c_str(), "$argon2id$v=19$m=%u,t=%u,p=1%c", &memory_kib, &passes,
                          &tail),
              3)
        << *hash;
    EXPECT_EQ(tail, '$');
    EXPECT_GE(memory_kib, 19u * 1024);
    EXPECT_GE(passes, 2u);
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
