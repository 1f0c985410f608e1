// Passwords are Argon2id at no less than OWASP's cost; tokens are fresh and prefixed.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

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

// The check the store-backed test applies to every stored password: Argon2id at OWASP's floor
// passes; the old product's bare SHA-256, a plain password, Argon2i or a cheaper Argon2id fail.
TEST(Password, OnlyStrongArgon2idCountsAsAStoredPassword) {
    auto hash = hash_password("correct horse battery staple", 2, kMinPasswordMem);
    ASSERT_TRUE(hash);
    EXPECT_TRUE(is_strong_password_hash(*hash));
    EXPECT_FALSE(is_strong_password_hash(store::token_hash("correct horse battery staple")));
    EXPECT_FALSE(is_strong_password_hash("correct horse battery staple"));
    EXPECT_FALSE(is_strong_password_hash(""));
    EXPECT_FALSE(is_strong_password_hash("$argon2i$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"));
    EXPECT_FALSE(is_strong_password_hash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
    EXPECT_FALSE(is_strong_password_hash("$argon2id$v=19$m=65536,t=1,p=1$c2FsdA$aGFzaA"));
    EXPECT_FALSE(is_strong_password_hash("$argon2id$v=19$m=65536"));
}

TEST(SecretBox, SealsOpensAndRefusesOtherKeysAndEdits) {
    SecretKey key{};
    key.fill(1);
    SecretKey other{};
    other.fill(2);
    const auto sealed = seal(key, "JBSWY3DPEHPK3PXP-seed");
    EXPECT_EQ(sealed.rfind("sb1:", 0), 0u);
    EXPECT_EQ(sealed.find("JBSWY3DP"), std::string::npos);
    EXPECT_NE(sealed, seal(key, "JBSWY3DPEHPK3PXP-seed"));  // fresh nonce
    EXPECT_EQ(unseal(key, sealed).value_or(""), "JBSWY3DPEHPK3PXP-seed");
    EXPECT_FALSE(unseal(other, sealed));
    std::string edited = sealed;
    edited.back() = edited.back() == '0' ? '1' : '0';
    EXPECT_FALSE(unseal(key, edited));
    EXPECT_FALSE(unseal(key, "sb1:00"));
    EXPECT_FALSE(unseal(key, "plain"));
}

TEST(Signatures, VerifyOnlyTheSignedMessageUnderItsKey) {
    SecretKey seed{};
    seed.fill(3);
    const auto key = signing_key_from_seed(seed);
    const auto sig = sign_hex(key, "head 7");
    EXPECT_TRUE(verify_signature(public_key_hex(key), "head 7", sig));
    EXPECT_FALSE(verify_signature(public_key_hex(key), "head 8", sig));
    seed.fill(4);
    EXPECT_FALSE(verify_signature(public_key_hex(signing_key_from_seed(seed)), "head 7", sig));
    EXPECT_FALSE(verify_signature("zz", "head 7", sig));
}

TEST(KeyFiles, MadeOwnerOnlyAndRefusedWhenOthersCanRead) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("ca-keyfile-" + random_hex(12));
    std::filesystem::create_directories(dir);
    const auto path = dir / "k.key";
    EXPECT_EQ(load_key_file(path, false).error().code(), core::ErrorCode::kNotFound);
    auto made = load_key_file(path, true);
    ASSERT_TRUE(made);
    EXPECT_EQ(std::filesystem::status(path).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(*load_key_file(path, true), *made);  // never replaced
    std::filesystem::permissions(path, std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::add);
    const auto refused = load_key_file(path, false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), core::ErrorCode::kPermissionDenied);
    EXPECT_NE(refused.error().message().find("chmod 600"), std::string::npos);
    std::filesystem::remove_all(dir);
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
