// Findings: upsert by (member, id), point reads, keyset-paged search, status changes.
#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::string_view kFindingColumns =
    "member, id, status, created_ns, updated_ns, first_seen_ns, last_seen_ns, body";

core::Result<FindingRecord> read_finding(const Stmt& st) {
    auto finding = detect::finding_from_json(st.text(7));
    if (!finding) {
        return core::fail(core::Error::corrupt("finding '" + st.text(1) +
                                               "': stored record does not decode: " +
                                               finding.error().message()));
    }
    FindingRecord rec;
    rec.member = st.i64(0);
    rec.finding = std::move(*finding);
    rec.finding.id = st.text(1);
    rec.status = static_cast<FindingStatus>(st.i64(2));
    rec.created_ns = st.i64(3);
    rec.updated_ns = st.i64(4);
    rec.finding.first_seen_ns = st.i64(5);
    rec.finding.last_seen_ns = st.i64(6);
    return rec;
}

core::Status upsert_one(Connection& conn, TenantId member, const detect::Finding& f,
                        std::int64_t now_ns) {
    if (f.id.empty()) {
        return core::fail(core::Error::invalid_argument("a finding needs an id").at_field("id"));
    }
    // Status and created_ns are the user's and history's: an update never touches them.
    auto st = conn.prepare(
        "INSERT INTO findings (member, id, kind, severity, status, first_seen_ns, last_seen_ns, "
        "created_ns, updated_ns, body) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?7, ?8) "
        "ON CONFLICT (member, id) DO UPDATE SET kind = excluded.kind, "
        "severity = excluded.severity, first_seen_ns = min(first_seen_ns, excluded.first_seen_ns), "
        "last_seen_ns = excluded.last_seen_ns, updated_ns = excluded.updated_ns, "
        "body = excluded.body");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(member, f.id, f.kind, f.severity, f.first_seen_ns, f.last_seen_ns, now_ns,
                 detect::to_json(f));
    if (auto done = st->run(); !done) {
        return done;
    }
    for (const char* table : {"finding_addresses", "finding_ports"}) {
        auto del = conn.prepare("DELETE FROM " + std::string(table) +
                                " WHERE member = ? AND finding_id = ?");
        if (!del) {
            return core::fail(std::move(del.error()));
        }
        if (auto done = del->bind_all(member, f.id).run(); !done) {
            return done;
        }
    }
    for (const auto* list : {&f.sources, &f.targets}) {
        for (const core::IpAddress& ip : *list) {
            auto ins = conn.prepare("INSERT OR IGNORE INTO finding_addresses VALUES (?, ?, ?)");
            if (!ins) {
                return core::fail(std::move(ins.error()));
            }
            if (auto done = ins->bind_all(member, f.id, Blob{address_bytes(ip)}).run(); !done) {
                return done;
            }
        }
    }
    for (const std::uint16_t port : f.ports) {
        auto ins = conn.prepare("INSERT OR IGNORE INTO finding_ports VALUES (?, ?, ?)");
        if (!ins) {
            return core::fail(std::move(ins.error()));
        }
        if (auto done = ins->bind_all(member, f.id, port).run(); !done) {
            return done;
        }
    }
    return {};
}

std::string finding_fingerprint_text(const Scope& scope, const FindingQuery& q) {
    std::string s = "findings|" + std::to_string(q.from_ns) + "|" + std::to_string(q.to_ns) + "|";
    s += q.member ? std::to_string(*q.member) : "*";
    s += "|" + (q.kind ? std::to_string(static_cast<int>(*q.kind)) : "*");
    s += "|" + (q.min_severity ? std::to_string(static_cast<int>(*q.min_severity)) : "*");
    s += "|" + (q.status ? std::to_string(static_cast<int>(*q.status)) : "*");
    s += "|" + (q.address ? q.address->to_string() : "*");
    s += "|" + (q.port ? std::to_string(*q.port) : "*");
    s += "|" + (scope.all_members ? std::string("all") : json_id_list(scope.members));
    return s;
}

std::string finding_search_sql(const Scope& scope, const FindingQuery& q, bool after_cursor) {
    std::string where = q.member ? "member = :member" : scope_condition(scope, "member");
    where += " AND last_seen_ns >= :from AND last_seen_ns < :to";
    if (q.kind) {
        where += " AND kind = :kind";
    }
    if (q.min_severity) {
        where += " AND severity >= :severity";
    }
    if (q.status) {
        where += " AND status = :status";
    }
    if (q.address) {
        where += " AND EXISTS (SELECT 1 FROM finding_addresses a WHERE a.member = f.member "
                 "AND a.finding_id = f.id AND a.address = :address)";
    }
    if (q.port) {
        where += " AND EXISTS (SELECT 1 FROM finding_ports p WHERE p.member = f.member "
                 "AND p.finding_id = f.id AND p.port = :port)";
    }
    if (after_cursor) {
        where += " AND (last_seen_ns, member, id) < (:cursor_time, :cursor_member, :cursor_id)";
    }
    return select_sql(kFindingColumns, "findings f",
                      "WHERE " + where +
                          " ORDER BY last_seen_ns DESC, member DESC, id DESC LIMIT :limit");
}

}  // namespace

core::Status SqliteStore::upsert_findings(TenantId member, std::span<const detect::Finding> findings,
                                          std::int64_t now_ns) {
    auto conn = pool_->writer();
    if (auto st = check_is_member(*conn, member, "member"); !st) {
        return st;
    }
    auto tx = Transaction::begin(*conn);
    if (!tx) {
        return core::fail(std::move(tx.error()));
    }
    for (const detect::Finding& f : findings) {
        if (auto st = upsert_one(*conn, member, f, now_ns); !st) {
            return st;
        }
    }
    return tx->commit();
}

core::Result<FindingRecord> SqliteStore::get_finding(const Scope& scope, TenantId member,
                                                     std::string_view id) {
    const std::string missing = "finding '" + std::string(id) + "' not found";
    if (!scope.allows(member)) {
        return core::fail(core::Error::not_found(missing));
    }
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    auto st = (*conn)->prepare(select_sql(kFindingColumns, "findings", "WHERE member = ? AND id = ?"));
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(member, id);
    auto rec = one<core::Result<FindingRecord>>(*st, read_finding, missing);
    if (!rec) {
        return core::fail(std::move(rec.error()));
    }
    return std::move(*rec);
}

core::Result<Page<FindingRecord>> SqliteStore::search_findings(const Scope& scope,
                                                               const FindingQuery& q) {
    const std::uint64_t fingerprint = query_fingerprint(finding_fingerprint_text(scope, q));
    std::optional<CursorKey> cursor;
    if (!q.cursor.empty()) {
        auto key = decode_cursor(q.cursor, fingerprint);
        if (!key) {
            return core::fail(std::move(key.error()));
        }
        cursor = std::move(*key);
    }
    Page<FindingRecord> page;
    if (q.member && !scope.allows(*q.member)) {
        return page;  // as for a member with no findings
    }
    const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, kMaxPageSize);
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    auto st = (*conn)->prepare(finding_search_sql(scope, q, cursor.has_value()));
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    bind_scope(*st, scope);
    st->bind_named(":from", q.from_ns).bind_named(":to", q.to_ns).bind_named(":limit", limit + 1);
    if (q.member) {
        st->bind_named(":member", *q.member);
    }
    if (q.kind) {
        st->bind_named(":kind", *q.kind);
    }
    if (q.min_severity) {
        st->bind_named(":severity", *q.min_severity);
    }
    if (q.status) {
        st->bind_named(":status", *q.status);
    }
    if (q.address) {
        st->bind_named(":address", Blob{address_bytes(*q.address)});
    }
    if (q.port) {
        st->bind_named(":port", *q.port);
    }
    if (cursor) {
        st->bind_named(":cursor_time", cursor->time_ns)
            .bind_named(":cursor_member", cursor->id)
            .bind_named(":cursor_id", cursor->text_id);
    }
    auto rows = collect<core::Result<FindingRecord>>(*st, read_finding);
    if (!rows) {
        return core::fail(std::move(rows.error()));
    }
    for (auto& rec : *rows) {
        if (!rec) {
            return core::fail(std::move(rec.error()));
        }
        if (page.items.size() == limit) {
            const FindingRecord& last = page.items.back();
            page.next_cursor = encode_cursor(
                fingerprint, CursorKey{last.finding.last_seen_ns, last.member, last.finding.id});
            break;
        }
        page.items.push_back(std::move(*rec));
    }
    return page;
}

core::Status SqliteStore::set_finding_status(const Scope& scope, TenantId member,
                                             std::string_view id, FindingStatus status,
                                             std::int64_t now_ns) {
    const std::string missing = "finding '" + std::string(id) + "' not found";
    if (!scope.allows(member)) {
        return core::fail(core::Error::not_found(missing));
    }
    auto conn = pool_->writer();
    if (auto done = execute(*conn,
                            "UPDATE findings SET status = ?, updated_ns = ? WHERE member = ? AND id = ?",
                            status, now_ns, member, id);
        !done) {
        return done;
    }
    return changed_one(*conn, missing);
}

}  // namespace cyberalarm::store::sqlite
