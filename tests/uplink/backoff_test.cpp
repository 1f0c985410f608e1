#include <gtest/gtest.h>

#include <set>

#include "uplink/client.h"

namespace cyberalarm::uplink {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, CeilingGrowsExponentiallyUpToTheMaximum) {
    Backoff b;  // 0.5 s, x2, 60 s
    EXPECT_EQ(backoff_ceiling(b, 0), milliseconds(500));
    EXPECT_EQ(backoff_ceiling(b, 1), milliseconds(1000));
    EXPECT_EQ(backoff_ceiling(b, 2), milliseconds(2000));
    EXPECT_EQ(backoff_ceiling(b, 6), milliseconds(32000));
    EXPECT_EQ(backoff_ceiling(b, 7), milliseconds(60000));
    EXPECT_EQ(backoff_ceiling(b, 5000), milliseconds(60000));  // no overflow
}

TEST(Backoff, FullJitterStaysUnderTheCeilingAndVaries) {
    Backoff b{milliseconds(100), 3.0, milliseconds(5000)};
    std::mt19937_64 rng(7);
    for (unsigned attempt = 0; attempt < 10; ++attempt) {
        std::set<long> seen;
        for (int i = 0; i < 200; ++i) {
            auto d = backoff_delay(b, attempt, rng);
            ASSERT_GE(d.count(), 0);
            ASSERT_LE(d, backoff_ceiling(b, attempt));
            seen.insert(static_cast<long>(d.count()));
        }
        EXPECT_GT(seen.size(), 20u) << "attempt " << attempt;
    }
}

TEST(Backoff, SameSeedSameDelays) {
    Backoff b;
    std::mt19937_64 r1(99);
    std::mt19937_64 r2(99);
    for (unsigned i = 0; i < 20; ++i) {
        EXPECT_EQ(backoff_delay(b, i, r1), backoff_delay(b, i, r2));
    }
}

}  // namespace
}  // namespace cyberalarm::uplink
