// Schema version 3's data move: the rows of version 2's `events` table become event blocks
// (event_blocks.h), and the table goes. Runs inside migration 3's transaction, right after
// its SQL, so a crash leaves the database at version 2 with every row or at version 3 with
// every event in blocks.
//
// Consecutive rows (by id) of one member and collector — a batch, as version 2 stored them —
// go into blocks of up to kBlockEvents, sorted by time within each block. Event ids change
// (block id << 12 | index); nothing outside the events refers to them.
//
// Thread safety: needs the writer connection, held by the caller inside a transaction.
#pragma once

#include <string_view>

#include "core/result.h"
#include "store/sqlite/internal/db.h"
#include "store/sqlite/internal/event_blocks.h"

namespace cyberalarm::store::sqlite {

// Inserts one block of `member`'s events from `collector` (ingest uses it too); its id is
// the next of event_blocks' AUTOINCREMENT sequence, never one used before.
[[nodiscard]] core::Status insert_event_block(Connection& conn, std::int64_t member,
                                              std::string_view collector, const EncodedBlock& block);

// kCorrupt naming the row if a stored event does not decode.
[[nodiscard]] core::Status move_events_into_blocks(Connection& conn);

}  // namespace cyberalarm::store::sqlite
