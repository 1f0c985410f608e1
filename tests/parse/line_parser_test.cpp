#include <gtest/gtest.h>

#include "parse/line_parser.h"

namespace cyberalarm::parse {
namespace {

TEST(LineParser, UnknownLineIsCountedAsUnrecognised) {
    LineParser p(ParseContext{}, nullptr);
    core::Event e;
    auto r = p.parse("this is not a log line of any firewall", e);
    ASSERT_FALSE(r);
    EXPECT_EQ(p.stats().errors, 1u);
    EXPECT_EQ(p.stats().unrecognised, 1u);
}

TEST(LineParser, OverlongLinesAreCutAndCounted) {
    LineParser p(ParseContext{}, nullptr, 300);
    core::Event e;
    std::string line(1000, 'x');
    (void)p.parse(line, e);
    EXPECT_EQ(p.stats().truncated, 1u);
}

TEST(LineParser, EveryFormatHasAUniqueName) {
    auto all = all_formats();
    ASSERT_FALSE(all.empty());
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(find_format(all[i].name), &all[i]);
        EXPECT_FALSE(all[i].description.empty());
    }
}

}  // namespace
}  // namespace cyberalarm::parse
