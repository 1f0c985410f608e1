#include "privacy/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <string>

#include "support/test_support.h"

namespace cyberalarm::privacy {
namespace {

namespace fs = std::filesystem;

constexpr char kHexKey[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

Key counting_key() {
    Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(i);
    }
    return k;
}

void write(const fs::path& p, std::string_view contents, fs::perms mode) {
    std::ofstream(p, std::ios::binary) << contents;
    fs::permissions(p, mode);
}

constexpr fs::perms kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

TEST(ParseKey, AcceptsRawBytesAndHexWithTrailingWhitespace) {
    std::string raw(32, '\0');
    for (std::size_t i = 0; i < raw.size(); ++i) {
        raw[i] = static_cast<char>(i);
    }
    EXPECT_EQ(parse_key(raw).value(), counting_key());
    EXPECT_EQ(parse_key(kHexKey).value(), counting_key());
    EXPECT_EQ(parse_key(std::string(kHexKey) + "\n").value(), counting_key());
    EXPECT_EQ(parse_key(std::string(kHexKey) + " \r\n").value(), counting_key());
    std::string upper = kHexKey;
    for (auto& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    EXPECT_EQ(parse_key(upper).value(), counting_key());
}

TEST(ParseKey, RefusesOtherShapesWithoutEchoingTheKey) {
    std::string hex = kHexKey;
    for (const std::string& bad :
         {std::string(), std::string(31, 'a'), std::string(33, 'a'), hex.substr(0, 63), hex + "0",
          "\n" + hex, hex.substr(0, 10) + "zz" + hex.substr(12)}) {
        auto k = parse_key(bad);
        ASSERT_FALSE(k) << bad;
        EXPECT_EQ(k.error().code(), core::ErrorCode::kParse);
        EXPECT_EQ(k.error().message().find("0102030405"), std::string::npos) << k.error().message();
    }
}

TEST(KeyFile, NewKeyFileIsOwnerOnlyRandomAndReadsBack) {
    test::TempDir dir;
    mode_t old = ::umask(0);  // a lax umask must not make the key readable by others
    auto a = write_new_key_file(dir.path() / "a.key");
    ::umask(old);
    ASSERT_TRUE(a) << a.error().to_string();
    struct stat st {};
    ASSERT_EQ(::stat((dir.path() / "a.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    std::string text = test::read_file(dir.path() / "a.key");
    EXPECT_EQ(text.size(), 65u);
    EXPECT_EQ(text.back(), '\n');

    auto loaded = load_key_file(dir.path() / "a.key");
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    EXPECT_EQ(*loaded, *a);

    auto b = write_new_key_file(dir.path() / "b.key");
    ASSERT_TRUE(b);
    EXPECT_NE(*a, *b);
    EXPECT_NE(*a, Key{});
}

TEST(KeyFile, NeverOverwritesAKey) {
    test::TempDir dir;
    fs::path p = dir.path() / "k";
    write(p, kHexKey, kOwnerOnly);
    auto r = write_new_key_file(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kAlreadyExists);
    EXPECT_EQ(load_key_file(p).value(), counting_key());
    // Nor through a symlink planted where the key should go.
    fs::create_symlink(dir.path() / "elsewhere", dir.path() / "link");
    EXPECT_FALSE(write_new_key_file(dir.path() / "link"));
    EXPECT_FALSE(fs::exists(dir.path() / "elsewhere"));
}

TEST(KeyFile, LoadsRawKeyFiles) {
    test::TempDir dir;
    std::string raw(32, '\0');
    for (std::size_t i = 0; i < raw.size(); ++i) {
        raw[i] = static_cast<char>(i);
    }
    write(dir.path() / "raw", raw, kOwnerOnly);
    EXPECT_EQ(load_key_file(dir.path() / "raw").value(), counting_key());
}

TEST(KeyFile, RefusesKeysOthersCanRead) {
    test::TempDir dir;
    fs::path p = dir.path() / "k";
    write(p, kHexKey, kOwnerOnly | fs::perms::group_read | fs::perms::others_read);
    auto r = load_key_file(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kPermissionDenied);
    EXPECT_NE(r.error().message().find("0644"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("chmod 600"), std::string::npos);
    fs::permissions(p, kOwnerOnly | fs::perms::group_write);
    EXPECT_EQ(load_key_file(p).error().code(), core::ErrorCode::kPermissionDenied);
}

TEST(KeyFile, ReportsMissingDirectoryAndMalformedFiles) {
    test::TempDir dir;
    auto missing = load_key_file(dir.path() / "none");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), core::ErrorCode::kNotFound);

    auto directory = load_key_file(dir.path());
    ASSERT_FALSE(directory);
    EXPECT_EQ(directory.error().code(), core::ErrorCode::kInvalidArgument);

    fs::path p = dir.path() / "short";
    write(p, std::string(kHexKey).substr(0, 40), kOwnerOnly);
    auto bad = load_key_file(p);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), core::ErrorCode::kParse);
    EXPECT_NE(bad.error().message().find(p.string()), std::string::npos);
    EXPECT_EQ(bad.error().message().find("0001020304"), std::string::npos);

    fs::path big = dir.path() / "big";
    write(big, std::string(1 << 20, 'a'), kOwnerOnly);
    EXPECT_EQ(load_key_file(big).error().code(), core::ErrorCode::kParse);
}

}  // namespace
}  // namespace cyberalarm::privacy
