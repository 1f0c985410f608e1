// IpAddress: an IPv4 or IPv6 address as a 16-byte value, and Cidr, a prefix.
//
// IPv4 addresses are held in IPv4-mapped form (::ffff:a.b.c.d) so that one ordering and one
// prefix arithmetic serve both families; is_v4() tells them apart and to_string() prints
// IPv4 in dotted form. A default-constructed IpAddress is "none" (is_set() == false).
//
// Thread safety: plain values.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cyberalarm::core {

// 128-bit unsigned arithmetic for address ranges (a GCC/Clang extension).
__extension__ typedef unsigned __int128 Uint128;

class IpAddress {
public:
    IpAddress() = default;

    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);

    // Parses dotted IPv4 or RFC 4291 IPv6 text (with an optional %zone, which is dropped,
    // and optional surrounding brackets). Returns nullopt on anything else.
    [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);

    [[nodiscard]] bool is_set() const { return family_ != 0; }
    [[nodiscard]] bool is_v4() const { return family_ == 4; }
    [[nodiscard]] bool is_v6() const { return family_ == 6; }
    // REQUIRES: is_v4()
    [[nodiscard]] std::uint32_t v4_value() const;
    [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
    // The address as a 128-bit number (IPv4 in mapped form), for range arithmetic.
    [[nodiscard]] Uint128 as_u128() const;

    [[nodiscard]] std::string to_string() const;
    // Writes the textual form into buf (at least 46 bytes); returns the length.
    std::size_t format(char* buf) const;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
    friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
        if (auto c = a.family_ <=> b.family_; c != 0) {
            return c;
        }
        return a.bytes_ <=> b.bytes_;
    }

private:
    std::array<std::uint8_t, 16> bytes_{};
    std::uint8_t family_ = 0;  // 0 none, 4, 6
};

// An address prefix. For IPv4 the prefix length is given in IPv4 terms (0..32).
struct Cidr {
    IpAddress base;  // host bits cleared
    std::uint8_t prefix = 0;

    // "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128).
    [[nodiscard]] static Result<Cidr> parse(std::string_view text);
    [[nodiscard]] bool contains(const IpAddress& ip) const;
    [[nodiscard]] std::string to_string() const;
};

}  // namespace cyberalarm::core
