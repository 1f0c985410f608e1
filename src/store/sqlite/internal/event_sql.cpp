#include "store/sqlite/internal/event_sql.h"

namespace cyberalarm::store::sqlite {

std::string event_blocks_sql(bool after_cursor) {
    std::string sql =
        "SELECT id, min_time_ns, max_time_ns, first, count, collector, filter FROM event_blocks "
        "INDEXED BY event_blocks_member_time WHERE member = :member AND max_time_ns >= :from "
        "AND min_time_ns < :to";
    if (after_cursor) {
        sql += " AND min_time_ns <= :cursor_time";
    }
    sql += " ORDER BY max_time_ns DESC";
    return sql;
}

}  // namespace cyberalarm::store::sqlite
