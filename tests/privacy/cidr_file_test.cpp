#include "privacy/cidr_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/test_support.h"

namespace cyberalarm::privacy {
namespace {

using core::IpAddress;

bool has(const core::CidrSet& s, const char* addr) {
    return s.contains(IpAddress::parse(addr).value());
}

core::Error error_of(std::string_view text, const CidrListOptions& o = {}) {
    auto r = parse_cidr_list(text, "nets.txt", o);
    EXPECT_FALSE(r) << "accepted: " << text;
    return r ? core::Error::internal("accepted") : r.error();
}

TEST(CidrList, ReadsEntriesCommentsAndBlankLines) {
    std::string text =
        "\xEF\xBB\xBF# member networks\n"
        "10.0.0.0/8\n"
        "\n"
        "   192.0.2.0/24   # office\r\n"
        "\t2001:db8:10::/48\t\n"
        "198.51.100.7#no space before the comment\n"
        "   # indented comment\n"
        "2001:db8::99\n"
        "192.168.7.9/24";  // host bits, and no final newline
    auto set = parse_cidr_list(text, "nets.txt");
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_TRUE(has(*set, "10.200.1.1"));
    EXPECT_TRUE(has(*set, "192.0.2.255"));
    EXPECT_FALSE(has(*set, "192.0.3.0"));
    EXPECT_TRUE(has(*set, "2001:db8:10:ffff::1"));
    EXPECT_FALSE(has(*set, "2001:db8:11::1"));
    EXPECT_TRUE(has(*set, "198.51.100.7"));
    EXPECT_FALSE(has(*set, "198.51.100.8"));
    EXPECT_TRUE(has(*set, "2001:db8::99"));
    EXPECT_FALSE(has(*set, "2001:db8::98"));
    EXPECT_TRUE(has(*set, "192.168.7.200"));  // read as 192.168.7.0/24
    EXPECT_EQ(set->range_count(), 6u);
}

TEST(CidrList, EmptyAndCommentOnlyListsAreEmptySets) {
    for (std::string_view text : {"", "\n\n", "# nothing yet\n", "\r\n  \t\n"}) {
        auto set = parse_cidr_list(text, "nets.txt");
        ASSERT_TRUE(set);
        EXPECT_TRUE(set->empty());
    }
}

TEST(CidrList, BadEntriesNameFileLineAndText) {
    auto e = error_of("10.0.0.0/8\n# ok\n192.0.2.0/24\n10.0.0.300/8\n");
    EXPECT_EQ(e.code(), core::ErrorCode::kParse);
    EXPECT_EQ(e.line(), 4u);
    EXPECT_NE(e.message().find("nets.txt"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("'10.0.0.300/8'"), std::string::npos) << e.message();
    EXPECT_NE(e.to_string().find("line 4"), std::string::npos) << e.to_string();

    auto prefix = error_of("\n\n10.0.0.0/33\n");
    EXPECT_EQ(prefix.line(), 3u);
    EXPECT_NE(prefix.message().find("prefix length"), std::string::npos) << prefix.message();
    EXPECT_EQ(error_of("2001:db8::/129").line(), 1u);
    EXPECT_EQ(error_of("10.0.0.0/").line(), 1u);
    EXPECT_EQ(error_of("example.com\n").line(), 1u);

    auto two = error_of("10.0.0.0/8\n10.0.0.0/8 192.168.0.0/16\n");
    EXPECT_EQ(two.line(), 2u);
    EXPECT_NE(two.message().find("one address or prefix per line"), std::string::npos);
    EXPECT_EQ(error_of("10.0.0.0/8,192.168.0.0/16\n").line(), 1u);
}

TEST(CidrList, QuotesUnprintableTextEscapedAndShort) {
    auto e = error_of(std::string("10.0.0.\x01\x1b[31m\n"));
    EXPECT_NE(e.message().find("'10.0.0.\\x01\\x1b[31m'"), std::string::npos) << e.message();
    auto long_entry = error_of(std::string(200, '7') + "\n");
    EXPECT_NE(long_entry.message().find("...'"), std::string::npos);
    EXPECT_LT(long_entry.message().size(), 160u);
}

TEST(CidrList, OverLongLinesAndBinaryFilesAreClearErrors) {
    CidrListOptions o;
    o.max_line_bytes = 40;
    auto e = error_of("10.0.0.0/8\n# " + std::string(60, 'x') + "\n", o);
    EXPECT_EQ(e.code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(e.message().find("longer than 40 bytes"), std::string::npos) << e.message();

    auto bin =
        error_of(std::string("10.0.0.0/8\n192.0.2.0/24\n\x7f"
                             "ELF\x02\x01\x01\0\0\0",
                             34));
    EXPECT_EQ(bin.code(), core::ErrorCode::kParse);
    EXPECT_EQ(bin.line(), 3u);
    EXPECT_NE(bin.message().find("binary file"), std::string::npos) << bin.message();

    // Without a NUL, binary junk is a bad entry, quoted harmlessly.
    auto junk = error_of("\x89PNG\r\n\x1a\n");
    EXPECT_EQ(junk.line(), 1u);
    EXPECT_NE(junk.message().find("\\x89PNG"), std::string::npos) << junk.message();
}

TEST(CidrList, LimitsTheNumberOfEntries) {
    CidrListOptions o;
    o.max_entries = 2;
    auto e = error_of("10.0.0.0/8\n# c\n192.0.2.0/24\n198.51.100.0/24\n", o);
    EXPECT_EQ(e.code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ(e.line(), 4u);
    EXPECT_TRUE(parse_cidr_list("10.0.0.0/8\n192.0.2.0/24\n", "x", o));
}

TEST(CidrFile, LoadsAFileAndNamesItInErrors) {
    test::TempDir dir;
    auto path = dir.path() / "internal.txt";
    std::ofstream(path) << "# internal\n10.0.0.0/8\n2001:db8:1::/48\n";
    auto set = load_cidr_file(path);
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_TRUE(has(*set, "10.1.1.1"));
    EXPECT_TRUE(has(*set, "2001:db8:1::1"));

    auto bad_path = dir.path() / "bad.txt";
    std::ofstream(bad_path) << "10.0.0.0/8\nnot-an-address\n";
    auto bad = load_cidr_file(bad_path);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().line(), 2u);
    EXPECT_NE(bad.error().message().find(bad_path.string()), std::string::npos);
}

TEST(CidrFile, MissingDirectoryAndOversizedFiles) {
    test::TempDir dir;
    auto missing = load_cidr_file(dir.path() / "none.txt");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), core::ErrorCode::kNotFound);
    EXPECT_NE(missing.error().message().find("none.txt"), std::string::npos);

    auto directory = load_cidr_file(dir.path());
    ASSERT_FALSE(directory);
    EXPECT_EQ(directory.error().code(), core::ErrorCode::kInvalidArgument);

    auto path = dir.path() / "big.txt";
    {
        std::ofstream out(path);
        for (int i = 0; i < 1000; ++i) {
            out << "10.0." << i / 256 << "." << i % 256 << "\n";
        }
    }
    CidrListOptions o;
    o.max_bytes = 1000;
    auto big = load_cidr_file(path, o);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code(), core::ErrorCode::kResourceExhausted);
    auto whole = load_cidr_file(path);
    ASSERT_TRUE(whole);
    EXPECT_TRUE(has(*whole, "10.0.3.231"));
    EXPECT_FALSE(has(*whole, "10.0.3.232"));
}

}  // namespace
}  // namespace cyberalarm::privacy
