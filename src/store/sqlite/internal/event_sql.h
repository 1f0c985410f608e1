// The SQL behind event search, summaries and retention over event blocks, apart from the
// code that runs it so that tests can check each statement's query plan (an index range
// scan of one member's blocks, no table scan, no sort).
//
// Every statement reads the blocks of one member through event_blocks_member_time
// (member, max_time_ns, min_time_ns): the blocks whose time bounds overlap [:from, :to),
// newest max_time_ns first, which is the order in which a page of newest-first events is
// filled; the min_time_ns bound is checked in the index, without reading the row.
//
// Named parameters: :member :from :to :cursor_time, and :cutoff :chunk for retention.
//
// Thread safety: pure functions.
#pragma once

#include <string>

namespace cyberalarm::store::sqlite {

// SELECT id, min_time_ns, max_time_ns, first, count, collector, filter … newest first; with
// `after_cursor`, only blocks holding events at or before :cursor_time.
std::string event_blocks_sql(bool after_cursor);

// SELECT body of one block (parameter 1: its id).
inline constexpr const char* kEventBlockBodySql = "SELECT body FROM event_blocks WHERE id = ?";

// Retention: deletes up to :chunk blocks of :member wholly older than :cutoff, returning
// each one's event count.
inline constexpr const char* kDeleteOldBlocksSql =
    "DELETE FROM event_blocks WHERE id IN (SELECT id FROM event_blocks "
    "INDEXED BY event_blocks_member_time WHERE member = :member AND max_time_ns < :cutoff "
    "LIMIT :chunk) RETURNING count";

// Retention: the blocks of :member that straddle :cutoff (some events older, some not).
inline constexpr const char* kStraddlingBlocksSql =
    "SELECT id FROM event_blocks INDEXED BY event_blocks_member_time WHERE member = :member "
    "AND max_time_ns >= :cutoff AND min_time_ns < :cutoff";

}  // namespace cyberalarm::store::sqlite
