#include "store/sqlite/internal/event_sql.h"

namespace cyberalarm::store::sqlite {

namespace {

// Filters other than the driver's own, each a named parameter bound later.
std::string filters(const EventQuery& q, Driver driver) {
    std::string sql;
    if (q.address && driver != Driver::kSource && driver != Driver::kDestination) {
        sql += " AND (src = :address OR dst = :address)";
    }
    if (q.port && driver != Driver::kPort) {
        sql += " AND dst_port = :port";
    }
    if (q.category && driver != Driver::kCategory) {
        sql += " AND category = :category";
    }
    if (q.action) {
        sql += " AND action = :action";
    }
    return sql;
}

}  // namespace

std::vector<Driver> drivers_for(const EventQuery& query) {
    if (query.address) {
        return {Driver::kSource, Driver::kDestination};
    }
    if (query.port) {
        return {Driver::kPort};
    }
    if (query.category) {
        return {Driver::kCategory};
    }
    return {Driver::kTime};
}

std::string event_keys_sql(const EventQuery& query, Driver driver, bool after_cursor) {
    std::string sql = "SELECT time_ns, id FROM events INDEXED BY ";
    switch (driver) {
        case Driver::kTime:
            sql += "events_member_time WHERE member = :member";
            break;
        case Driver::kSource:
            sql += "events_member_src WHERE member = :member AND src = :address";
            break;
        case Driver::kDestination:
            sql += "events_member_dst WHERE member = :member AND dst = :address";
            break;
        case Driver::kPort:
            sql += "events_member_port WHERE member = :member AND dst_port = :port";
            break;
        case Driver::kCategory:
            sql += "events_member_category WHERE member = :member AND category = :category";
            break;
    }
    sql += " AND time_ns >= :from AND time_ns < :to";
    if (after_cursor) {
        // The first term bounds the index range; the second settles ties on time.
        sql += " AND time_ns <= :cursor_time AND (time_ns < :cursor_time OR id < :cursor_id)";
    }
    sql += filters(query, driver);
    sql += " ORDER BY time_ns DESC, id DESC LIMIT :limit";
    return sql;
}

std::string event_summary_where(const EventQuery& query, bool all_members) {
    std::string sql = all_members ? "WHERE 1" : "WHERE member IN (SELECT value FROM json_each(:scope))";
    sql += " AND time_ns >= :from AND time_ns < :to";
    sql += filters(query, Driver::kTime);
    return sql;
}

}  // namespace cyberalarm::store::sqlite
