#include "intel/intel_set.h"

#include <gtest/gtest.h>

#include <random>

namespace cyberalarm::intel {
namespace {

core::IpAddress ip(std::string_view s) { return *core::IpAddress::parse(s); }

Indicator net(std::string_view cidr, std::string label, std::int64_t expires = 0,
              int confidence = 50) {
    Indicator ind;
    ind.type = IndicatorType::kPrefix;
    ind.prefix = *core::Cidr::parse(cidr);
    ind.label = std::move(label);
    ind.expires_ns = expires;
    ind.confidence = confidence;
    return ind;
}

Indicator dom(std::string name, std::string label, std::int64_t expires = 0) {
    Indicator ind;
    ind.type = IndicatorType::kDomain;
    ind.domain = std::move(name);
    ind.label = std::move(label);
    ind.expires_ns = expires;
    return ind;
}

std::string label_of(const Indicator* ind) { return ind == nullptr ? "-" : ind->label; }

TEST(IntelSet, EmptySetMatchesNothing) {
    IntelSet set;
    set.seal();
    EXPECT_EQ(set.match(ip("198.51.100.1"), 0), nullptr);
    EXPECT_EQ(set.match(ip("2001:db8::1"), 0), nullptr);
    EXPECT_EQ(set.match(core::IpAddress(), 0), nullptr);
    EXPECT_EQ(set.match_domain("evil.example", 0), nullptr);
    EXPECT_EQ(set.size(), 0u);
}

TEST(IntelSet, UnsealedSetMatchesNothing) {
    IntelSet set;
    set.add(net("198.51.100.1", "a"));
    EXPECT_EQ(set.match(ip("198.51.100.1"), 0), nullptr);
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("198.51.100.1"), 0)), "a");
}

TEST(IntelSet, ExactAddressAndPrefix) {
    IntelSet set;
    set.add(net("198.51.100.7", "host"));
    set.add(net("203.0.113.0/24", "net"));
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("198.51.100.7"), 0)), "host");
    EXPECT_EQ(set.match(ip("198.51.100.7"), 0)->type, IndicatorType::kAddress);
    EXPECT_EQ(set.match(ip("198.51.100.6"), 0), nullptr);
    EXPECT_EQ(set.match(ip("198.51.100.8"), 0), nullptr);
    EXPECT_EQ(label_of(set.match(ip("203.0.113.0"), 0)), "net");
    EXPECT_EQ(label_of(set.match(ip("203.0.113.255"), 0)), "net");
    EXPECT_EQ(set.match(ip("203.0.114.0"), 0), nullptr);
    EXPECT_EQ(set.match(ip("203.0.112.255"), 0), nullptr);
}

TEST(IntelSet, MostSpecificWins) {
    IntelSet set;
    set.add(net("10.0.0.0/8", "8"));
    set.add(net("10.1.0.0/16", "16"));
    set.add(net("10.1.2.0/24", "24"));
    set.add(net("10.1.2.3", "32"));
    set.add(net("10.200.0.0/16", "16b"));
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("10.1.2.3"), 0)), "32");
    EXPECT_EQ(label_of(set.match(ip("10.1.2.4"), 0)), "24");
    EXPECT_EQ(label_of(set.match(ip("10.1.3.0"), 0)), "16");
    EXPECT_EQ(label_of(set.match(ip("10.2.0.0"), 0)), "8");
    EXPECT_EQ(label_of(set.match(ip("10.200.9.9"), 0)), "16b");
    EXPECT_EQ(label_of(set.match(ip("10.255.255.255"), 0)), "8");
    EXPECT_EQ(set.match(ip("11.0.0.0"), 0), nullptr);
}

TEST(IntelSet, WholeSpaceAndEdges) {
    IntelSet set;
    set.add(net("0.0.0.0/0", "all"));
    set.add(net("255.255.255.255", "top"));
    set.add(net("0.0.0.0", "bottom"));
    set.add(net("::/0", "all6"));
    set.add(net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "top6"));
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("255.255.255.255"), 0)), "top");
    EXPECT_EQ(label_of(set.match(ip("255.255.255.254"), 0)), "all");
    EXPECT_EQ(label_of(set.match(ip("0.0.0.0"), 0)), "bottom");
    EXPECT_EQ(label_of(set.match(ip("0.0.0.1"), 0)), "all");
    EXPECT_EQ(label_of(set.match(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 0)), "top6");
    EXPECT_EQ(label_of(set.match(ip("::1"), 0)), "all6");
}

TEST(IntelSet, Ipv6AndFamiliesApart) {
    IntelSet set;
    set.add(net("2001:db8::/32", "doc"));
    set.add(net("2001:db8:bad::/48", "bad"));
    set.add(net("2001:db8:bad::dead", "dead"));
    set.add(net("198.51.100.0/24", "v4"));
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("2001:db8:bad::dead"), 0)), "dead");
    EXPECT_EQ(label_of(set.match(ip("2001:db8:bad::beef"), 0)), "bad");
    EXPECT_EQ(label_of(set.match(ip("2001:db8:1::1"), 0)), "doc");
    EXPECT_EQ(set.match(ip("2001:db9::1"), 0), nullptr);
    // An IPv4 prefix does not cover IPv6 addresses, even IPv4-mapped text.
    EXPECT_EQ(set.match(ip("::ffff:c633:6401"), 0), nullptr);
    EXPECT_EQ(set.match(ip("64:ff9b::c633:6401"), 0), nullptr);
}

TEST(IntelSet, HostBitsAreIgnored) {
    IntelSet set;
    Indicator ind = net("192.0.2.0/24", "n");
    ind.prefix.base = *core::IpAddress::parse("192.0.2.77");  // sloppy feed: host bits set
    set.add(ind);
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("192.0.2.1"), 0)), "n");
}

TEST(IntelSet, ExpiryFallsBackToLessSpecific) {
    IntelSet set;
    set.add(net("10.0.0.0/8", "outer"));              // never expires
    set.add(net("10.1.0.0/16", "inner", 1000));      // expires at 1000
    set.add(net("10.1.2.3", "host", 500));
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("10.1.2.3"), 0)), "host");    // 0 = ignore expiry
    EXPECT_EQ(label_of(set.match(ip("10.1.2.3"), 499)), "host");
    EXPECT_EQ(label_of(set.match(ip("10.1.2.3"), 500)), "inner");
    EXPECT_EQ(label_of(set.match(ip("10.1.2.3"), 999)), "inner");
    EXPECT_EQ(label_of(set.match(ip("10.1.2.3"), 1000)), "outer");
}

TEST(IntelSet, ExpiredEverywhereIsNoMatch) {
    IntelSet set;
    set.add(net("198.51.100.1", "old", 100));
    set.seal();
    EXPECT_EQ(set.match(ip("198.51.100.1"), 100), nullptr);
    EXPECT_NE(set.match(ip("198.51.100.1"), 99), nullptr);
}

TEST(IntelSet, DuplicatesPreferConfidenceThenLive) {
    IntelSet set;
    set.add(net("198.51.100.1", "low", 0, 20));
    set.add(net("198.51.100.1", "high-expiring", 100, 90));
    set.seal();
    EXPECT_EQ(label_of(set.match(ip("198.51.100.1"), 0)), "high-expiring");
    EXPECT_EQ(label_of(set.match(ip("198.51.100.1"), 50)), "high-expiring");
    EXPECT_EQ(label_of(set.match(ip("198.51.100.1"), 200)), "low");
    EXPECT_EQ(set.size(), 2u);
}

TEST(IntelSet, DomainsExactAndParents) {
    IntelSet set;
    set.add(dom("Evil.Example.", "evil"));
    set.add(dom("c2.bad.example", "c2", 100));
    set.add(dom("bad.example", "bad"));
    set.seal();
    EXPECT_EQ(label_of(set.match_domain("evil.example", 0)), "evil");
    EXPECT_EQ(label_of(set.match_domain("a.b.EVIL.example.", 0)), "evil");
    EXPECT_EQ(set.match_domain("notevil.example", 0), nullptr);
    EXPECT_EQ(set.match_domain("example", 0), nullptr);
    EXPECT_EQ(label_of(set.match_domain("x.c2.bad.example", 50)), "c2");
    EXPECT_EQ(label_of(set.match_domain("x.c2.bad.example", 150)), "bad");
    EXPECT_EQ(set.match_domain("", 0), nullptr);
    EXPECT_EQ(set.match_domain(std::string(400, 'a'), 0), nullptr);
}

TEST(IntelSet, InvalidIndicatorsAreDropped) {
    IntelSet set;
    set.add(Indicator{});                  // no address
    set.add(dom("", "empty"));
    EXPECT_EQ(set.size(), 0u);
}

TEST(IntelSet, MovedSetKeepsWorking) {
    IntelSet a;
    a.add(net("192.0.2.0/24", "n"));
    a.seal();
    IntelSet b = std::move(a);
    EXPECT_EQ(label_of(b.match(ip("192.0.2.9"), 0)), "n");
}

// The interval index against a brute-force scan, on random nested prefixes.
TEST(IntelSet, AgreesWithBruteForce) {
    std::mt19937 rng(7);
    std::vector<Indicator> all;
    IntelSet set;
    for (int i = 0; i < 3000; ++i) {
        auto len = static_cast<std::uint8_t>(rng() % 33);
        // Few distinct high bits, so prefixes nest often.
        std::uint32_t addr = static_cast<std::uint32_t>(rng() % 4) << 30 |
                             (static_cast<std::uint32_t>(rng()) & 0x00ff00ff);
        Indicator ind;
        std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
        ind.prefix.base = core::IpAddress::v4(addr & mask);
        ind.prefix.prefix = len;
        ind.expires_ns = (rng() % 3 == 0) ? static_cast<std::int64_t>(rng() % 1000 + 1) : 0;
        ind.confidence = static_cast<int>(rng() % 101);
        ind.label = std::to_string(i);
        all.push_back(ind);
        set.add(ind);
    }
    set.seal();
    for (int q = 0; q < 4000; ++q) {
        std::uint32_t addr = static_cast<std::uint32_t>(rng() % 4) << 30 |
                             (static_cast<std::uint32_t>(rng()) & 0x00ff00ff);
        auto a = core::IpAddress::v4(addr);
        std::int64_t at = (q % 2 == 0) ? 0 : static_cast<std::int64_t>(rng() % 1100 + 1);
        const Indicator* want = nullptr;
        for (const auto& ind : all) {
            bool is_live = at == 0 || ind.expires_ns == 0 || at < ind.expires_ns;
            if (!is_live || !ind.prefix.contains(a)) {
                continue;
            }
            if (want == nullptr || ind.prefix.prefix > want->prefix.prefix ||
                (ind.prefix.prefix == want->prefix.prefix && ind.confidence > want->confidence)) {
                want = &ind;
            }
        }
        const Indicator* got = set.match(a, at);
        ASSERT_EQ(got == nullptr, want == nullptr) << a.to_string() << " at " << at;
        if (got != nullptr) {
            ASSERT_EQ(got->prefix.prefix, want->prefix.prefix) << a.to_string();
            ASSERT_EQ(got->confidence, want->confidence) << a.to_string();
        }
    }
}

}  // namespace
}  // namespace cyberalarm::intel

namespace cyberalarm::intel {
namespace {

// IPv6 and narrow IPv4 feeds use buckets below a shared prefix; probe inside and outside it.
TEST(IntelSet, NarrowRangesAgreeWithBruteForce) {
    std::mt19937_64 rng(11);
    for (bool v6 : {false, true}) {
        std::vector<Indicator> all;
        IntelSet set;
        auto make = [&](std::uint64_t r) {
            if (v6) {
                std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
                b[4] = static_cast<std::uint8_t>(r & 3);
                b[15] = static_cast<std::uint8_t>(r >> 8);
                return core::IpAddress::v6(b);
            }
            return core::IpAddress::v4(0x0a000000u | static_cast<std::uint32_t>(r & 0x0300ff));
        };
        for (int i = 0; i < 500; ++i) {
            Indicator ind;
            unsigned max = v6 ? 128 : 32;
            unsigned len = max - static_cast<unsigned>(rng() % 12);
            ind.prefix = *core::Cidr::parse(make(rng()).to_string() + "/" + std::to_string(len));
            ind.label = std::to_string(i);
            all.push_back(ind);
            set.add(ind);
        }
        set.seal();
        for (int q = 0; q < 3000; ++q) {
            core::IpAddress a = q % 10 == 0 ? (v6 ? *core::IpAddress::parse(q % 20 ? "::1" : "ffff::1")
                                                  : core::IpAddress::v4(q % 20 ? 1u : 0xf0000000u))
                                            : make(rng());
            const Indicator* want = nullptr;
            for (const auto& ind : all) {
                if (ind.prefix.contains(a) &&
                    (want == nullptr || ind.prefix.prefix > want->prefix.prefix)) {
                    want = &ind;
                }
            }
            const Indicator* got = set.match(a, 0);
            ASSERT_EQ(got == nullptr, want == nullptr) << a.to_string();
            if (got != nullptr) {
                ASSERT_EQ(got->prefix.prefix, want->prefix.prefix) << a.to_string();
            }
        }
    }
}

}  // namespace
}  // namespace cyberalarm::intel
