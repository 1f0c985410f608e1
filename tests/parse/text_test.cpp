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

std::vector<std::pair<std::string, std::string>> read_kv(std::string_view s, char sep = ' ') {
    KvReader kv(s, sep);
    std::vector<std::pair<std::string, std::string>> got;
    std::string_view k;
    std::string_view v;
    while (kv.next(k, v)) {
        got.emplace_back(k, v);
    }
    return got;
}

// A relay that drops the syslog header but keeps the PRI glues it to the first key.
TEST(KvReader, SyslogPriGluedToTheFirstKeyIsNotPartOfIt) {
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(read_kv("<134>id=firewall sn=C0EAE4"),
              (Pairs{{"id", "firewall"}, {"sn", "C0EAE4"}}));
    EXPECT_EQ(read_kv("<7>a=1"), (Pairs{{"a", "1"}}));
    EXPECT_EQ(read_kv("<189>date=2024-05-01,time=10:00:00", ','),
              (Pairs{{"date", "2024-05-01"}, {"time", "10:00:00"}}));
    // With a full header the PRI is part of a bare word, skipped like the rest of it.
    EXPECT_EQ(read_kv("<134>May  1 10:00:00 fw id=firewall"), (Pairs{{"id", "firewall"}}));
    // Only "<digits>" is a PRI: other angle brackets stay in the key.
    EXPECT_EQ(read_kv("<x>a=1 <1234>b=2 <>c=3"),
              (Pairs{{"<x>a", "1"}, {"<1234>b", "2"}, {"<>c", "3"}}));
    EXPECT_EQ(read_kv("<134>=x <134>"), Pairs{});
}

TEST(Text, HasKeyAtATokenStart) {
    EXPECT_TRUE(has_key("id=1 fw=2", "fw="));
    EXPECT_TRUE(has_key("<134>fw=2", "fw="));
    EXPECT_FALSE(has_key("xfw=2", "fw="));
    EXPECT_FALSE(has_key("a,fw=2", "fw="));
    EXPECT_TRUE(has_key("a,fw=2", "fw=", " ,>"));
}

TEST(Text, EpochByNumberOfDigits) {
    EXPECT_EQ(epoch_to_ns("1700000000"), 1'700'000'000LL * 1'000'000'000);
    EXPECT_EQ(epoch_to_ns("\"1700000000123\""), 1'700'000'000'123LL * 1'000'000);
    EXPECT_EQ(epoch_to_ns("1700000000123456"), 1'700'000'000'123'456LL * 1'000);
    EXPECT_EQ(epoch_to_ns("1700000000123456789"), 1'700'000'000'123'456'789LL);
    EXPECT_FALSE(epoch_to_ns("0"));
    EXPECT_FALSE(epoch_to_ns(""));
    EXPECT_FALSE(epoch_to_ns("17000000001234567890"));
    EXPECT_FALSE(epoch_to_ns("12a"));
}

TEST(Text, IcontainsAndPriority) {
    EXPECT_TRUE(icontains("Connection DROPPED", "dropped"));
    EXPECT_TRUE(icontains("x", ""));
    EXPECT_FALSE(icontains("dro", "drop"));
    EXPECT_EQ(severity_from_priority(1), core::Severity::kHigh);
    EXPECT_EQ(severity_from_priority(3), core::Severity::kLow);
    EXPECT_EQ(severity_from_priority(7), core::Severity::kInfo);
    EXPECT_EQ(severity_from_priority(0), core::Severity::kUnknown);
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
