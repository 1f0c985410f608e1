#include "scan/target.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "scan/internal/net.h"

namespace cyberalarm::scan {

using core::Error;
using core::ErrorCode;
using core::fail;
using core::IpAddress;

namespace {

Error refused(std::string_view target, std::string why) {
    return Error(ErrorCode::kPermissionDenied,
                 "refusing target '" + std::string(target) + "': " + why);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    while (!out.empty() && out.back() == '.') {
        out.pop_back();  // "example.org." names the same host
    }
    return out;
}

bool is_loopback(const IpAddress& ip) {
    if (ip.is_v4()) {
        return (ip.v4_value() >> 24) == 127;
    }
    return ip == *IpAddress::parse("::1");
}

// A syntactically valid host name (RFC 1123 labels), so nothing odd reaches the resolver.
bool valid_host_name(std::string_view n) {
    if (n.empty() || n.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        char c = n[i];
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
        if (!ok || ++label > 63) {
            return false;
        }
    }
    return true;
}

}  // namespace

Resolver system_resolver() {
    return [](std::string_view name) -> core::Result<std::vector<IpAddress>> {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        std::string n(name);
        int rc = ::getaddrinfo(n.c_str(), nullptr, &hints, &res);
        if (rc != 0) {
            return fail(Error::not_found("cannot resolve '" + n + "': " + gai_strerror(rc)));
        }
        std::unique_ptr<addrinfo, void (*)(addrinfo*)> own(res, freeaddrinfo);
        std::vector<IpAddress> out;
        for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
            if (p->ai_family == AF_INET) {
                auto* sin = reinterpret_cast<sockaddr_in*>(p->ai_addr);
                out.push_back(IpAddress::v4(ntohl(sin->sin_addr.s_addr)));
            } else if (p->ai_family == AF_INET6) {
                auto* sin6 = reinterpret_cast<sockaddr_in6*>(p->ai_addr);
                std::array<std::uint8_t, 16> b{};
                std::memcpy(b.data(), &sin6->sin6_addr, 16);
                out.push_back(IpAddress::v6(b));
            }
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    };
}

TargetPolicy TargetPolicy::loopback_only() {
    TargetPolicy p;
    p.loopback_ = true;
    return p;
}

TargetPolicy TargetPolicy::from_assets(std::span<const store::Asset> assets) {
    TargetPolicy p;
    for (const store::Asset& a : assets) {
        if (a.verified_ns == 0) {
            continue;
        }
        switch (a.kind) {
            case store::AssetKind::kNetwork:
                if (auto c = core::Cidr::parse(a.value)) {
                    p.networks_.push_back(*c);
                }
                break;
            case store::AssetKind::kDomain:
                p.domains_.push_back(lower(a.value));
                break;
            case store::AssetKind::kHost:
                p.hosts_.push_back(lower(a.value));
                break;
        }
    }
    return p;
}

bool TargetPolicy::address_allowed(const IpAddress& ip) const {
    if (loopback_) {
        return is_loopback(ip);
    }
    return std::any_of(networks_.begin(), networks_.end(),
                       [&ip](const core::Cidr& c) { return c.contains(ip); });
}

bool TargetPolicy::name_allowed(std::string_view name) const {
    if (loopback_) {
        return true;  // the addresses decide
    }
    std::string n = lower(name);
    if (std::find(hosts_.begin(), hosts_.end(), n) != hosts_.end()) {
        return true;
    }
    return std::any_of(domains_.begin(), domains_.end(), [&n](const std::string& d) {
        return n == d || (n.size() > d.size() && n.compare(n.size() - d.size(), d.size(), d) == 0 &&
                          n[n.size() - d.size() - 1] == '.');
    });
}

namespace {

core::Result<std::vector<IpAddress>> expand(const core::Cidr& c, std::string_view target) {
    unsigned host_bits = c.base.is_v4() ? 32u - c.prefix : 128u - c.prefix;
    if (host_bits > 12) {  // 2^12 = kMaxAddressesPerTarget
        return fail(refused(target, "range has more than " +
                                        std::to_string(kMaxAddressesPerTarget) +
                                        " addresses; split it"));
    }
    std::vector<IpAddress> out;
    core::Uint128 base = c.base.as_u128();
    for (core::Uint128 k = 0; k < (core::Uint128{1} << host_bits); ++k) {
        core::Uint128 v = base + k;
        std::array<std::uint8_t, 16> b{};
        for (int i = 15; i >= 0; --i) {
            b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v & 0xff);
            v >>= 8;
        }
        IpAddress ip = IpAddress::v6(b);
        if (c.base.is_v4()) {
            ip = IpAddress::v4(static_cast<std::uint32_t>(base + k));
        }
        out.push_back(ip);
    }
    return out;
}

}  // namespace

core::Result<std::vector<ResolvedTarget>> TargetPolicy::resolve(
    std::span<const std::string> targets, const Resolver& resolver) const {
    std::vector<ResolvedTarget> out;
    for (const std::string& t : targets) {
        ResolvedTarget r;
        r.name = t;
        if (auto ip = IpAddress::parse(t)) {
            r.addresses = {*ip};
        } else if (t.find('/') != std::string::npos) {
            auto cidr = core::Cidr::parse(t);
            if (!cidr) {
                return fail(Error::invalid_argument("target '" + t + "' is not a valid range"));
            }
            auto all = expand(*cidr, t);
            if (!all) {
                return fail(all.error());
            }
            r.addresses = std::move(*all);
        } else {
            if (!valid_host_name(t)) {
                return fail(Error::invalid_argument("target '" + t +
                                                    "' is neither an address, a range nor a host name"));
            }
            if (!name_allowed(t)) {
                return fail(refused(t, "the name is not a verified asset of this member"));
            }
            auto addrs = resolver(t);
            if (!addrs) {
                return fail(refused(t, addrs.error().message()));
            }
            if (addrs->empty()) {
                return fail(refused(t, "the name resolves to no address"));
            }
            r.host = lower(t);
            r.addresses = std::move(*addrs);
        }
        for (const IpAddress& ip : r.addresses) {
            if (!address_allowed(ip)) {
                std::string what = r.host.empty() ? "address " + ip.to_string()
                                                  : "it resolves to " + ip.to_string() + ", which";
                return fail(refused(t, what + (loopback_ ? " is not loopback (--allow-loopback "
                                                           "permits only 127.0.0.0/8 and ::1)"
                                                         : " is not in a verified network asset")));
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        std::string_view item =
            text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) {
            item.remove_prefix(1);
        }
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            out.emplace_back(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        pos = comma + 1;
    }
    return out;
}

namespace {

bool parse_port(std::string_view s, unsigned& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out >= 1 && out <= 65535;
}

}  // namespace

core::Result<std::vector<std::uint16_t>> parse_ports(std::string_view text) {
    std::vector<std::uint16_t> out;
    for (const std::string& item : split_list(text)) {
        unsigned lo = 0;
        unsigned hi = 0;
        if (item == "-" || item == "all") {
            lo = 1;
            hi = 65535;
        } else if (std::size_t dash = item.find('-'); dash != std::string::npos) {
            if (!parse_port(std::string_view(item).substr(0, dash), lo) ||
                !parse_port(std::string_view(item).substr(dash + 1), hi) || lo > hi) {
                return fail(Error::invalid_argument("bad port range '" + item + "'"));
            }
        } else if (parse_port(item, lo)) {
            hi = lo;
        } else {
            return fail(Error::invalid_argument("bad port '" + item + "' (1-65535)"));
        }
        for (unsigned p = lo; p <= hi; ++p) {
            out.push_back(static_cast<std::uint16_t>(p));
        }
    }
    if (out.empty()) {
        return fail(Error::invalid_argument("empty port list"));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::uint16_t> default_tcp_ports() {
    return {21,   22,   23,   25,   53,   80,   110,  111,  135,   139,   143,  389,
            443,  445,  465,  587,  636,  873,  993,  995,  1433,  1521,  2049, 2375,
            2376, 3000, 3306, 3389, 5000, 5432, 5601, 5672, 5900,  5985,  6379, 8000,
            8008, 8080, 8081, 8443, 8888, 9000, 9090, 9200, 9300,  11211, 27017};
}

core::Result<ScanWindow> ScanWindow::parse(std::string_view text) {
    ScanWindow w;
    if (text.empty()) {
        return w;
    }
    auto minute = [](std::string_view hm, int& out) {
        unsigned h = 0;
        unsigned m = 0;
        if (hm.size() != 5 || hm[2] != ':') {
            return false;
        }
        auto r1 = std::from_chars(hm.data(), hm.data() + 2, h);
        auto r2 = std::from_chars(hm.data() + 3, hm.data() + 5, m);
        if (r1.ec != std::errc() || r2.ec != std::errc() || h > 24 || m > 59 ||
            (h == 24 && m != 0)) {
            return false;
        }
        out = static_cast<int>(h * 60 + m);
        return true;
    };
    std::size_t dash = text.find('-');
    if (dash == std::string_view::npos || !minute(text.substr(0, dash), w.start_minute) ||
        !minute(text.substr(dash + 1), w.end_minute) || w.start_minute == w.end_minute) {
        return fail(Error::invalid_argument("scan window '" + std::string(text) +
                                            "' is not HH:MM-HH:MM (UTC)"));
    }
    return w;
}

bool ScanWindow::open_at(std::int64_t unix_ns) const {
    std::int64_t day_ns = std::int64_t{86400} * 1'000'000'000;
    int m = static_cast<int>(((unix_ns % day_ns) + day_ns) % day_ns / 60'000'000'000);
    if (start_minute < end_minute) {
        return m >= start_minute && m < end_minute;
    }
    return m >= start_minute || m < end_minute;  // wraps past midnight
}

std::string ScanWindow::to_string() const {
    auto hm = [](int m) {
        std::string out;
        out += static_cast<char>('0' + m / 600);
        out += static_cast<char>('0' + m / 60 % 10);
        out += ':';
        out += static_cast<char>('0' + m % 60 / 10);
        out += static_cast<char>('0' + m % 10);
        return out;
    };
    return hm(start_minute) + "-" + hm(end_minute) + " UTC";
}

}  // namespace cyberalarm::scan
