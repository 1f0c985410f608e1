// How the store's records map to and from SQLite rows: the column list each reader expects
// (selected in that order) and the function that reads a row of it, plus small helpers the
// method files share.
//
// Thread safety: pure functions over a statement the caller holds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "store/sqlite/internal/db.h"
#include "store/store.h"

namespace cyberalarm::store::sqlite {

inline constexpr std::string_view kTenantColumns =
    "id, level, coalesce(parent, 0), name, sector, networks, created_ns";
inline constexpr std::string_view kAssetColumns =
    "id, member, kind, value, verify_token, created_ns, verified_ns, verified_by";
inline constexpr std::string_view kCollectorColumns =
    "id, member, name, cert_serial, cert_not_after_ns, created_ns, enrolled_ns, last_seen_ns, "
    "high_water, events_total, revoked_ns";
inline constexpr std::string_view kEnrollTokenColumns =
    "token_hash, collector_id, member, created_by, created_ns, expires_ns, used_ns";
inline constexpr std::string_view kUserColumns =
    "id, coalesce(tenant, 0), role, email, display_name, password_hash, totp_secret, created_ns, "
    "last_login_ns, disabled_ns";
inline constexpr std::string_view kGrantColumns =
    "id, user_id, member, purpose, granted_by, created_ns, expires_ns, revoked_ns, last_used_ns";
inline constexpr std::string_view kApiTokenColumns =
    "id, user_id, token_hash, label, scopes, created_ns, expires_ns, revoked_ns, last_used_ns";
inline constexpr std::string_view kAuditColumns =
    "seq, time_ns, actor, action, member, target, detail, prev_hash, hash";
inline constexpr std::string_view kScanRunColumns =
    "id, member, targets, requested_by, started_ns, finished_ns, status";
inline constexpr std::string_view kScanResultColumns =
    "id, member, scan_id, target, port, transport, service, product, version, check_name, cve, "
    "severity, cvss, title, evidence, advice, seen_ns";
inline constexpr std::string_view kReportColumns =
    "id, tenant, kind, from_ns, to_ns, created_ns, content_type";

Tenant read_tenant(const Stmt& st);
Asset read_asset(const Stmt& st);
Collector read_collector(const Stmt& st);
EnrollToken read_enroll_token(const Stmt& st);
User read_user(const Stmt& st);
Grant read_grant(const Stmt& st);
ApiToken read_api_token(const Stmt& st);
AuditRecord read_audit_record(const Stmt& st);
ScanRun read_scan_run(const Stmt& st);
ScanResult read_scan_result(const Stmt& st);
ReportRecord read_report(const Stmt& st);  // without the body

// "SELECT <columns> FROM <table> <rest>"
std::string select_sql(std::string_view columns, std::string_view table, std::string_view rest);

// Steps `st` to the end, calling `on_row(st)` for each row.
template <typename OnRow>
core::Status each_row(Stmt& st, OnRow on_row) {
    for (;;) {
        auto row = st.step();
        if (!row) {
            return core::fail(std::move(row.error()));
        }
        if (!*row) {
            return {};
        }
        on_row(st);
    }
}

// Steps `st` to the end, reading each row with `read`.
template <typename T, typename Read>
core::Result<std::vector<T>> collect(Stmt& st, Read read) {
    std::vector<T> out;
    if (auto done = each_row(st, [&](const Stmt& s) { out.push_back(read(s)); }); !done) {
        return core::fail(std::move(done.error()));
    }
    return out;
}

// Steps `st` once: the row read with `read`, or kNotFound with `missing` as the message.
template <typename T, typename Read>
core::Result<T> one(Stmt& st, Read read, std::string missing) {
    auto row = st.step();
    if (!row) {
        return core::fail(std::move(row.error()));
    }
    if (!*row) {
        return core::fail(core::Error::not_found(std::move(missing)));
    }
    return read(st);
}

// Prepares `sql`, binds `args` from parameter 1 and reads every row with `read`.
template <typename T, typename Read, typename... Args>
core::Result<std::vector<T>> query_all(Connection& conn, const std::string& sql, Read read,
                                       const Args&... args) {
    auto st = conn.prepare(sql);
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(args...);
    return collect<T>(*st, read);
}

// As query_all, for one row: kNotFound with `missing` if there is none.
template <typename T, typename Read, typename... Args>
core::Result<T> query_one(Connection& conn, const std::string& sql, Read read,
                          std::string missing, const Args&... args) {
    auto st = conn.prepare(sql);
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(args...);
    return one<T>(*st, read, std::move(missing));
}

// Runs a statement without results.
template <typename... Args>
core::Status execute(Connection& conn, const std::string& sql, const Args&... args) {
    auto st = conn.prepare(sql);
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    return st->bind_all(args...).run();
}

// Sets revoked_ns on the row with this id in `table`, keeping the first time if already set
// (that is when trust ended); kNotFound with `what` if there is no such row.
template <typename Id>
core::Status revoke_row(Connection& conn, const char* table, const Id& id, std::int64_t now_ns,
                        std::string what) {
    auto done = execute(conn,
                        std::string("UPDATE ") + table +
                            " SET revoked_ns = CASE revoked_ns WHEN 0 THEN ? ELSE revoked_ns END "
                            "WHERE id = ?",
                        now_ns, id);
    if (!done) {
        return done;
    }
    return conn.changes() == 0 ? core::fail(core::Error::not_found(std::move(what))) : done;
}

inline std::int64_t read_i64(const Stmt& st) { return st.i64(0); }

// Fails with kNotFound naming `what` when an UPDATE or DELETE touched no row.
core::Status changed_one(Connection& conn, std::string what);

// The 16-byte form of an address as stored (IPv4 mapped into IPv6); empty when unset.
std::string_view address_bytes(const core::IpAddress& ip);
core::IpAddress address_from_bytes(std::string_view bytes);

// The SQL condition limiting `column` to the scope's members: "1" for the service scope,
// otherwise a test against the named parameter :scope, which bind_scope fills.
std::string scope_condition(const Scope& scope, std::string_view column);
void bind_scope(Stmt& st, const Scope& scope);

// "[1,2,3]": a member list for `IN (SELECT value FROM json_each(?))`.
std::string json_id_list(const std::vector<TenantId>& ids);

// A 64-bit FNV-1a hash of a query's canonical text, for cursor fingerprints. Not a secret:
// a forged cursor can only move a position inside the caller's own scope.
std::uint64_t query_fingerprint(std::string_view canonical);

// Lower-case hex of the given length (a SHA-256 is 64), after lower-casing `text`; nullopt
// if it is anything else.
std::optional<std::string> normalise_hex(std::string_view text, std::size_t length);

}  // namespace cyberalarm::store::sqlite
