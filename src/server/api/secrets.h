// Secrets the API makes: bearer and enrollment tokens, and Argon2id password hashes
// (libsodium's crypto_pwhash_str, PHC strings).
//
// Tokens are store::new_token() (32 bytes of CSPRNG output as hex) behind a prefix that says
// what they are ("cat_" API token, "cae_" enrollment token), so a leaked one is
// recognisable in logs and by secret scanners. Only store::token_hash() of the whole text
// is ever stored.
//
// Thread safety: functions are safe to call concurrently (sodium_init runs once).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cyberalarm::server::api {

inline constexpr std::string_view kApiTokenPrefix = "cat_";
inline constexpr std::string_view kEnrollTokenPrefix = "cae_";

// `prefix` + 64 hex characters of fresh randomness.
[[nodiscard]] std::string random_token(std::string_view prefix);
// `chars` (at most 64) hex characters of fresh randomness, for ids and public challenges.
[[nodiscard]] std::string random_hex(std::size_t chars);

// OWASP's floor for Argon2id (t=2, m=19 MiB); lower requested costs are raised to it.
inline constexpr unsigned long long kMinPasswordOps = 2;
inline constexpr std::size_t kMinPasswordMem = 19 * 1024 * 1024;

// A PHC "$argon2id$v=19$m=…,t=…,p=1$…" string. kResourceExhausted if memory ran out.
[[nodiscard]] core::Result<std::string> hash_password(std::string_view password,
                                                      unsigned long long opslimit,
                                                      std::size_t memlimit);
// True if `password` matches the PHC string (for tests and the portal's login).
[[nodiscard]] bool verify_password(std::string_view phc, std::string_view password);

}  // namespace cyberalarm::server::api
