#include "core/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace cyberalarm::core {

namespace {

// Fast path for dotted quads: the common case in every firewall log.
std::optional<std::uint32_t> parse_v4(std::string_view s) {
    if (s.size() < 7 || s.size() > 15) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    int octets = 0;
    std::size_t i = 0;
    while (octets < 4) {
        std::uint32_t octet = 0;
        std::size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 3) {
            octet = octet * 10 + static_cast<std::uint32_t>(s[i] - '0');
            ++i;
            ++digits;
        }
        if (digits == 0 || octet > 255) {
            return std::nullopt;
        }
        value = (value << 8) | octet;
        ++octets;
        if (octets < 4) {
            if (i >= s.size() || s[i] != '.') {
                return std::nullopt;
            }
            ++i;
        }
    }
    if (i != s.size()) {
        return std::nullopt;
    }
    return value;
}

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress ip;
    std::memcpy(ip.bytes_.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size());
    ip.bytes_[12] = static_cast<std::uint8_t>(host_order >> 24);
    ip.bytes_[13] = static_cast<std::uint8_t>(host_order >> 16);
    ip.bytes_[14] = static_cast<std::uint8_t>(host_order >> 8);
    ip.bytes_[15] = static_cast<std::uint8_t>(host_order);
    ip.family_ = 4;
    return ip;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
    IpAddress ip;
    ip.bytes_ = bytes;
    ip.family_ = 6;
    return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    if (auto v4 = parse_v4(text)) {
        return IpAddress::v4(*v4);
    }
    if (auto pct = text.find('%'); pct != std::string_view::npos) {
        text = text.substr(0, pct);
    }
    if (text.size() < 2 || text.size() > 45 || text.find(':') == std::string_view::npos) {
        return std::nullopt;
    }
    char buf[46];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET6, buf, bytes.data()) != 1) {
        return std::nullopt;
    }
    return IpAddress::v6(bytes);
}

std::uint32_t IpAddress::v4_value() const {
    return (std::uint32_t{bytes_[12]} << 24) | (std::uint32_t{bytes_[13]} << 16) |
           (std::uint32_t{bytes_[14]} << 8) | std::uint32_t{bytes_[15]};
}

Uint128 IpAddress::as_u128() const {
    Uint128 v = 0;
    for (auto b : bytes_) {
        v = (v << 8) | b;
    }
    return v;
}

std::size_t IpAddress::format(char* buf) const {
    if (family_ == 0) {
        buf[0] = '\0';
        return 0;
    }
    if (family_ == 4) {
        char* p = buf;
        for (int i = 12; i < 16; ++i) {
            auto [end, ec] = std::to_chars(p, p + 3, bytes_[static_cast<std::size_t>(i)]);
            (void)ec;
            p = end;
            if (i != 15) {
                *p++ = '.';
            }
        }
        *p = '\0';
        return static_cast<std::size_t>(p - buf);
    }
    inet_ntop(AF_INET6, bytes_.data(), buf, 46);
    return std::strlen(buf);
}

std::string IpAddress::to_string() const {
    char buf[46];
    std::size_t n = format(buf);
    return std::string(buf, n);
}

Result<Cidr> Cidr::parse(std::string_view text) {
    auto slash = text.find('/');
    auto addr_text = text.substr(0, slash);
    auto ip = IpAddress::parse(addr_text);
    if (!ip) {
        return fail(Error::parse("not an IP address: '" + std::string(addr_text) + "'"));
    }
    unsigned max_prefix = ip->is_v4() ? 32 : 128;
    unsigned prefix = max_prefix;
    if (slash != std::string_view::npos) {
        auto p = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (ec != std::errc() || end != p.data() + p.size() || prefix > max_prefix) {
            return fail(Error::parse("bad prefix length '" + std::string(p) + "' in '" +
                                     std::string(text) + "'"));
        }
    }
    // Clear host bits in the 128-bit form.
    unsigned bits128 = ip->is_v4() ? prefix + 96 : prefix;
    auto bytes = ip->bytes();
    for (unsigned i = 0; i < 16; ++i) {
        unsigned bit_start = i * 8;
        if (bit_start >= bits128) {
            bytes[i] = 0;
        } else if (bit_start + 8 > bits128) {
            bytes[i] &= static_cast<std::uint8_t>(0xff << (8 - (bits128 - bit_start)));
        }
    }
    Cidr c;
    if (ip->is_v4()) {
        c.base = IpAddress::v4((std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) |
                               (std::uint32_t{bytes[14]} << 8) | bytes[15]);
    } else {
        c.base = IpAddress::v6(bytes);
    }
    c.prefix = static_cast<std::uint8_t>(prefix);
    return c;
}

bool Cidr::contains(const IpAddress& ip) const {
    if (ip.is_v4() != base.is_v4() || !ip.is_set()) {
        return false;
    }
    unsigned bits = base.is_v4() ? prefix + 96u : prefix;
    if (bits == 0) {
        return true;
    }
    Uint128 mask = ~static_cast<Uint128>(0) << (128 - bits);
    return (ip.as_u128() & mask) == base.as_u128();
}

std::string Cidr::to_string() const {
    return base.to_string() + "/" + std::to_string(prefix);
}

}  // namespace cyberalarm::core
