#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "parse/text.h"

namespace cyberalarm::parse {
namespace {

TEST(KvReader, QuotedAndBareValues) {
    KvReader kv(R"(date=2020-01-01 devname="FG 100" junk srcip=1.2.3.4 msg="say \"hi\"" empty=)");
    std::vector<std::pair<std::string, std::string>> got;
    std::string_view k;
    std::string_view v;
    while (kv.next(k, v)) {
        got.emplace_back(k, v);
    }
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[1].second, "FG 100");
    EXPECT_EQ(got[2].first, "srcip");
    EXPECT_EQ(got[3].second, R"(say \"hi\")");
    EXPECT_EQ(got[4].second, "");
}

TEST(SplitCsv, QuotesAndOverflow) {
    std::array<std::string_view, 4> f{};
    EXPECT_EQ(split_csv(R"(a,"b,c",,d,e)", f), 5u);
    EXPECT_EQ(f[0], "a");
    EXPECT_EQ(f[1], "b,c");
    EXPECT_EQ(f[2], "");
    EXPECT_EQ(f[3], "d");
    EXPECT_EQ(split_csv("", f), 1u);
    EXPECT_EQ(split_csv("\"unterminated", f), 1u);
    EXPECT_EQ(f[0], "unterminated");
}

TEST(Vocabulary, ActionsAndSeverities) {
    EXPECT_EQ(action_from_word("ACCEPT"), core::Action::kAllow);
    EXPECT_EQ(action_from_word("Deny"), core::Action::kDeny);
    EXPECT_EQ(action_from_word("dropped"), core::Action::kDrop);
    EXPECT_EQ(action_from_word("reset-both"), core::Action::kReject);
    EXPECT_EQ(action_from_word("alert"), core::Action::kAlert);
    EXPECT_EQ(action_from_word("teardown"), core::Action::kUnknown);
    EXPECT_EQ(severity_from_word("Critical"), core::Severity::kCritical);
    EXPECT_EQ(to_port("65535"), std::uint16_t{65535});
    EXPECT_FALSE(to_port("65536"));
    EXPECT_FALSE(to_port("12a"));
}

}  // namespace
}  // namespace cyberalarm::parse
