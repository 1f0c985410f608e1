// Secrets the API makes and keeps: bearer and enrollment tokens, Argon2id password hashes
// (libsodium's crypto_pwhash_str, PHC strings), the key files kept beside the database
// (never in it), secretbox encryption of TOTP seeds, and Ed25519 signatures of the audit
// chain's checkpoints.
//
// Tokens are store::new_token() (32 bytes of CSPRNG output as hex) behind a prefix that says
// what they are ("cat_" API token, "cae_" enrollment token), so a leaked one is
// recognisable in logs and by secret scanners. Only store::token_hash() of the whole text
// is ever stored.
//
// Thread safety: functions are safe to call concurrently (sodium_init runs once).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
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
// True if the PHC string is Argon2id at no less than OWASP's floor (and nothing else: a
// bare SHA-256 digest or a plain password is false).
[[nodiscard]] bool is_strong_password_hash(std::string_view phc);

// ---- keys outside the database ----------------------------------------------------------------

// 32 secret bytes: the secretbox key that encrypts TOTP seeds, or the Ed25519 seed that
// signs audit checkpoints.
using SecretKey = std::array<unsigned char, 32>;

// Their files, in the server's data directory (docs/design/access.md).
inline constexpr std::string_view kSecretsKeyFile = "secrets.key";
inline constexpr std::string_view kAuditKeyFile = "audit-signing.key";

// Reads a key file (exactly 32 raw bytes, a regular file that group and others cannot read
// or write: kPermissionDenied naming the chmod otherwise). If it does not exist and `create`,
// makes it 0600 from the CSPRNG (O_EXCL, never replacing one); else kNotFound. Errors never
// contain key material.
[[nodiscard]] core::Result<SecretKey> load_key_file(const std::filesystem::path& path,
                                                    bool create);

// XSalsa20-Poly1305 (crypto_secretbox) with a fresh nonce: "sb1:" + hex(nonce ‖ box).
[[nodiscard]] std::string seal(const SecretKey& key, std::string_view plaintext);
// kCorrupt if the text is not one seal() made with this key (forged, edited or other key).
[[nodiscard]] core::Result<std::string> unseal(const SecretKey& key, std::string_view sealed);

// Ed25519 (crypto_sign) from a 32-byte seed.
struct SigningKey {
    std::array<unsigned char, 64> secret{};
    std::array<unsigned char, 32> public_key{};
};
[[nodiscard]] SigningKey signing_key_from_seed(const SecretKey& seed);
[[nodiscard]] std::string public_key_hex(const SigningKey& key);
[[nodiscard]] std::string sign_hex(const SigningKey& key, std::string_view message);
// False for a malformed key or signature as for a wrong one.
[[nodiscard]] bool verify_signature(std::string_view public_key_hex, std::string_view message,
                                    std::string_view signature_hex);

// Compares in time that depends on the length only (sodium_memcmp); false if lengths differ.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

// Lower-case hex and back (nullopt for odd length or a non-hex digit).
[[nodiscard]] std::string to_hex(const unsigned char* data, std::size_t size);
[[nodiscard]] std::optional<std::string> from_hex(std::string_view hex);

}  // namespace cyberalarm::server::api
