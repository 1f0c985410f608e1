#include "core/ip.h"

#include <gtest/gtest.h>

#include "core/cidr_set.h"

namespace cyberalarm::core {
namespace {

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
    auto v4 = IpAddress::parse("192.168.1.20");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->is_v4());
    EXPECT_EQ(v4->to_string(), "192.168.1.20");
    EXPECT_EQ(v4->v4_value(), 0xC0A80114u);

    auto v6 = IpAddress::parse("2001:db8::1");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->is_v6());
    EXPECT_EQ(v6->to_string(), "2001:db8::1");
    EXPECT_EQ(IpAddress::parse("[fe80::1%eth0]")->to_string(), "fe80::1");
}

TEST(IpAddress, RejectsMalformed) {
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-1", "01234.1.1.1", "abc",
                            "1.2.3.4 ", ":::", "2001:db8::g", "1.2.3.4/8"}) {
        EXPECT_FALSE(IpAddress::parse(bad)) << bad;
    }
}

TEST(Cidr, ParsesAndContains) {
    auto c = Cidr::parse("10.1.2.3/8");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->to_string(), "10.0.0.0/8");
    EXPECT_TRUE(c->contains(*IpAddress::parse("10.255.0.1")));
    EXPECT_FALSE(c->contains(*IpAddress::parse("11.0.0.1")));
    EXPECT_FALSE(c->contains(*IpAddress::parse("::a01:203")));
    auto c6 = Cidr::parse("2001:db8::/32");
    ASSERT_TRUE(c6);
    EXPECT_TRUE(c6->contains(*IpAddress::parse("2001:db8:ffff::1")));
    EXPECT_FALSE(c6->contains(*IpAddress::parse("2001:db9::1")));
    EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
    EXPECT_FALSE(Cidr::parse("10.0.0.0/"));
    EXPECT_FALSE(Cidr::parse("2001:db8::/129"));
}

TEST(CidrSet, MergesAndLooksUp) {
    CidrSet set;
    ASSERT_TRUE(
        set.add_list("10.0.0.0/8, 192.168.0.0/16 192.168.1.0/24,172.16.0.0/12 fd00::/8 "
                     "10.0.0.5"));
    set.seal();
    EXPECT_EQ(set.range_count(), 4u);  // the /24 and the /32 fold into their supernets
    EXPECT_TRUE(set.contains(*IpAddress::parse("10.9.9.9")));
    EXPECT_TRUE(set.contains(*IpAddress::parse("172.31.255.255")));
    EXPECT_FALSE(set.contains(*IpAddress::parse("172.32.0.0")));
    EXPECT_TRUE(set.contains(*IpAddress::parse("fd12::1")));
    EXPECT_FALSE(set.contains(*IpAddress::parse("fe80::1")));
    EXPECT_FALSE(set.contains(IpAddress()));
    auto bad = set.add_list("10.0.0.0/8, nonsense");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().offset(), 12u);
}

TEST(CidrSet, AdjacentRangesMergeAndEdgesHold) {
    CidrSet set;
    ASSERT_TRUE(set.add_list("0.0.0.0/1 128.0.0.0/1"));
    set.seal();
    EXPECT_EQ(set.range_count(), 1u);
    EXPECT_TRUE(set.contains(*IpAddress::parse("0.0.0.0")));
    EXPECT_TRUE(set.contains(*IpAddress::parse("255.255.255.255")));
}

}  // namespace
}  // namespace cyberalarm::core
