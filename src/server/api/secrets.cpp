#include "server/api/secrets.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "core/unique_fd.h"

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

bool is_strong_password_hash(std::string_view phc) {
    // "$argon2id$v=19$m=<KiB>,t=<ops>,p=<lanes>$<salt>$<hash>"
    constexpr std::string_view kPrefix = "$argon2id$v=19$m=";
    if (phc.substr(0, kPrefix.size()) != kPrefix) {
        return false;
    }
    std::string_view rest = phc.substr(kPrefix.size());
    std::uint64_t mem_kib = 0;
    std::uint64_t ops = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), mem_kib);
    if (ec != std::errc{} || std::string_view(p, 3) != ",t=") {
        return false;
    }
    p += 3;
    auto [q, ec2] = std::from_chars(p, rest.data() + rest.size(), ops);
    return ec2 == std::errc{} && *q == ',' && ops >= kMinPasswordOps &&
           mem_kib * 1024 >= kMinPasswordMem;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

std::string to_hex(const unsigned char* data, std::size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, size);
    out.pop_back();
    return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out(hex.size() / 2, '\0');
    std::size_t written = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                       hex.size(), nullptr, &written, &end) != 0 ||
        written != out.size() || end != hex.data() + hex.size()) {
        return std::nullopt;
    }
    return out;
}

core::Result<SecretKey> load_key_file(const std::filesystem::path& path, bool create) {
    ensure_sodium();
    const std::string name = path.string();
    core::UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid() && errno == ENOENT) {
        if (!create) {
            return core::fail(core::Error::not_found("key file " + name + " does not exist"));
        }
        // O_EXCL: never replace a key (nor follow a planted link); 0600 from the start.
        core::UniqueFd out(
            ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        SecretKey key{};
        randombytes_buf(key.data(), key.size());
        if (!out.valid() || ::write(out.get(), key.data(), key.size()) !=
                                static_cast<ssize_t>(key.size()) ||
            ::fsync(out.get()) != 0 || out.close() != 0) {
            sodium_memzero(key.data(), key.size());
            return core::fail(core::Error::io("cannot create key file " + name));
        }
        return key;
    }
    if (!fd.valid()) {
        return core::fail(core::Error::io("cannot open key file " + name));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return core::fail(core::Error::invalid_argument(name + " is not a regular file"));
    }
    if ((st.st_mode & 077) != 0) {
        return core::fail(core::Error(core::ErrorCode::kPermissionDenied,
                                      "key file " + name +
                                          " is readable or writable by others (chmod 600 " +
                                          name + ")"));
    }
    SecretKey key{};
    std::array<unsigned char, 33> buf{};
    const auto n = ::read(fd.get(), buf.data(), buf.size());
    if (n != static_cast<ssize_t>(key.size())) {
        sodium_memzero(buf.data(), buf.size());
        return core::fail(core::Error::corrupt("key file " + name + " is not 32 bytes"));
    }
    std::copy_n(buf.begin(), key.size(), key.begin());
    sodium_memzero(buf.data(), buf.size());
    return key;
}

namespace {
constexpr std::string_view kSealPrefix = "sb1:";
}  // namespace

std::string seal(const SecretKey& key, std::string_view plaintext) {
    ensure_sodium();
    std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                   plaintext.size());
    randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), out.data(), key.data());
    return std::string(kSealPrefix) + to_hex(out.data(), out.size());
}

core::Result<std::string> unseal(const SecretKey& key, std::string_view sealed) {
    ensure_sodium();
    auto refuse = [] { return core::fail(core::Error::corrupt("sealed secret does not open")); };
    if (sealed.substr(0, kSealPrefix.size()) != kSealPrefix) {
        return refuse();
    }
    auto raw = from_hex(sealed.substr(kSealPrefix.size()));
    if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        return refuse();
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
    std::string plain(raw->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES,
                      '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                   bytes + crypto_secretbox_NONCEBYTES,
                                   raw->size() - crypto_secretbox_NONCEBYTES, bytes,
                                   key.data()) != 0) {
        return refuse();
    }
    return plain;
}

SigningKey signing_key_from_seed(const SecretKey& seed) {
    ensure_sodium();
    SigningKey key;
    crypto_sign_seed_keypair(key.public_key.data(), key.secret.data(), seed.data());
    return key;
}

std::string public_key_hex(const SigningKey& key) {
    return to_hex(key.public_key.data(), key.public_key.size());
}

std::string sign_hex(const SigningKey& key, std::string_view message) {
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         key.secret.data());
    return to_hex(sig.data(), sig.size());
}

bool verify_signature(std::string_view public_key_hex, std::string_view message,
                      std::string_view signature_hex) {
    ensure_sodium();
    const auto pub = from_hex(public_key_hex);
    const auto sig = from_hex(signature_hex);
    if (!pub || !sig || pub->size() != crypto_sign_PUBLICKEYBYTES ||
        sig->size() != crypto_sign_BYTES) {
        return false;
    }
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                       reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(),
                                       reinterpret_cast<const unsigned char*>(pub->data())) == 0;
}

}  // namespace cyberalarm::server::api
