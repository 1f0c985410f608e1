// What the event code shares (events.cpp reads, event_writes.cpp ingest and retention): a
// row of the block walk, event ids, and reading one block's body as a checked view.
//
// Thread safety: as the connection used (one thread at a time).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "store/sqlite/internal/db.h"
#include "store/sqlite/internal/event_blocks.h"
#include "store/sqlite/internal/event_sql.h"

namespace cyberalarm::store::sqlite {

// One row of the block walk (event_blocks_sql).
struct BlockRow {
    std::int64_t id;
    std::int64_t min_time_ns;
    std::int64_t max_time_ns;
    std::int64_t first;
    std::int64_t count;
};

inline BlockRow block_row(const Stmt& st) {
    return BlockRow{st.i64(0), st.i64(1), st.i64(2), st.i64(3), st.i64(4)};
}

inline std::int64_t event_id(const BlockRow& b, std::size_t index) {
    return (b.id << kBlockShift) | (b.first + static_cast<std::int64_t>(index));
}

inline core::Error block_error(std::int64_t block, core::Error e) {
    return core::Error::corrupt("event block " + std::to_string(block) + ": " + e.message());
}

// Reads one block's body (in the caller's snapshot) and hands its checked view to `use`.
template <typename Use>
core::Status with_block(Connection& conn, const BlockRow& b, Use use) {
    auto st = conn.prepare(kEventBlockBodySql);
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(b.id);
    auto row = st->step();
    if (!row) {
        return core::fail(std::move(row.error()));
    }
    if (!*row) {
        return core::fail(core::Error::corrupt("event block " + std::to_string(b.id) +
                                               " is in the index but not in the table"));
    }
    auto view = BlockView::parse(st->blob(0));
    if (!view) {
        return core::fail(block_error(b.id, std::move(view.error())));
    }
    if (view->size() != static_cast<std::size_t>(b.count)) {
        return core::fail(core::Error::corrupt("event block " + std::to_string(b.id) +
                                               " holds a different count than its row says"));
    }
    return use(*view);
}

}  // namespace cyberalarm::store::sqlite
