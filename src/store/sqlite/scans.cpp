// Scanner runs and results, and stored reports.
#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

const std::string kScanMember = "SELECT member FROM scan_runs WHERE id = ?";

std::string scan_missing(std::int64_t id) { return "scan " + std::to_string(id) + " not found"; }

core::Status insert_result(Connection& conn, TenantId member, std::int64_t scan_id,
                           const ScanResult& r) {
    auto st = conn.prepare("INSERT INTO scan_results (" +
                           std::string(kScanResultColumns).substr(4) +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    const std::int64_t seen = r.seen_ns != 0 ? r.seen_ns : wall_clock_ns();
    st->bind_all(member, scan_id, r.target, r.port, r.transport, r.service, r.product, r.version,
                 r.check, r.cve, r.severity, r.cvss, r.title, r.evidence, r.advice, seen);
    return st->run();
}

}  // namespace

core::Result<ScanRun> SqliteStore::start_scan(const Scope& scope, ScanRun run) {
    auto conn = pool_->writer();
    if (auto st = check_member_visible(*conn, scope, run.member); !st) {
        return core::fail(std::move(st.error()));
    }
    if (run.started_ns == 0) {
        run.started_ns = wall_clock_ns();
    }
    if (run.status.empty()) {
        run.status = "running";
    }
    auto st = conn->prepare(
        "INSERT INTO scan_runs (member, targets, requested_by, started_ns, finished_ns, status) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(run.member, run.targets, run.requested_by, run.started_ns, run.finished_ns,
                 run.status);
    if (auto done = st->run(); !done) {
        return core::fail(std::move(done.error()));
    }
    run.id = conn->last_insert_rowid();
    return run;
}

core::Status SqliteStore::finish_scan(std::int64_t scan_id, std::string_view status,
                                      std::int64_t now_ns) {
    if (status.empty()) {
        return core::fail(core::Error::invalid_argument("a finished scan needs a status")
                              .at_field("status"));
    }
    auto conn = pool_->writer();
    if (auto done = execute(*conn, "UPDATE scan_runs SET finished_ns = ?, status = ? WHERE id = ?",
                            now_ns, status, scan_id);
        !done) {
        return done;
    }
    return changed_one(*conn, scan_missing(scan_id));
}

core::Status SqliteStore::add_scan_results(std::int64_t scan_id,
                                           std::span<const ScanResult> results) {
    auto conn = pool_->writer();
    auto member = member_in_scope(*conn, kScanMember, scan_id, Scope::service(),
                                  scan_missing(scan_id));
    if (!member) {
        return core::fail(std::move(member.error()));
    }
    auto tx = Transaction::begin(*conn);
    if (!tx) {
        return core::fail(std::move(tx.error()));
    }
    for (const ScanResult& r : results) {
        // A result is about the scanned member only; one naming another is a scanner bug.
        if (r.member != 0 && r.member != *member) {
            return core::fail(core::Error::invalid_argument(
                                  "result for member " + std::to_string(r.member) +
                                  " in a scan of member " + std::to_string(*member))
                                  .at_field("member"));
        }
        if (auto st = insert_result(*conn, *member, scan_id, r); !st) {
            return st;
        }
    }
    return tx->commit();
}

core::Result<std::vector<ScanRun>> SqliteStore::list_scans(const Scope& scope, TenantId member) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    if (auto st = check_member_visible(**conn, scope, member); !st) {
        return core::fail(std::move(st.error()));
    }
    return query_all<ScanRun>(
        **conn,
        select_sql(kScanRunColumns, "scan_runs", "WHERE member = ? ORDER BY started_ns DESC, id DESC"),
        read_scan_run, member);
}

core::Result<std::vector<ScanResult>> SqliteStore::scan_results(
    const Scope& scope, TenantId member, std::optional<std::int64_t> scan_id) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    if (auto st = check_member_visible(**conn, scope, member); !st) {
        return core::fail(std::move(st.error()));
    }
    if (scan_id) {
        // Another member's scan is reported exactly as a missing one.
        auto owner = member_in_scope(**conn, kScanMember, *scan_id, Scope::of({member}),
                                     scan_missing(*scan_id));
        if (!owner) {
            return core::fail(std::move(owner.error()));
        }
    }
    return query_all<ScanResult>(
        **conn,
        select_sql(kScanResultColumns, "scan_results",
                   "WHERE member = ?1 AND (?2 = 0 OR scan_id = ?2) ORDER BY id"),
        read_scan_result, member, scan_id.value_or(0));
}

core::Result<std::int64_t> SqliteStore::put_report(ReportRecord report) {
    auto conn = pool_->writer();
    if (auto t = members_under_on(*conn, report.tenant); !t) {
        return core::fail(core::Error::invalid_argument(t.error().message()).at_field("tenant"));
    }
    if (report.created_ns == 0) {
        report.created_ns = wall_clock_ns();
    }
    auto st = conn->prepare(
        "INSERT INTO reports (tenant, kind, from_ns, to_ns, created_ns, content_type, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(report.tenant, report.kind, report.from_ns, report.to_ns, report.created_ns,
                 report.content_type, Blob{report.body});
    if (auto done = st->run(); !done) {
        return core::fail(std::move(done.error()));
    }
    return conn->last_insert_rowid();
}

core::Result<ReportRecord> SqliteStore::get_report(const Scope& scope, std::int64_t id) {
    const std::string missing = "report " + std::to_string(id) + " not found";
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    auto st = (*conn)->prepare(
        select_sql(std::string(kReportColumns) + ", body", "reports", "WHERE id = ?"));
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(id);
    auto report = one<ReportRecord>(
        *st,
        [](const Stmt& s) {
            ReportRecord r = read_report(s);
            r.body = std::string(s.blob(7));
            return r;
        },
        missing);
    if (!report) {
        return report;
    }
    if (auto v = check_tenant_visible(**conn, scope, report->tenant); !v) {
        if (v.error().code() == core::ErrorCode::kNotFound) {
            return core::fail(core::Error::not_found(missing));
        }
        return core::fail(std::move(v.error()));
    }
    return report;
}

core::Result<std::vector<ReportRecord>> SqliteStore::list_reports(const Scope& scope,
                                                                  TenantId tenant) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    if (auto v = check_tenant_visible(**conn, scope, tenant); !v) {
        return core::fail(std::move(v.error()));
    }
    return query_all<ReportRecord>(
        **conn,
        select_sql(kReportColumns, "reports", "WHERE tenant = ? ORDER BY created_ns DESC, id DESC"),
        read_report, tenant);
}

}  // namespace cyberalarm::store::sqlite
