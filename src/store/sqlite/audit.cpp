// The hash-chained audit log, and retention (which records itself in that log).
#include <array>

#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::int64_t kNsPerDay = 86'400'000'000'000;
constexpr std::size_t kMaxAuditRead = 100'000;

struct RetentionClass {
    const char* name;     // as recorded in the audit log
    int RetentionPolicy::*days;
    std::uint64_t RetentionRun::*deleted;
    const char* delete_sql;  // one chunk: :cutoff, :chunk (null: events, by block)
    bool per_member;
};

// Each chunk selects its victims through an index on the class's time column, then deletes
// them by key. Events are kept in blocks and go by member (delete_old_events, events.cpp).
constexpr std::array<RetentionClass, 5> kClasses = {{
    {"events", &RetentionPolicy::events_days, &RetentionRun::events_deleted, nullptr, true},
    {"findings", &RetentionPolicy::findings_days, &RetentionRun::findings_deleted,
     "DELETE FROM findings WHERE (member, id) IN (SELECT member, id FROM findings "
     "WHERE last_seen_ns < :cutoff LIMIT :chunk)",
     false},
    {"scan_results", &RetentionPolicy::scan_results_days, &RetentionRun::scan_results_deleted,
     "DELETE FROM scan_results WHERE id IN (SELECT id FROM scan_results WHERE seen_ns < :cutoff "
     "LIMIT :chunk)",
     false},
    {"reports", &RetentionPolicy::reports_days, &RetentionRun::reports_deleted,
     "DELETE FROM reports WHERE id IN (SELECT id FROM reports WHERE created_ns < :cutoff "
     "LIMIT :chunk)",
     false},
    {"audit", &RetentionPolicy::audit_days, &RetentionRun::audit_deleted,
     "DELETE FROM audit WHERE seq IN (SELECT seq FROM audit WHERE time_ns < :cutoff "
     "ORDER BY seq LIMIT :chunk)",
     false},
}};

RetentionRun read_retention_run(const Stmt& st) {
    RetentionRun r;
    r.ran_ns = st.i64(0);
    r.events_deleted = static_cast<std::uint64_t>(st.i64(1));
    r.findings_deleted = static_cast<std::uint64_t>(st.i64(2));
    r.scan_results_deleted = static_cast<std::uint64_t>(st.i64(3));
    r.reports_deleted = static_cast<std::uint64_t>(st.i64(4));
    r.audit_deleted = static_cast<std::uint64_t>(st.i64(5));
    return r;
}

}  // namespace

core::Result<AuditRecord> SqliteStore::append_audit_locked(Connection& conn, AuditRecord record) {
    if (record.actor.empty() || record.action.empty()) {
        return core::fail(core::Error::invalid_argument("an audit record names actor and action")
                              .at_field(record.actor.empty() ? "actor" : "action"));
    }
    auto head = conn.prepare("SELECT seq, hash FROM audit_head");
    if (!head) {
        return core::fail(std::move(head.error()));
    }
    auto row = head->step();
    if (!row || !*row) {
        return core::fail(row ? core::Error::corrupt("audit chain head is missing")
                              : std::move(row.error()));
    }
    record.seq = head->i64(0) + 1;
    record.prev_hash = head->text(1);
    if (record.time_ns == 0) {
        record.time_ns = wall_clock_ns();
    }
    record.hash = audit_hash(record);
    auto ins = conn.prepare("INSERT INTO audit (" + std::string(kAuditColumns) +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) {
        return core::fail(std::move(ins.error()));
    }
    ins->bind_all(record.seq, record.time_ns, record.actor, record.action, record.member,
                  record.target, record.detail, record.prev_hash, record.hash);
    if (auto st = ins->run(); !st) {
        return core::fail(std::move(st.error()));
    }
    if (auto st = execute(conn, "UPDATE audit_head SET seq = ?, hash = ?", record.seq, record.hash);
        !st) {
        return core::fail(std::move(st.error()));
    }
    return record;
}

core::Result<AuditRecord> SqliteStore::append_audit(AuditRecord record) {
    auto conn = pool_->writer();
    auto tx = Transaction::begin(*conn);
    if (!tx) {
        return core::fail(std::move(tx.error()));
    }
    auto stored = append_audit_locked(*conn, std::move(record));
    if (!stored) {
        return stored;
    }
    if (auto st = tx->commit(); !st) {
        return core::fail(std::move(st.error()));
    }
    return stored;
}

core::Result<std::vector<AuditRecord>> SqliteStore::read_audit(std::int64_t from_seq,
                                                               std::size_t limit,
                                                               std::optional<TenantId> member) {
    limit = std::min(limit, kMaxAuditRead);
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    auto st = (*conn)->prepare(select_sql(
        kAuditColumns, "audit",
        member ? "WHERE member = ?3 AND seq >= ?1 ORDER BY seq LIMIT ?2"
               : "WHERE seq >= ?1 AND seq < ?1 + ?2 ORDER BY seq"));
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(from_seq, limit);
    if (member) {
        st->bind(3, *member);
    }
    return collect<AuditRecord>(*st, read_audit_record);
}

core::Result<AuditRecord> SqliteStore::audit_head() {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    auto st = (*conn)->prepare("SELECT seq, hash FROM audit_head");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    auto row = st->step();
    if (!row || !*row) {
        return core::fail(row ? core::Error::corrupt("audit chain head is missing")
                              : std::move(row.error()));
    }
    AuditRecord head;
    head.seq = st->i64(0);
    head.hash = st->text(1);
    return head;
}

core::Result<std::uint64_t> SqliteStore::delete_chunked(const std::string& sql,
                                                        std::int64_t cutoff_ns,
                                                        std::optional<TenantId> member) {
    std::uint64_t total = 0;
    for (;;) {
        // The writer is released between chunks, so ingest waits one chunk at most.
        auto conn = pool_->writer();
        auto st = conn->prepare(sql);
        if (!st) {
            return core::fail(std::move(st.error()));
        }
        st->bind_named(":cutoff", cutoff_ns).bind_named(":chunk", options_.retention_chunk_rows);
        if (member) {
            st->bind_named(":member", *member);
        }
        if (auto done = st->run(); !done) {
            return core::fail(std::move(done.error()));
        }
        const auto n = static_cast<std::uint64_t>(conn->changes());
        total += n;
        if (n < options_.retention_chunk_rows) {
            return total;
        }
    }
}

core::Result<RetentionRun> SqliteStore::run_retention(const RetentionPolicy& policy,
                                                      std::int64_t now_ns) {
    RetentionRun run;
    run.ran_ns = now_ns;
    std::vector<TenantId> members;
    {
        auto conn = pool_->writer();
        auto all = scope_members(*conn, Scope::service(), std::nullopt);
        if (!all) {
            return core::fail(std::move(all.error()));
        }
        members = std::move(*all);
    }
    for (const RetentionClass& c : kClasses) {
        const int days = policy.*(c.days);
        if (days <= 0) {
            continue;
        }
        const std::int64_t cutoff = now_ns - days * kNsPerDay;
        std::uint64_t deleted = 0;
        for (std::size_t i = 0; i < (c.per_member ? members.size() : 1); ++i) {
            auto n = c.per_member ? delete_old_events(members[i], cutoff)
                                  : delete_chunked(c.delete_sql, cutoff, std::nullopt);
            if (!n) {
                return core::fail(std::move(n.error()).context(std::string("retention of ") +
                                                               c.name));
            }
            deleted += *n;
        }
        run.*(c.deleted) = deleted;
    }
    return record_retention(policy, run);
}

core::Result<RetentionRun> SqliteStore::record_retention(const RetentionPolicy& policy,
                                                         const RetentionRun& run) {
    auto conn = pool_->writer();
    auto tx = Transaction::begin(*conn);
    if (!tx) {
        return core::fail(std::move(tx.error()));
    }
    auto st = conn->prepare("INSERT INTO retention_runs (ran_ns, events_deleted, findings_deleted, "
                            "scan_results_deleted, reports_deleted, audit_deleted) "
                            "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(run.ran_ns, run.events_deleted, run.findings_deleted, run.scan_results_deleted,
                 run.reports_deleted, run.audit_deleted);
    if (auto done = st->run(); !done) {
        return core::fail(std::move(done.error()));
    }
    for (const RetentionClass& c : kClasses) {
        const std::uint64_t n = run.*(c.deleted);
        if (n == 0) {
            continue;
        }
        const int days = policy.*(c.days);
        AuditRecord rec;
        rec.time_ns = run.ran_ns;
        rec.actor = "system:retention";
        rec.action = "retention";
        rec.target = c.name;
        rec.detail = "deleted " + std::to_string(n) + " older than " + std::to_string(days) +
                     " days (before " + std::to_string(run.ran_ns - days * kNsPerDay) + " ns)";
        if (auto a = append_audit_locked(*conn, std::move(rec)); !a) {
            return core::fail(std::move(a.error()));
        }
    }
    if (auto done = tx->commit(); !done) {
        return core::fail(std::move(done.error()));
    }
    return run;
}

core::Result<std::vector<RetentionRun>> SqliteStore::retention_history(std::size_t limit) {
    return read_all<RetentionRun>(
        "SELECT ran_ns, events_deleted, findings_deleted, scan_results_deleted, reports_deleted, "
        "audit_deleted FROM retention_runs ORDER BY id DESC LIMIT ?",
        read_retention_run, std::min(limit, kMaxPageSize));
}

}  // namespace cyberalarm::store::sqlite
