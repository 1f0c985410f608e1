#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parse/framing.h"

namespace cyberalarm::parse {
namespace {

std::vector<std::string> drain(Deframer& d) {
    std::vector<std::string> out;
    std::string_view f;
    while (d.next(&f)) {
        out.emplace_back(f);
    }
    return out;
}

TEST(Deframer, OctetCountingAndLfMixed) {
    Deframer d;
    // An octet count may span LFs: "12 <13>hi\nthere" is one frame.
    d.feed("11 <13>hello a12 <13>hi\nthere\n<14>plain line\r\n1,2,PAN-OS CSV\n");
    auto frames = drain(d);
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[0], "<13>hello a");
    EXPECT_EQ(frames[1], "<13>hi\nthere");
    EXPECT_EQ(frames[2], "<14>plain line");
    EXPECT_EQ(frames[3], "1,2,PAN-OS CSV");  // digits without a space: not a count
}

TEST(Deframer, FramesSplitAcrossReads) {
    Deframer d;
    std::string stream = "5 abcde5 fghij<1>x\n";
    std::vector<std::string> out;
    for (char c : stream) {
        d.feed(std::string_view(&c, 1));
        auto got = drain(d);
        out.insert(out.end(), got.begin(), got.end());
    }
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0], "abcde");
    EXPECT_EQ(out[1], "fghij");
    EXPECT_EQ(out[2], "<1>x");
}

TEST(Deframer, OversizeOctetFrameIsCutAndStreamSurvives) {
    Deframer d(8);
    d.feed("20 aaaaaaaaaaaaaaaaaaaa3 end");
    auto frames = drain(d);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0], "aaaaaaaa");
    EXPECT_EQ(frames[1], "end");
    EXPECT_EQ(d.stats().oversize, 1u);
}

TEST(Deframer, OversizeLfFrameIsCutAndStreamSurvives) {
    Deframer d(8);
    d.feed(std::string(100, 'x'));
    d.feed("yyy\ngood\n");
    auto frames = drain(d);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0], std::string(8, 'x'));
    EXPECT_EQ(frames[1], "good");
    EXPECT_LE(d.buffered(), 16u);
}

TEST(Deframer, FinishReturnsUnterminatedLine) {
    Deframer d;
    d.feed("<1>last line without newline");
    std::string_view f;
    EXPECT_FALSE(d.next(&f));
    ASSERT_TRUE(d.finish(&f));
    EXPECT_EQ(f, "<1>last line without newline");
}

TEST(Deframer, TruncatedOctetFrameAtEndIsCountedMalformed) {
    Deframer d;
    d.feed("50 short");
    std::string_view f;
    EXPECT_FALSE(d.finish(&f));
    EXPECT_EQ(d.stats().malformed, 1u);
}

}  // namespace
}  // namespace cyberalarm::parse
