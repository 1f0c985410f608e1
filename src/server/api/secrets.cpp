#include "server/api/secrets.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <vector>

#include "store/store.h"

namespace cyberalarm::server::api {

namespace {

// sodium_init is idempotent and thread-safe; a failure means no usable CSPRNG, which is
// not a state to serve from.
void ensure_sodium() {
    static const int ready = sodium_init();
    if (ready < 0) {
        std::abort();
    }
}

}  // namespace

std::string random_token(std::string_view prefix) { return std::string(prefix) + store::new_token(); }

std::string random_hex(std::size_t chars) { return store::new_token().substr(0, chars); }

core::Result<std::string> hash_password(std::string_view password, unsigned long long opslimit,
                                        std::size_t memlimit) {
    ensure_sodium();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    const auto ops = std::max(opslimit, kMinPasswordOps);
    const auto mem = std::max(memlimit, kMinPasswordMem);
    if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), ops, mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return core::fail(core::Error::exhausted("password hashing ran out of memory"));
    }
    return std::string(out.data());
}

bool verify_password(std::string_view phc, std::string_view password) {
    ensure_sodium();
    if (phc.size() >= crypto_pwhash_STRBYTES) {
        return false;
    }
    std::array<char, crypto_pwhash_STRBYTES> str{};
    std::copy(phc.begin(), phc.end(), str.begin());
    return crypto_pwhash_str_verify(str.data(), password.data(), password.size()) == 0;
}

}  // namespace cyberalarm::server::api
