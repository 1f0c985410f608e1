// The file input's saved position: its text form, its decoder (which refuses anything but
// that form) and its atomic replacement on disk.
#include "collector/inputs_tail_state.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace cyberalarm::collector::detail {
namespace {

TailState sample() {
    TailState s;
    s.path = "/var/log/fire wall%.log\n";
    s.device = 2049;
    s.inode = 18446744073709551615ull;
    s.offset = 123456;
    s.head_length = 1024;
    s.head_digest = head_digest("first line of the file\n");
    return s;
}

TEST(TailStateTest, RoundTrips) {
    TailState s = sample();
    std::string text = encode_tail_state(s);
    EXPECT_EQ(text.rfind("cyberalarm-tail-state 1\npath /var/log/fire%20wall%25.log%0a\n", 0), 0u);
    auto back = decode_tail_state(text);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, s);
}

TEST(TailStateTest, DigestIsSha256) {
    auto d = head_digest("abc");
    EXPECT_EQ(d[0], 0xba);
    EXPECT_EQ(d[31], 0xad);
}

TEST(TailStateTest, RefusesAnythingElse) {
    std::string good = encode_tail_state(sample());
    auto replace = [&](std::string_view from, std::string_view to) {
        std::string t = good;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    const std::string bad[] = {
        "",
        "cyberalarm-tail-state 2\n",
        good.substr(0, good.size() - 1),  // no final newline
        good + "extra\n",
        replace("device 2049", "device 02049"),
        replace("device 2049", "device -1"),
        replace("device 2049", "device 2049x"),
        replace("inode 18446744073709551615", "inode 18446744073709551616"),
        replace("offset 123456", "offsets 123456"),
        replace("offset 123456\n", ""),
        replace("head 1024", "head 1025"),
        replace("%20", "%2"),
        replace("%20", "%zz"),
        replace("fire%20wall", "fire wall"),
        replace("fire%20wall", "%66ire%20wall"),  // 'f' needs no escape
        replace("%0a", "%0A"),                    // not lower case
        replace("path /var", "path"),
        good.substr(0, good.size() - 2) + "g\n",  // not hex
    };
    for (const auto& text : bad) {
        auto r = decode_tail_state(text);
        EXPECT_FALSE(r) << "accepted: " << text;
        if (!r) {
            EXPECT_EQ(r.error().code(), core::ErrorCode::kCorrupt);
        }
    }
    EXPECT_FALSE(decode_tail_state(good + std::string(20000, 'x')));
}

TEST(TailStateTest, StateFileNameIsOnePlainName) {
    auto p = tail_state_file("/state", "fw/../../etc passwd");
    EXPECT_EQ(p.parent_path(), std::filesystem::path("/state/inputs"));
    EXPECT_EQ(p.filename().string(), "fw%2f..%2f..%2fetc%20passwd.tail");
    EXPECT_EQ(tail_state_file("/s", "..").filename().string(), "%2e..tail");
    EXPECT_EQ(tail_state_file("/s", "").filename().string(), "%.tail");
}

TEST(TailStateTest, SavesAtomicallyAndLoads) {
    test::TempDir dir;
    auto file = dir.path() / "x.tail";
    auto none = load_tail_state(file);
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);

    TailState s = sample();
    ASSERT_TRUE(save_tail_state(file, s));
    s.offset = 999;
    ASSERT_TRUE(save_tail_state(file, s));
    auto loaded = load_tail_state(file);
    ASSERT_TRUE(loaded);
    ASSERT_TRUE(*loaded);
    EXPECT_EQ(**loaded, s);
    // Only the state file is left: the temporary file was renamed over it.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) {
        ++files;
    }
    EXPECT_EQ(files, 1u);
}

TEST(TailStateTest, CorruptFileIsAnErrorNamingIt) {
    test::TempDir dir;
    auto file = dir.path() / "x.tail";
    std::ofstream(file) << "cyberalarm-tail-state 1\npath /x\n";
    auto r = load_tail_state(file);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find(file.string()), std::string::npos);
}

TEST(TailStateTest, SaveFailsCleanlyWhereItCannotWrite) {
    auto r = save_tail_state("/nonexistent-dir/x.tail", sample());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), core::ErrorCode::kIo);
}

}  // namespace
}  // namespace cyberalarm::collector::detail
