// CryptoPan: prefix-preserving pseudonymisation of IP addresses (Fan, Xu, Ammar, Moon 2004).
//
// Two addresses that share their first k bits map to two addresses that share exactly their
// first k bits, so subnets still group after pseudonymisation while the addresses themselves
// are hidden. The mapping is a bijection per key and deterministic: the same key gives the
// same output on every collector and every run.
//
// Key: 32 bytes. The first 16 are the AES-128 key of the pseudorandom function; the last 16
// are encrypted with it to form the pad, exactly as the reference implementation does, so
// output matches it bit for bit (tests/privacy/crypto_pan_test.cpp checks the published
// sample trace). IPv4 uses the 32-bit scheme; IPv6 the natural 128-bit extension (as the
// Go, Python and Rust implementations do).
//
// Cost: one AES block per address bit (32 for IPv4, 128 for IPv6), all computed in a single
// ECB call because every block depends on the input only. See docs/design/privacy.md.
//
// Thread safety: anonymise() is const and may be called from any number of threads. The
// object holds a small pool of OpenSSL cipher contexts, each created once and guarded by
// its own mutex; a caller takes whichever is free.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::privacy {

class CryptoPan {
public:
    static constexpr std::size_t kKeyBytes = 32;

    // Fails only if OpenSSL cannot set up AES-128 (kInternal).
    [[nodiscard]] static core::Result<CryptoPan> from_key(
        std::span<const std::uint8_t, kKeyBytes> key);

    CryptoPan(CryptoPan&&) noexcept;
    CryptoPan& operator=(CryptoPan&&) noexcept;
    CryptoPan(const CryptoPan&) = delete;
    CryptoPan& operator=(const CryptoPan&) = delete;
    ~CryptoPan();

    // The pseudonym of `ip`, of the same family. An unset address is returned unchanged.
    // REQUIRES: *this has not been moved from.
    [[nodiscard]] core::IpAddress anonymise(const core::IpAddress& ip) const;

private:
    struct Impl;
    explicit CryptoPan(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::privacy
