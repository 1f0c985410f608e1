#include "uplink/ingest.h"

#include <algorithm>
#include <vector>

#include "core/event_codec.h"

namespace cyberalarm::uplink {

using core::Error;
using core::fail;

core::Result<BatchAck> BatchAcceptor::accept(
    std::string_view collector_id, std::string_view body,
    std::optional<std::pair<std::uint64_t, std::uint64_t>> declared_range, const EventSink& sink,
    std::vector<core::Event>* stored) {
    auto reject = [this](Error e) {
        std::lock_guard lock(mu_);
        ++totals_.rejected;
        return fail(std::move(e));
    };
    if (!valid_collector_id(collector_id)) {
        return reject(Error::invalid_argument("collector id is not valid"));
    }
    auto batch = decode_batch(body, limits_);
    if (!batch) {
        return reject(std::move(batch.error()));
    }
    if (declared_range && (declared_range->first != batch->first_seq() ||
                           declared_range->second != batch->last_seq())) {
        return reject(Error::invalid_argument(
            "X-Cyberalarm-Batch says " +
            batch_range_header(declared_range->first, declared_range->second) +
            " but the body holds " + batch_range_header(batch->first_seq(), batch->last_seq())));
    }

    // Decode every record before taking the lock; duplicates are rare (lost acknowledgements).
    std::vector<std::size_t> index;  // record index of each decoded event
    std::vector<core::Event> decoded;
    index.reserve(batch->size());
    decoded.reserve(batch->size());
    for (std::size_t i = 0; i < batch->size(); ++i) {
        std::string_view rec = batch->record(i);
        std::size_t used = 0;
        auto ev = core::decode_event(
            std::span(reinterpret_cast<const std::byte*>(rec.data()), rec.size()), &used);
        if (ev && used == rec.size()) {
            index.push_back(i);
            decoded.push_back(std::move(*ev));
        }
    }

    Mark& m = mark_of(collector_id);
    std::lock_guard collector_lock(m.mu);
    const std::uint64_t mark = m.seq;

    BatchAck ack;
    std::size_t first_new = 0;  // index of the first record above the mark
    if (batch->first_seq() <= mark) {
        std::uint64_t dup = std::min<std::uint64_t>(mark - batch->first_seq() + 1, batch->size());
        ack.duplicates = dup;
        first_new = static_cast<std::size_t>(dup);
    } else if (batch->first_seq() > mark + 1) {
        ack.gap = batch->first_seq() - mark - 1;
    }
    auto from = static_cast<std::size_t>(std::lower_bound(index.begin(), index.end(), first_new) -
                                         index.begin());
    std::span<const core::Event> events = std::span(decoded).subspan(from);
    ack.malformed = (batch->size() - first_new) - events.size();

    std::uint64_t through = std::max(mark, batch->last_seq());
    if (first_new < batch->size()) {
        if (sink) {
            if (auto st = sink(collector_id, events, through); !st) {
                std::lock_guard lock(mu_);
                ++totals_.rejected;
                return fail(std::move(st.error()));
            }
        }
        m.seq = through;
    }
    ack.stored = events.size();
    ack.acked_through = through;
    if (stored != nullptr) {
        decoded.erase(decoded.begin(), decoded.begin() + static_cast<std::ptrdiff_t>(from));
        *stored = std::move(decoded);
    }

    std::lock_guard lock(mu_);
    ++totals_.batches;
    totals_.stored += ack.stored;
    totals_.duplicates += ack.duplicates;
    totals_.malformed += ack.malformed;
    if (ack.gap > 0) {
        ++totals_.gaps;
        totals_.gap_records += ack.gap;
    }
    return ack;
}

BatchAcceptor::Mark& BatchAcceptor::mark_of(std::string_view collector_id) {
    std::lock_guard lock(mu_);
    auto it = high_water_.find(collector_id);
    if (it == high_water_.end()) {
        it = high_water_.emplace(std::string(collector_id), std::make_unique<Mark>()).first;
    }
    return *it->second;
}

std::uint64_t BatchAcceptor::high_water(std::string_view collector_id) const {
    Mark* m = nullptr;
    {
        std::lock_guard lock(mu_);
        auto it = high_water_.find(collector_id);
        if (it == high_water_.end()) {
            return 0;
        }
        m = it->second.get();
    }
    std::lock_guard lock(m->mu);
    return m->seq;
}

void BatchAcceptor::set_high_water(std::string_view collector_id, std::uint64_t seq) {
    Mark& m = mark_of(collector_id);
    std::lock_guard lock(m.mu);
    m.seq = seq;
}

IngestTotals BatchAcceptor::totals() const {
    std::lock_guard lock(mu_);
    return totals_;
}

}  // namespace cyberalarm::uplink
