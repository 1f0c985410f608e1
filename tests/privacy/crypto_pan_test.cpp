#include "privacy/crypto_pan.h"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace cyberalarm::privacy {
namespace {

using core::IpAddress;

// The sample key of the Crypto-PAn reference implementation (sample.cpp).
constexpr std::array<std::uint8_t, 32> kReferenceKey = {
    21,  34,  23,  141, 51,  164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
    216, 152, 143, 131, 121, 121, 101, 39,  98, 87, 76, 45, 42, 132, 34,  2};

// Address pairs from sample_trace_raw.dat / sample_trace_sanitized.dat, distributed with the
// reference implementation (every distinct address of the trace).
constexpr std::pair<const char*, const char*> kReferenceVectors[] = {
    {"128.11.68.132", "135.242.180.132"},   {"129.118.74.4", "134.136.186.123"},
    {"130.132.252.244", "133.68.164.234"},  {"141.223.7.43", "141.167.8.160"},
    {"141.233.145.108", "141.129.237.235"}, {"152.163.225.39", "151.140.114.167"},
    {"156.29.3.236", "147.225.12.42"},      {"165.247.96.84", "162.9.99.234"},
    {"166.107.77.190", "160.132.178.185"},  {"192.102.249.13", "252.138.62.131"},
    {"192.215.32.125", "252.43.47.189"},    {"192.233.80.103", "252.25.108.8"},
    {"192.41.57.43", "252.222.221.184"},    {"193.150.244.223", "253.169.52.216"},
    {"195.205.63.100", "255.186.223.5"},    {"198.200.171.101", "249.199.68.213"},
    {"198.26.132.101", "249.36.123.202"},   {"198.36.213.5", "249.7.21.132"},
    {"198.51.77.238", "249.18.186.254"},    {"199.217.79.101", "248.38.184.213"},
    {"202.49.198.20", "245.206.7.234"},     {"203.12.160.252", "244.248.163.4"},
    {"204.184.162.189", "243.192.77.90"},   {"204.202.136.230", "243.178.4.198"},
    {"204.29.20.4", "243.33.20.123"},       {"205.178.38.67", "242.108.198.51"},
    {"205.188.147.153", "242.96.16.101"},   {"205.188.248.25", "242.96.88.27"},
    {"205.245.121.43", "242.21.121.163"},   {"207.105.49.5", "241.118.205.138"},
    {"207.135.65.238", "241.202.129.222"},  {"207.155.9.214", "241.220.250.22"},
    {"207.188.7.45", "241.255.249.220"},    {"207.25.71.27", "241.33.119.156"},
    {"207.33.151.131", "241.1.233.131"},    {"208.147.89.59", "227.237.98.191"},
    {"208.234.120.210", "227.154.67.17"},   {"208.28.185.184", "227.39.94.90"},
    {"208.52.56.122", "227.8.63.165"},      {"209.12.231.7", "226.243.167.8"},
    {"209.238.72.3", "226.6.119.243"},      {"209.246.74.109", "226.22.124.76"},
    {"209.68.60.238", "226.184.220.233"},   {"209.85.249.6", "226.170.70.6"},
    {"212.120.124.31", "228.135.163.231"},  {"212.146.8.236", "228.19.4.234"},
    {"212.186.227.154", "228.59.98.98"},    {"212.204.172.118", "228.71.195.169"},
    {"212.206.130.201", "228.69.242.193"},  {"216.148.237.145", "235.84.194.111"},
    {"216.157.30.252", "235.89.31.26"},     {"216.184.159.48", "235.96.225.78"},
    {"216.227.10.221", "235.28.253.36"},    {"216.254.18.172", "235.7.16.162"},
    {"216.32.132.250", "235.192.139.38"},   {"216.35.217.178", "235.195.157.81"},
    {"24.0.250.221", "100.15.198.226"},     {"24.13.62.231", "100.2.192.247"},
    {"24.14.213.138", "100.1.42.141"},      {"24.5.0.80", "100.9.15.210"},
    {"24.7.198.88", "100.10.6.25"},         {"24.94.26.44", "100.88.228.35"},
    {"38.15.67.68", "64.3.66.187"},         {"4.3.88.225", "124.60.155.63"},
    {"63.14.55.111", "95.9.215.7"},         {"63.195.241.44", "95.179.238.44"},
    {"63.97.7.140", "95.97.9.123"},         {"64.14.118.196", "0.255.183.58"},
    {"64.34.154.117", "0.221.154.117"},     {"64.39.15.238", "0.219.7.41"},
    {"10.185.25.118", "117.161.29.118"},
};

// IPv6 under the same key, as the Go implementation (github.com/Yawning/cryptopan) computes
// it with the 128-bit extension: an independent implementation to agree with.
constexpr std::pair<const char*, const char*> kIpv6Vectors[] = {
    {"::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"},
    {"::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"},
    {"::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"},
    {"2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"},
    {"2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"},
};

IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    EXPECT_TRUE(a) << text;
    return a.value_or(IpAddress());
}

CryptoPan reference_pan() {
    auto pan = CryptoPan::from_key(kReferenceKey);
    EXPECT_TRUE(pan);
    return std::move(*pan);
}

// Leading bits two addresses of one family share (32 or 128 when equal).
unsigned common_prefix(const IpAddress& a, const IpAddress& b) {
    if (a.is_v4()) {
        std::uint32_t x = a.v4_value() ^ b.v4_value();
        return static_cast<unsigned>(std::countl_zero(x));
    }
    unsigned n = 0;
    for (std::size_t i = 0; i < 16; ++i) {
        auto x = static_cast<std::uint8_t>(a.bytes()[i] ^ b.bytes()[i]);
        if (x != 0) {
            return n + static_cast<unsigned>(std::countl_zero(x));
        }
        n += 8;
    }
    return n;
}

IpAddress random_v6(std::mt19937_64& rng) {
    std::array<std::uint8_t, 16> b{};
    for (auto& x : b) {
        x = static_cast<std::uint8_t>(rng());
    }
    return IpAddress::v6(b);
}

// `a` with bit `k` flipped and every bit after it random: shares exactly k leading bits.
IpAddress diverge_at(const IpAddress& a, unsigned k, std::mt19937_64& rng) {
    if (a.is_v4()) {
        std::uint32_t v = a.v4_value();
        std::uint32_t flip = 0x80000000u >> k;
        std::uint32_t low = k == 31 ? 0 : (0xffffffffu >> (k + 1));
        return IpAddress::v4(((v ^ flip) & ~low) | (static_cast<std::uint32_t>(rng()) & low));
    }
    auto b = a.bytes();
    b[k / 8] ^= static_cast<std::uint8_t>(0x80 >> (k % 8));
    for (unsigned bit = k + 1; bit < 128; ++bit) {
        auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
        b[bit / 8] =
            static_cast<std::uint8_t>((rng() & 1) ? (b[bit / 8] | mask) : (b[bit / 8] & ~mask));
    }
    return IpAddress::v6(b);
}

TEST(CryptoPan, MatchesTheReferenceImplementationSampleTrace) {
    ASSERT_GE(std::size(kReferenceVectors), 20u);
    CryptoPan pan = reference_pan();
    for (const auto& [raw, sanitized] : kReferenceVectors) {
        IpAddress out = pan.anonymise(ip(raw));
        EXPECT_TRUE(out.is_v4());
        EXPECT_EQ(out.to_string(), sanitized) << raw;
    }
}

TEST(CryptoPan, Ipv6AgreesWithAnIndependentImplementation) {
    CryptoPan pan = reference_pan();
    for (const auto& [raw, expected] : kIpv6Vectors) {
        IpAddress out = pan.anonymise(ip(raw));
        EXPECT_TRUE(out.is_v6());
        EXPECT_EQ(out.to_string(), expected) << raw;
    }
}

TEST(CryptoPan, PreservesPrefixesExactlyForIpv4) {
    CryptoPan pan = reference_pan();
    std::mt19937_64 rng(4);
    for (int i = 0; i < 4000; ++i) {
        IpAddress a = IpAddress::v4(static_cast<std::uint32_t>(rng()));
        unsigned k = static_cast<unsigned>(rng() % 33);
        IpAddress b = k == 32 ? a : diverge_at(a, k, rng);
        ASSERT_EQ(common_prefix(a, b), k);
        ASSERT_EQ(common_prefix(pan.anonymise(a), pan.anonymise(b)), k)
            << a.to_string() << " " << b.to_string();
    }
}

TEST(CryptoPan, PreservesPrefixesExactlyForIpv6) {
    CryptoPan pan = reference_pan();
    std::mt19937_64 rng(6);
    for (int i = 0; i < 1500; ++i) {
        IpAddress a = random_v6(rng);
        unsigned k = static_cast<unsigned>(rng() % 129);
        IpAddress b = k == 128 ? a : diverge_at(a, k, rng);
        ASSERT_EQ(common_prefix(a, b), k);
        IpAddress pa = pan.anonymise(a);
        IpAddress pb = pan.anonymise(b);
        ASSERT_TRUE(pa.is_v6());
        ASSERT_EQ(common_prefix(pa, pb), k) << a.to_string() << " " << b.to_string();
    }
}

TEST(CryptoPan, IsOneToOneOverASubnet) {
    CryptoPan pan = reference_pan();
    std::set<std::uint32_t> seen;
    std::uint32_t base = 0x0a140000;  // 10.20.0.0/16
    for (std::uint32_t i = 0; i < 65536; ++i) {
        seen.insert(pan.anonymise(IpAddress::v4(base + i)).v4_value());
    }
    EXPECT_EQ(seen.size(), 65536u);
    // All of them still share one /16 (prefix preservation), just not 10.20/16.
    std::set<std::uint32_t> prefixes;
    for (auto v : seen) {
        prefixes.insert(v >> 16);
    }
    EXPECT_EQ(prefixes.size(), 1u);
}

TEST(CryptoPan, IsDeterministicPerKeyAndDiffersBetweenKeys) {
    CryptoPan a = reference_pan();
    CryptoPan b = reference_pan();
    auto other_key = kReferenceKey;
    other_key[0] ^= 1;
    auto c = CryptoPan::from_key(other_key);
    ASSERT_TRUE(c);
    std::mt19937_64 rng(9);
    int differ = 0;
    for (int i = 0; i < 200; ++i) {
        IpAddress v4 = IpAddress::v4(static_cast<std::uint32_t>(rng()));
        IpAddress v6 = random_v6(rng);
        EXPECT_EQ(a.anonymise(v4), b.anonymise(v4));
        EXPECT_EQ(a.anonymise(v6), b.anonymise(v6));
        EXPECT_EQ(a.anonymise(v4), a.anonymise(v4));
        differ += a.anonymise(v4) != c->anonymise(v4) ? 1 : 0;
        differ += a.anonymise(v6) != c->anonymise(v6) ? 1 : 0;
    }
    EXPECT_EQ(differ, 400);
}

TEST(CryptoPan, PadComesFromTheSecondHalfOfTheKey) {
    CryptoPan a = reference_pan();
    auto other_pad = kReferenceKey;
    other_pad[31] ^= 0x80;
    auto b = CryptoPan::from_key(other_pad);
    ASSERT_TRUE(b);
    EXPECT_NE(a.anonymise(ip("128.11.68.132")), b->anonymise(ip("128.11.68.132")));
}

TEST(CryptoPan, LeavesUnsetAddressesAndSurvivesAMove) {
    CryptoPan pan = reference_pan();
    EXPECT_FALSE(pan.anonymise(IpAddress()).is_set());
    CryptoPan moved = std::move(pan);
    EXPECT_EQ(moved.anonymise(ip("128.11.68.132")).to_string(), "135.242.180.132");
}

TEST(CryptoPan, GivesTheSameAnswersFromManyThreads) {
    CryptoPan pan = reference_pan();
    std::mt19937_64 rng(12);
    std::vector<IpAddress> inputs;
    for (int i = 0; i < 2000; ++i) {
        inputs.push_back(i % 4 == 0 ? random_v6(rng)
                                    : IpAddress::v4(static_cast<std::uint32_t>(rng())));
    }
    std::vector<IpAddress> expected;
    for (const auto& a : inputs) {
        expected.push_back(pan.anonymise(a));
    }
    constexpr int kThreads = 12;  // more than the context pool, so some wait
    std::vector<int> mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < inputs.size(); ++i) {
                std::size_t j = (i + static_cast<std::size_t>(t) * 97) % inputs.size();
                mismatches[static_cast<std::size_t>(t)] +=
                    pan.anonymise(inputs[j]) != expected[j] ? 1 : 0;
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    for (int m : mismatches) {
        EXPECT_EQ(m, 0);
    }
}

// Not a benchmark (bench/ is the place): records the cost per address so a regression of an
// order of magnitude is visible in the test log.
TEST(CryptoPan, RecordsItsSpeed) {
    CryptoPan pan = reference_pan();
    auto time_per = [&](const IpAddress& start, int n) {
        IpAddress a = start;
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) {
            a = pan.anonymise(a);
        }
        auto t1 = std::chrono::steady_clock::now();
        EXPECT_TRUE(a.is_set());
        return std::chrono::duration<double, std::nano>(t1 - t0).count() / n;
    };
    double v4 = time_per(ip("192.0.2.1"), 100'000);
    double v6 = time_per(ip("2001:db8::1"), 20'000);
    RecordProperty("ipv4_ns_per_address", static_cast<int>(v4));
    RecordProperty("ipv6_ns_per_address", static_cast<int>(v6));
    std::printf("Crypto-PAn: %.0f ns per IPv4 address, %.0f ns per IPv6 address\n", v4, v6);
}

}  // namespace
}  // namespace cyberalarm::privacy
