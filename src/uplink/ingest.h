// Server-side ingest of batches: decode, deduplicate per collector, decode events.
//
// Exactly-once rests on one number per collector, its high-water mark: the highest sequence
// number the server has stored from it. A record at or below the mark is a duplicate (a
// retry whose acknowledgement was lost) and is skipped; a batch starting above mark + 1
// means the collector's spool dropped records (counted as a gap, then accepted). After a
// batch the mark is its last sequence number and the answer acknowledges through it.
//
// The events are handed to a Sink before the mark moves: if the sink fails (storage down),
// the mark stays, the caller answers 503 and the collector retries the same batch. So the
// sink must store the events and the new mark together (one transaction) for exactly-once
// across a server restart; set_high_water() restores marks at start-up.
//
// A record that is not a valid core::Event (its batch passed the CRC, so it was written that
// way) is counted as malformed and skipped, never retried forever.
//
// Thread safety: all members are safe to call concurrently. The dedupe-sink-advance step is
// serialised per collector (a mutex of its own), so batches of different collectors reach
// the sink at the same time (a store can commit them together) while one collector's
// batches stay in order; decoding happens outside any lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.h"
#include "core/result.h"
#include "uplink/messages.h"
#include "uplink/wire.h"

namespace cyberalarm::uplink {

// Receives a collector's new events, in sequence order, before its mark advances to
// `through_seq`. An error aborts the batch (the mark does not move).
using EventSink = std::function<core::Status(
    std::string_view collector_id, std::span<const core::Event> events, std::uint64_t through_seq)>;

struct IngestTotals {
    std::uint64_t batches = 0;      // accepted batches
    std::uint64_t stored = 0;       // events handed to the sink
    std::uint64_t duplicates = 0;   // records skipped as at or below the mark
    std::uint64_t gaps = 0;         // batches that started above mark + 1
    std::uint64_t gap_records = 0;  // sequence numbers those gaps skipped
    std::uint64_t malformed = 0;    // records that were not valid events
    std::uint64_t rejected = 0;     // batches refused (decode error, range mismatch, sink)
};

class BatchAcceptor {
public:
    explicit BatchAcceptor(Limits limits = {}) : limits_(limits) {}

    // Accepts one batch body from `collector_id` (the authenticated certificate CN).
    // `declared_range` is the X-Cyberalarm-Batch header if given; it must match the body.
    // Errors: the decode_batch() errors; kInvalidArgument (bad id, range mismatch); whatever
    // the sink returns.
    // `stored`, if given, receives the events handed to the sink once the batch is accepted
    // (moved, not copied: for work after the acknowledgement, such as detection).
    [[nodiscard]] core::Result<BatchAck> accept(
        std::string_view collector_id, std::string_view body,
        std::optional<std::pair<std::uint64_t, std::uint64_t>> declared_range,
        const EventSink& sink, std::vector<core::Event>* stored = nullptr);

    [[nodiscard]] std::uint64_t high_water(std::string_view collector_id) const;
    // Restores a mark (at start-up, from storage).
    void set_high_water(std::string_view collector_id, std::uint64_t seq);
    [[nodiscard]] IngestTotals totals() const;

private:
    struct Mark {
        std::mutex mu;  // held from reading the mark through the sink to moving it
        std::uint64_t seq = 0;
    };
    // The collector's mark, created at 0 on first use; never removed, so the reference lives
    // as long as the acceptor.
    Mark& mark_of(std::string_view collector_id);

    Limits limits_;
    mutable std::mutex mu_;  // guards the map's shape and totals_
    std::map<std::string, std::unique_ptr<Mark>, std::less<>> high_water_;
    IngestTotals totals_;
};

}  // namespace cyberalarm::uplink
