// Event blocks: how the SQLite store keeps events (docs/design/store.md, "Events in blocks").
//
// A block is up to kBlockEvents events of one collector's batch, sorted by time (ties keep
// their batch order), stored as one row of `event_blocks`: the encoded events (body) and a
// Bloom filter over the keys a search may ask for (filter). An event's id is
// block id << kBlockShift | index, where index counts from the block's first event as
// ingested; retention trims a block from the front and records how many it dropped
// (`first`), so the ids of the events left do not change.
//
// Body (version 1), integers little-endian:
//   u8 version (=1), u32 count n (1..kBlockEvents)
//   n × i64 time_ns, ascending
//   n × u32 end offset of each event's encoding within the encodings that follow
//   the n core::encode_event encodings back to back
// Filter (version 1): u8 version (=1), u8 probes k (1..16), then 2^j bytes of bits
// (8 ≤ 2^j ≤ 1 MiB). The keys are each event's source and destination address, destination
// port, category and action, each hashed with a kind byte; a search skips a block whose
// filter lacks a key it asks for. A false positive costs one block decode, never a wrong
// answer: every event is filtered exactly after decoding.
//
// Both are read back from the database file, which is outside input as far as the decoder
// goes: BlockView::parse and filter_may_match check every length and never over-read, and a
// fuzz target (fuzz/store_block_fuzzer.cpp) covers them.
//
// Thread safety: pure functions and immutable views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::store::sqlite {

inline constexpr std::size_t kBlockEvents = 4096;
inline constexpr int kBlockShift = 12;
static_assert(std::size_t{1} << kBlockShift == kBlockEvents);

// One block ready to insert.
struct EncodedBlock {
    std::int64_t min_time_ns = 0;
    std::int64_t max_time_ns = 0;
    std::uint32_t count = 0;
    std::string filter;
    std::string body;
};

// Sorts `events` by time (stably) and encodes them as blocks of at most kBlockEvents, in
// time order; an empty span gives no block.
[[nodiscard]] std::vector<EncodedBlock> encode_blocks(std::span<const core::Event> events);

// Encodes events already in time order as one block. REQUIRES: 1..kBlockEvents events,
// sorted by time_ns.
[[nodiscard]] EncodedBlock encode_sorted_block(std::span<const core::Event* const> events);

// False only if no event in the block can match the query's address, port, category and
// action filters. A filter that does not parse answers true (the decode then decides).
[[nodiscard]] bool filter_may_match(std::string_view filter, const EventQuery& query);

// The exact filters of a query (time aside) applied to one event.
[[nodiscard]] bool event_matches(const core::Event& event, const EventQuery& query);

// A checked view of a block body. The bytes must outlive the view.
class BlockView {
public:
    // kCorrupt if the body is not a well-formed version-1 block.
    [[nodiscard]] static core::Result<BlockView> parse(std::string_view body);

    [[nodiscard]] std::size_t size() const { return count_; }
    [[nodiscard]] std::int64_t time(std::size_t i) const;
    // The i-th event's encoding, and the event decoded (kCorrupt if it does not decode).
    [[nodiscard]] std::string_view encoded(std::size_t i) const;
    [[nodiscard]] core::Result<core::Event> event(std::size_t i) const;

private:
    std::string_view body_;
    std::size_t count_ = 0;
    std::size_t times_at_ = 0;
    std::size_t ends_at_ = 0;
    std::size_t data_at_ = 0;
};

}  // namespace cyberalarm::store::sqlite
