// Events, writing: ingest with group commit, and retention of events by block.
#include <algorithm>

#include "store/sqlite/internal/event_migration.h"
#include "store/sqlite/internal/event_rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

// One append_events call: its batch, encoded before the writer is taken, and its outcome.
struct PendingAppend {
    std::string_view collector_id;
    std::vector<EncodedBlock> blocks;
    std::size_t events = 0;
    std::uint64_t through_seq = 0;
    std::int64_t now_ns = 0;
    core::Status status;
    bool done = false;
};

namespace {

core::Status insert_batch(Connection& conn, const PendingAppend& p) {
    auto collector = collector_on(conn, p.collector_id);
    if (!collector) {
        return core::fail(std::move(collector.error()));
    }
    if (collector->revoked_ns != 0) {
        return core::fail(core::Error(core::ErrorCode::kPermissionDenied,
                                      "collector '" + collector->id + "' is revoked"));
    }
    for (const EncodedBlock& b : p.blocks) {
        if (auto st = insert_event_block(conn, collector->member, collector->id, b); !st) {
            return st;
        }
    }
    // The high-water mark never moves back: a late, smaller batch must not reopen the range
    // ingest already deduplicated.
    auto up = conn.prepare(
        "UPDATE collectors SET high_water = max(high_water, ?), last_seen_ns = ?, "
        "events_total = events_total + ? WHERE id = ?");
    if (!up) {
        return core::fail(std::move(up.error()));
    }
    return up->bind_all(p.through_seq, p.now_ns, p.events, collector->id).run();
}

// A batch of a group that fails (unknown or revoked collector, a failed write) is undone
// alone, back to its savepoint; the others commit.
core::Status insert_in_savepoint(Connection& conn, const PendingAppend& p) {
    if (auto st = conn.exec("SAVEPOINT batch"); !st) {
        return st;
    }
    auto st = insert_batch(conn, p);
    if (!st) {
        if (auto undo = conn.exec("ROLLBACK TO batch"); !undo) {
            return undo;
        }
    }
    if (auto released = conn.exec("RELEASE batch"); !released) {
        return released;
    }
    return st;
}

}  // namespace

void SqliteStore::write_group(const std::vector<PendingAppend*>& group) {
    const auto fail_all = [&](const core::Error& e) {
        for (PendingAppend* p : group) {
            p->status = core::fail(e);
        }
    };
    auto conn = pool_->writer();
    auto tx = Transaction::begin(*conn);
    if (!tx) {
        fail_all(tx.error());
        return;
    }
    if (group.size() == 1) {
        group.front()->status = insert_batch(*conn, *group.front());
        if (group.front()->status) {
            group.front()->status = tx->commit();
        }
        return;
    }
    for (PendingAppend* p : group) {
        p->status = insert_in_savepoint(*conn, *p);
        if (!p->status && p->status.error().code() != core::ErrorCode::kNotFound &&
            p->status.error().code() != core::ErrorCode::kPermissionDenied) {
            // The savepoint machinery itself failed: nothing of this transaction is safe.
            fail_all(p->status.error());
            return;
        }
    }
    if (auto done = tx->commit(); !done) {
        fail_all(done.error());
    }
}

core::Status SqliteStore::append_events(std::string_view collector_id,
                                        std::span<const core::Event> events,
                                        std::uint64_t through_seq, std::int64_t now_ns) {
    // Encode before queueing: callers encode in parallel, the writer only writes.
    PendingAppend mine;
    mine.collector_id = collector_id;
    mine.blocks = encode_blocks(events);
    mine.events = events.size();
    mine.through_seq = through_seq;
    mine.now_ns = now_ns;

    std::unique_lock lock(ingest_.mutex);
    ingest_.waiting.push_back(&mine);
    ingest_.written.wait(lock, [&] { return mine.done || !ingest_.writing; });
    if (mine.done) {
        return mine.status;
    }
    // Leader: write every batch queued so far (this one included) as one transaction.
    ingest_.writing = true;
    std::vector<PendingAppend*> group = std::exchange(ingest_.waiting, {});
    lock.unlock();
    write_group(group);
    lock.lock();
    for (PendingAppend* p : group) {
        p->done = true;
    }
    ingest_.writing = false;
    lock.unlock();
    ingest_.written.notify_all();
    return mine.status;
}

namespace {

// Rewrites one block without its events older than `cutoff_ns`; returns how many it dropped.
// The events left keep their ids: `first` moves on by the number dropped.
core::Result<std::uint64_t> trim_block(Connection& conn, std::int64_t block, std::int64_t cutoff_ns) {
    auto st = conn.prepare("SELECT id, min_time_ns, max_time_ns, first, count FROM event_blocks WHERE id = ?");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    auto row = st->bind_all(block).step();
    if (!row) {
        return core::fail(std::move(row.error()));
    }
    if (!*row) {
        return std::uint64_t{0};  // gone meanwhile
    }
    const BlockRow b = block_row(*st);
    std::vector<core::Event> kept;
    std::size_t dropped = 0;
    auto read = with_block(conn, b, [&](const BlockView& v) -> core::Status {
        while (dropped < v.size() && v.time(dropped) < cutoff_ns) {
            ++dropped;
        }
        for (std::size_t i = dropped; i < v.size(); ++i) {
            auto e = v.event(i);
            if (!e) {
                return core::fail(block_error(b.id, std::move(e.error())));
            }
            kept.push_back(std::move(*e));
        }
        return {};
    });
    if (!read) {
        return core::fail(std::move(read.error()));
    }
    if (dropped == 0) {
        return std::uint64_t{0};
    }
    if (kept.empty()) {
        return core::fail(core::Error::internal("event block " + std::to_string(block) +
                                                " straddles the cutoff but has no newer event"));
    }
    std::vector<const core::Event*> sorted;
    for (const core::Event& e : kept) {
        sorted.push_back(&e);
    }
    const EncodedBlock nb = encode_sorted_block(sorted);
    auto up = conn.prepare(
        "UPDATE event_blocks SET min_time_ns = ?, max_time_ns = ?, first = first + ?, count = ?, "
        "filter = ?, body = ? WHERE id = ?");
    if (!up) {
        return core::fail(std::move(up.error()));
    }
    up->bind_all(nb.min_time_ns, nb.max_time_ns, dropped, nb.count);
    up->bind_static(5, Blob{nb.filter}).bind_static(6, Blob{nb.body}).bind(7, block);
    if (auto done = up->run(); !done) {
        return core::fail(std::move(done.error()));
    }
    return static_cast<std::uint64_t>(dropped);
}

}  // namespace

core::Result<std::uint64_t> SqliteStore::delete_old_events(TenantId member, std::int64_t cutoff_ns) {
    // Whole blocks first, a chunk of blocks per transaction (about retention_chunk_rows
    // events), the writer released in between so ingest waits one chunk at most.
    const std::size_t chunk = std::max<std::size_t>(1, options_.retention_chunk_rows / kBlockEvents);
    std::uint64_t total = 0;
    for (;;) {
        auto conn = pool_->writer();
        auto st = conn->prepare(kDeleteOldBlocksSql);
        if (!st) {
            return core::fail(std::move(st.error()));
        }
        st->bind_named(":member", member).bind_named(":cutoff", cutoff_ns).bind_named(":chunk", chunk);
        std::size_t blocks = 0;
        if (auto done = each_row(*st, [&](const Stmt& s) {
                ++blocks;
                total += static_cast<std::uint64_t>(s.i64(0));
            });
            !done) {
            return core::fail(std::move(done.error()));
        }
        if (blocks < chunk) {
            break;
        }
    }
    // Then the blocks that straddle the cutoff, one transaction each.
    std::vector<std::int64_t> straddling;
    {
        auto conn = pool_->writer();
        auto st = conn->prepare(kStraddlingBlocksSql);
        if (!st) {
            return core::fail(std::move(st.error()));
        }
        st->bind_named(":member", member).bind_named(":cutoff", cutoff_ns);
        auto ids = collect<std::int64_t>(*st, read_i64);
        if (!ids) {
            return core::fail(std::move(ids.error()));
        }
        straddling = std::move(*ids);
    }
    for (const std::int64_t block : straddling) {
        auto conn = pool_->writer();
        auto tx = Transaction::begin(*conn);
        if (!tx) {
            return core::fail(std::move(tx.error()));
        }
        auto n = trim_block(*conn, block, cutoff_ns);
        if (!n) {
            return core::fail(std::move(n.error()));
        }
        if (auto done = tx->commit(); !done) {
            return core::fail(std::move(done.error()));
        }
        total += *n;
    }
    return total;
}

}  // namespace cyberalarm::store::sqlite
