// LineSplitter: newline framing with a bound, and the byte accounting the file position
// relies on.
#include "collector/inputs_lines.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cyberalarm::collector::detail {
namespace {

struct Split {
    std::vector<std::string> lines;
    std::size_t fed = 0;
};

Split feed_all(LineSplitter& s, const std::vector<std::string>& chunks) {
    Split out;
    for (const auto& c : chunks) {
        s.feed(c, [&](std::string_view line) { out.lines.emplace_back(line); });
        out.fed += c.size();
    }
    return out;
}

TEST(LineSplitterTest, SplitsAtLfAndDropsCrAndEmptyLines) {
    LineSplitter s(256);
    auto r = feed_all(s, {"one\ntwo\r\n\n\r\nthree"});
    EXPECT_EQ(r.lines, (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(s.pending(), 5u);  // "three" waits for its LF
    auto rest = s.take_rest();
    ASSERT_TRUE(rest);
    EXPECT_EQ(*rest, "three");
    EXPECT_FALSE(s.take_rest());
}

TEST(LineSplitterTest, JoinsLinesAcrossChunks) {
    LineSplitter s(256);
    auto r = feed_all(s, {"ab", "c", "d\r", "\nef", "g\n"});
    EXPECT_EQ(r.lines, (std::vector<std::string>{"abcd", "efg"}));
    EXPECT_EQ(s.pending(), 0u);
}

TEST(LineSplitterTest, CutsOverlongLinesAndSkipsTheirRest) {
    LineSplitter s(4);
    auto r = feed_all(s, {"abcdefgh\nxy\n", "1234", "5678", "9\nok\n"});
    EXPECT_EQ(r.lines, (std::vector<std::string>{"abcd", "xy", "1234", "ok"}));
    EXPECT_EQ(s.take_oversize(), 2u);
    EXPECT_EQ(s.take_oversize(), 0u);
    EXPECT_EQ(s.pending(), 0u);
}

TEST(LineSplitterTest, ALineOfExactlyTheLimitIsNotCut) {
    LineSplitter s(4);
    auto r = feed_all(s, {"abcd", "\r", "\n", "wxyz\n"});
    EXPECT_EQ(r.lines, (std::vector<std::string>{"abcd", "wxyz"}));
    EXPECT_EQ(s.take_oversize(), 0u);
}

TEST(LineSplitterTest, PendingNeverExceedsTheBound) {
    LineSplitter s(8);
    std::vector<std::string> got;
    for (int i = 0; i < 100; ++i) {
        s.feed("xxxxxxx", [&](std::string_view l) { got.emplace_back(l); });
        EXPECT_LE(s.pending(), 9u);
    }
    EXPECT_EQ(got.size(), 1u);  // one cut line, the rest skipped
    s.feed("\nnext\n", [&](std::string_view l) { got.emplace_back(l); });
    EXPECT_EQ(got.back(), "next");
}

TEST(LineSplitterTest, ResetForgetsThePendingLine) {
    LineSplitter s(16);
    auto r = feed_all(s, {"partial"});
    s.reset();
    EXPECT_EQ(s.pending(), 0u);
    r = feed_all(s, {"new\n"});
    EXPECT_EQ(r.lines, (std::vector<std::string>{"new"}));
}

// However the input is cut into chunks, the lines are the same, and at every point
// (bytes fed - pending) is the end of the last line handed on.
TEST(LineSplitterTest, ChunkingDoesNotChangeTheLines) {
    std::string text;
    for (int i = 0; i < 200; ++i) {
        text += std::string(static_cast<std::size_t>(i % 23), static_cast<char>('a' + i % 26));
        text += (i % 7 == 0) ? "\r\n" : "\n";
    }
    LineSplitter whole(16);
    auto expected = feed_all(whole, {text}).lines;
    for (std::size_t step : {1u, 2u, 3u, 7u, 16u, 17u, 64u}) {
        LineSplitter s(16);
        std::vector<std::string> got;
        std::size_t fed = 0;
        std::size_t last_end = 0;
        for (std::size_t i = 0; i < text.size(); i += step) {
            std::string chunk = text.substr(i, step);
            s.feed(chunk, [&](std::string_view l) { got.emplace_back(l); });
            fed += chunk.size();
            std::size_t committed = fed - s.pending();
            ASSERT_GE(committed, last_end);
            last_end = committed;
            if (s.pending() > 0 && committed > 0) {
                // What is pending is the start of a line: the byte before it ended one.
                ASSERT_EQ(text[committed - 1], '\n') << "step " << step;
            }
        }
        EXPECT_EQ(got, expected) << "step " << step;
    }
}

}  // namespace
}  // namespace cyberalarm::collector::detail
