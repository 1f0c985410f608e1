#include "uplink/ingest.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/event_codec.h"

namespace cyberalarm::uplink {
namespace {

using core::ErrorCode;

std::string record(std::uint64_t n) {
    core::Event e;
    e.time_ns = static_cast<std::int64_t>(n);
    e.rule_id = "r" + std::to_string(n);
    std::string out;
    core::encode_event(e, out);
    return out;
}

// A batch of valid event records for sequence numbers first..last.
std::string batch(std::uint64_t first, std::uint64_t last) {
    std::vector<std::string> records;
    for (std::uint64_t s = first; s <= last; ++s) {
        records.push_back(record(s));
    }
    return encode_batch(first, records, 1);
}

// A sink that records what it was given.
struct Store {
    std::vector<std::int64_t> times;
    std::uint64_t through = 0;
    bool fail = false;
    EventSink sink() {
        return [this](std::string_view, std::span<const core::Event> events,
                      std::uint64_t through_seq) -> core::Status {
            if (fail) {
                return core::fail(core::Error(ErrorCode::kUnavailable, "disk full"));
            }
            for (const auto& e : events) {
                times.push_back(e.time_ns);
            }
            through = through_seq;
            return {};
        };
    }
};

TEST(Ingest, StoresInOrderAndAcknowledgesThroughLast) {
    BatchAcceptor acc;
    Store store;
    auto ack =
        acc.accept("c1", batch(1, 5), std::pair<std::uint64_t, std::uint64_t>{1, 5}, store.sink());
    ASSERT_TRUE(ack) << ack.error().to_string();
    EXPECT_EQ(ack->acked_through, 5u);
    EXPECT_EQ(ack->stored, 5u);
    EXPECT_EQ(ack->duplicates, 0u);
    EXPECT_EQ(ack->gap, 0u);
    EXPECT_EQ(store.times, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(store.through, 5u);
    EXPECT_EQ(acc.high_water("c1"), 5u);
}

TEST(Ingest, RetriedBatchIsAllDuplicates) {
    BatchAcceptor acc;
    Store store;
    ASSERT_TRUE(acc.accept("c1", batch(1, 5), std::nullopt, store.sink()));
    auto again = acc.accept("c1", batch(1, 5), std::nullopt, store.sink());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->stored, 0u);
    EXPECT_EQ(again->duplicates, 5u);
    EXPECT_EQ(again->acked_through, 5u);
    EXPECT_EQ(store.times.size(), 5u);
    EXPECT_EQ(acc.totals().duplicates, 5u);
}

TEST(Ingest, OverlappingBatchStoresOnlyTheNewPart) {
    BatchAcceptor acc;
    Store store;
    ASSERT_TRUE(acc.accept("c1", batch(1, 5), std::nullopt, store.sink()));
    auto ack = acc.accept("c1", batch(4, 8), std::nullopt, store.sink());
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->duplicates, 2u);
    EXPECT_EQ(ack->stored, 3u);
    EXPECT_EQ(ack->acked_through, 8u);
    EXPECT_EQ(store.times, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Ingest, GapIsCountedAndAccepted) {
    BatchAcceptor acc;
    Store store;
    ASSERT_TRUE(acc.accept("c1", batch(1, 3), std::nullopt, store.sink()));
    auto ack = acc.accept("c1", batch(10, 12), std::nullopt, store.sink());
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->gap, 6u);
    EXPECT_EQ(ack->stored, 3u);
    EXPECT_EQ(ack->acked_through, 12u);
    EXPECT_EQ(acc.totals().gaps, 1u);
    EXPECT_EQ(acc.totals().gap_records, 6u);
    // An older batch arriving late is now a duplicate, not a second gap filler.
    auto late = acc.accept("c1", batch(4, 6), std::nullopt, store.sink());
    ASSERT_TRUE(late);
    EXPECT_EQ(late->duplicates, 3u);
    EXPECT_EQ(late->acked_through, 12u);
}

TEST(Ingest, CollectorsHaveTheirOwnMarks) {
    BatchAcceptor acc;
    Store store;
    ASSERT_TRUE(acc.accept("a", batch(1, 10), std::nullopt, store.sink()));
    auto b = acc.accept("b", batch(1, 3), std::nullopt, store.sink());
    ASSERT_TRUE(b);
    EXPECT_EQ(b->stored, 3u);
    EXPECT_EQ(acc.high_water("a"), 10u);
    EXPECT_EQ(acc.high_water("b"), 3u);
    EXPECT_EQ(acc.high_water("c"), 0u);
}

TEST(Ingest, MalformedRecordIsCountedAndSkipped) {
    BatchAcceptor acc;
    Store store;
    std::vector<std::string> records = {record(1), "not an event", record(3),
                                        record(4) + "trailing"};
    auto ack = acc.accept("c1", encode_batch(1, records, 1), std::nullopt, store.sink());
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->malformed, 2u);
    EXPECT_EQ(ack->stored, 2u);
    EXPECT_EQ(ack->acked_through, 4u);
    EXPECT_EQ(store.times, (std::vector<std::int64_t>{1, 3}));
}

TEST(Ingest, SinkFailureKeepsTheMarkSoTheRetryStores) {
    BatchAcceptor acc;
    Store store;
    store.fail = true;
    auto failed = acc.accept("c1", batch(1, 4), std::nullopt, store.sink());
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(acc.high_water("c1"), 0u);
    store.fail = false;
    auto retry = acc.accept("c1", batch(1, 4), std::nullopt, store.sink());
    ASSERT_TRUE(retry);
    EXPECT_EQ(retry->stored, 4u);
    EXPECT_EQ(acc.totals().rejected, 1u);
}

TEST(Ingest, RefusesBadInput) {
    BatchAcceptor acc;
    Store store;
    auto mismatch =
        acc.accept("c1", batch(1, 4), std::pair<std::uint64_t, std::uint64_t>{1, 5}, store.sink());
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(acc.accept("bad id", batch(1, 4), std::nullopt, store.sink()));
    EXPECT_FALSE(acc.accept("c1", "garbage", std::nullopt, store.sink()));
    EXPECT_EQ(acc.high_water("c1"), 0u);
    EXPECT_TRUE(store.times.empty());
    EXPECT_EQ(acc.totals().rejected, 3u);
}

TEST(Ingest, RestoredMarkDeduplicates) {
    BatchAcceptor acc;
    Store store;
    acc.set_high_water("c1", 100);
    auto ack = acc.accept("c1", batch(99, 102), std::nullopt, store.sink());
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->duplicates, 2u);
    EXPECT_EQ(store.times, (std::vector<std::int64_t>{101, 102}));
}

}  // namespace
}  // namespace cyberalarm::uplink
