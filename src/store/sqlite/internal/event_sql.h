// The SQL behind event search and summaries, apart from the code that runs it so that tests
// can check each statement's query plan (an index range scan, no sort of the whole range).
//
// A search is driven by one index per member: address (two drivers, source and
// destination), else port, else category, else time. Each driver yields keys already in
// (time_ns DESC, id DESC) order, so a page costs `limit` index steps per driver and member,
// not a sort of everything in the range. Remaining filters are applied to the rows read.
//
// Named parameters: :member :from :to :address :port :category :action :cursor_time
// :cursor_id :limit, and :scope (summaries over several members).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace cyberalarm::store::sqlite {

enum class Driver : std::uint8_t { kTime, kSource, kDestination, kPort, kCategory };

// The drivers a query needs (two for an address: source or destination).
std::vector<Driver> drivers_for(const EventQuery& query);

// SELECT time_ns, id … for one member and one driver, newest first, after the cursor if
// `after_cursor`, at most :limit rows.
std::string event_keys_sql(const EventQuery& query, Driver driver, bool after_cursor);

// The WHERE clause of a summary over the members in :scope (or all, for the service scope).
std::string event_summary_where(const EventQuery& query, bool all_members);

}  // namespace cyberalarm::store::sqlite
