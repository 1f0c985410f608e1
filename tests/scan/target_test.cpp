// Target policy: only verified assets (or loopback in lab mode) are scanned, names are
// resolved and their addresses checked, refusals name the target. Port lists, scan windows.
#include <gtest/gtest.h>

#include "scan/target.h"

namespace cyberalarm::scan {
namespace {

core::IpAddress ip(const char* s) { return *core::IpAddress::parse(s); }

// A resolver that knows a few names and nothing else (no DNS traffic in tests).
Resolver fake_resolver() {
    return [](std::string_view name) -> core::Result<std::vector<core::IpAddress>> {
        if (name == "www.member.test") {
            return std::vector<core::IpAddress>{ip("127.0.0.5")};
        }
        if (name == "evil.member.test") {
            return std::vector<core::IpAddress>{ip("127.0.0.5"), ip("198.51.100.7")};
        }
        if (name == "localhost") {
            return std::vector<core::IpAddress>{ip("127.0.0.1"), ip("::1")};
        }
        return core::fail(core::Error::not_found("cannot resolve '" + std::string(name) + "'"));
    };
}

store::Asset asset(store::AssetKind kind, const char* value, bool verified) {
    store::Asset a;
    a.kind = kind;
    a.value = value;
    a.verified_ns = verified ? 1 : 0;
    return a;
}

TargetPolicy member_policy() {
    static const std::vector<store::Asset> assets = {
        asset(store::AssetKind::kNetwork, "127.0.0.0/29", true),
        asset(store::AssetKind::kDomain, "member.test", true),
        asset(store::AssetKind::kNetwork, "127.0.1.0/24", false),  // claimed, not proven
        asset(store::AssetKind::kHost, "unproven.example", false),
    };
    return TargetPolicy::from_assets(assets);
}

core::Result<std::vector<ResolvedTarget>> resolve(const TargetPolicy& p,
                                                  std::vector<std::string> targets) {
    return p.resolve(targets, fake_resolver());
}

TEST(TargetPolicyTest, AcceptsVerifiedAddressesRangesAndNames) {
    auto r = resolve(member_policy(), {"127.0.0.3", "127.0.0.0/30", "www.member.test"});
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[1].addresses.size(), 4u);
    EXPECT_EQ((*r)[2].host, "www.member.test");
    EXPECT_EQ((*r)[2].addresses, std::vector<core::IpAddress>{ip("127.0.0.5")});
}

TEST(TargetPolicyTest, RefusesUnverifiedAddressNamingIt) {
    auto r = resolve(member_policy(), {"127.0.0.3", "127.0.1.9"});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), core::ErrorCode::kPermissionDenied);
    EXPECT_NE(r.error().message().find("'127.0.1.9'"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("not in a verified network asset"), std::string::npos);
}

TEST(TargetPolicyTest, RefusesRangePartlyOutside) {
    auto r = resolve(member_policy(), {"127.0.0.0/28"});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("127.0.0.8"), std::string::npos) << r.error().message();
}

TEST(TargetPolicyTest, RefusesNameResolvingToUnverifiedAddress) {
    auto r = resolve(member_policy(), {"evil.member.test"});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), core::ErrorCode::kPermissionDenied);
    EXPECT_NE(r.error().message().find("resolves to 198.51.100.7"), std::string::npos)
        << r.error().message();
}

TEST(TargetPolicyTest, RefusesUnverifiedAndUnknownNames) {
    auto r = resolve(member_policy(), {"unproven.example"});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("not a verified asset"), std::string::npos);
    auto nx = resolve(member_policy(), {"nothing.member.test"});
    ASSERT_FALSE(nx.has_value());
    EXPECT_NE(nx.error().message().find("nothing.member.test"), std::string::npos);
    EXPECT_FALSE(resolve(member_policy(), {"bad name!"}).has_value());
    EXPECT_FALSE(resolve(member_policy(), {"127.0.0.0/99"}).has_value());
}

TEST(TargetPolicyTest, RefusesHugeRangesInsteadOfTruncating) {
    std::vector<store::Asset> wide = {asset(store::AssetKind::kNetwork, "10.0.0.0/8", true)};
    auto r = TargetPolicy::from_assets(wide).resolve(std::vector<std::string>{"10.0.0.0/16"},
                                                     fake_resolver());
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("split it"), std::string::npos);
}

TEST(TargetPolicyTest, LoopbackModeAllowsOnlyLoopback) {
    TargetPolicy p = TargetPolicy::loopback_only();
    auto ok = resolve(p, {"127.0.0.1", "::1", "127.10.0.0/30", "localhost"});
    ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
    EXPECT_EQ((*ok)[3].addresses.size(), 2u);
    for (const char* outside : {"192.0.2.1", "10.0.0.1", "::2", "128.0.0.1", "evil.member.test"}) {
        auto r = resolve(p, {outside});
        ASSERT_FALSE(r.has_value()) << outside;
        EXPECT_EQ(r.error().code(), core::ErrorCode::kPermissionDenied) << outside;
        EXPECT_NE(r.error().message().find(outside), std::string::npos) << r.error().message();
        EXPECT_NE(r.error().message().find("--allow-loopback"), std::string::npos);
    }
}

TEST(TargetPolicyTest, UnverifiedAssetsGrantNothing) {
    std::vector<store::Asset> none = {asset(store::AssetKind::kNetwork, "127.0.0.0/8", false)};
    EXPECT_FALSE(TargetPolicy::from_assets(none)
                     .resolve(std::vector<std::string>{"127.0.0.1"}, fake_resolver())
                     .has_value());
}

TEST(Ports, ParsesListsRangesAndAll) {
    auto p = parse_ports("443, 22,80-82,22");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(*p, (std::vector<std::uint16_t>{22, 80, 81, 82, 443}));
    EXPECT_EQ(parse_ports("-")->size(), 65535u);
    EXPECT_EQ(parse_ports("all")->back(), 65535);
    for (const char* bad : {"0", "65536", "80-20", "x", "", "1-", ",,"}) {
        EXPECT_FALSE(parse_ports(bad).has_value()) << bad;
    }
}

TEST(Window, OpenAndWrappingWindows) {
    auto w = ScanWindow::parse("22:00-06:00");
    ASSERT_TRUE(w.has_value());
    std::int64_t hour = std::int64_t{3600} * 1'000'000'000;
    EXPECT_TRUE(w->open_at(23 * hour));
    EXPECT_TRUE(w->open_at(24 * hour + 5 * hour));
    EXPECT_FALSE(w->open_at(12 * hour));
    EXPECT_EQ(w->to_string(), "22:00-06:00 UTC");
    auto day = ScanWindow::parse("09:00-17:30");
    ASSERT_TRUE(day.has_value());
    EXPECT_TRUE(day->open_at(9 * hour));
    EXPECT_FALSE(day->open_at(17 * hour + hour / 2));
    EXPECT_TRUE(ScanWindow::parse("")->open_at(12345));
    for (const char* bad : {"9-17", "25:00-01:00", "10:00-10:00", "10:60-11:00"}) {
        EXPECT_FALSE(ScanWindow::parse(bad).has_value()) << bad;
    }
}

TEST(SplitList, TrimsAndDropsEmpties) {
    EXPECT_EQ(split_list(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(split_list("").empty());
}

}  // namespace
}  // namespace cyberalarm::scan
