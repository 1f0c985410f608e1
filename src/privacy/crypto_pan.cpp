#include "privacy/crypto_pan.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

namespace cyberalarm::privacy {

namespace {

constexpr std::size_t kBlock = 16;
constexpr std::size_t kMaxBits = 128;
// Contexts in the pool: enough that collector input threads rarely wait on each other.
constexpr std::size_t kSlots = 8;

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

CtxPtr make_ctx(const std::uint8_t* aes_key) {
    CtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, aes_key, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
        return nullptr;
    }
    return ctx;
}

// Where a thread starts looking for a free context; spreads threads over the pool.
std::size_t home_slot() {
    thread_local const std::size_t slot =
        std::hash<std::thread::id>{}(std::this_thread::get_id()) % kSlots;
    return slot;
}

}  // namespace

struct CryptoPan::Impl {
    // One cache line each, so threads on different slots do not contend on a line.
    struct alignas(64) Slot {
        std::mutex mu;
        CtxPtr ctx;
    };

    std::array<Slot, kSlots> slots;
    std::array<std::uint8_t, kBlock> pad{};

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() { OPENSSL_cleanse(pad.data(), pad.size()); }

    // AES-128-ECB over `len` bytes (a multiple of 16). ECB with padding off keeps no state
    // between calls, so a context is reused without re-initialising it.
    void encrypt(const std::uint8_t* in, std::uint8_t* out, std::size_t len) {
        auto run = [&](Slot& s) {
            int out_len = 0;
            if (EVP_EncryptUpdate(s.ctx.get(), out, &out_len, in, static_cast<int>(len)) != 1 ||
                static_cast<std::size_t>(out_len) != len) {
                // Cannot happen with an initialised ECB context; going on would emit an
                // address that is not pseudonymised.
                std::abort();
            }
        };
        std::size_t home = home_slot();
        for (std::size_t i = 0; i < kSlots; ++i) {
            Slot& s = slots[(home + i) % kSlots];
            std::unique_lock lock(s.mu, std::try_to_lock);
            if (lock.owns_lock()) {
                run(s);
                return;
            }
        }
        std::lock_guard lock(slots[home].mu);
        run(slots[home]);
    }
};

CryptoPan::CryptoPan(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CryptoPan::CryptoPan(CryptoPan&&) noexcept = default;
CryptoPan& CryptoPan::operator=(CryptoPan&&) noexcept = default;
CryptoPan::~CryptoPan() = default;

core::Result<CryptoPan> CryptoPan::from_key(std::span<const std::uint8_t, kKeyBytes> key) {
    auto impl = std::make_unique<Impl>();
    for (auto& slot : impl->slots) {
        slot.ctx = make_ctx(key.data());
        if (!slot.ctx) {
            return core::fail(core::Error::internal("OpenSSL could not set up AES-128-ECB"));
        }
    }
    // The pad is the encryption of the key's second half (as in the reference code).
    impl->encrypt(key.data() + kBlock, impl->pad.data(), kBlock);
    return CryptoPan(std::move(impl));
}

core::IpAddress CryptoPan::anonymise(const core::IpAddress& ip) const {
    if (!ip.is_set()) {
        return ip;
    }
    // The address, most significant bit first, at the start of a 128-bit value.
    std::array<std::uint8_t, 16> addr{};
    std::size_t bits = 0;
    if (ip.is_v4()) {
        std::memcpy(addr.data(), ip.bytes().data() + 12, 4);
        bits = 32;
    } else {
        addr = ip.bytes();
        bits = kMaxBits;
    }

    // Block i: the first i bits of the address, then the pad's bits. The first bit of
    // AES(block i) is bit i of the one-time pad the address is XORed with.
    std::array<std::uint8_t, kMaxBits * kBlock> in;
    std::array<std::uint8_t, kMaxBits * kBlock> out;
    const auto& pad = impl_->pad;
    for (std::size_t pos = 0; pos < bits; ++pos) {
        std::uint8_t* block = in.data() + pos * kBlock;
        std::memcpy(block, pad.data(), kBlock);
        std::size_t whole = pos / 8;
        std::memcpy(block, addr.data(), whole);
        if (unsigned part = pos % 8; part != 0) {
            auto mask = static_cast<std::uint8_t>(0xff << (8 - part));
            block[whole] = static_cast<std::uint8_t>((addr[whole] & mask) | (pad[whole] & ~mask));
        }
    }
    impl_->encrypt(in.data(), out.data(), bits * kBlock);

    std::array<std::uint8_t, 16> result = addr;
    for (std::size_t pos = 0; pos < bits; ++pos) {
        auto bit = static_cast<std::uint8_t>(out[pos * kBlock] & 0x80);
        result[pos / 8] ^= static_cast<std::uint8_t>(bit >> (pos % 8));
    }
    if (ip.is_v4()) {
        return core::IpAddress::v4((std::uint32_t{result[0]} << 24) |
                                   (std::uint32_t{result[1]} << 16) |
                                   (std::uint32_t{result[2]} << 8) | result[3]);
    }
    return core::IpAddress::v6(result);
}

}  // namespace cyberalarm::privacy
