#include "store/sqlite/internal/migrations.h"

#include <array>
#include <string>

#include "store/sqlite/internal/event_migration.h"

namespace cyberalarm::store::sqlite {

namespace {

// Version 1: tenancy and access — who exists, what they own, who may read what, and the
// audit log of who did.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    parent INTEGER REFERENCES tenants(id),
    name TEXT NOT NULL,
    sector TEXT NOT NULL DEFAULT '',
    networks TEXT NOT NULL DEFAULT '',
    created_ns INTEGER NOT NULL
);
CREATE UNIQUE INDEX tenants_sibling_name ON tenants(coalesce(parent, 0), name);
CREATE INDEX tenants_parent ON tenants(parent);

CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    member INTEGER NOT NULL REFERENCES tenants(id),
    kind INTEGER NOT NULL,
    value TEXT NOT NULL,
    verify_token TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    verified_ns INTEGER NOT NULL DEFAULT 0,
    verified_by TEXT NOT NULL DEFAULT '',
    UNIQUE (member, kind, value)
);

CREATE TABLE collectors (
    id TEXT PRIMARY KEY,
    member INTEGER NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    cert_serial TEXT NOT NULL DEFAULT '',
    cert_not_after_ns INTEGER NOT NULL DEFAULT 0,
    created_ns INTEGER NOT NULL,
    enrolled_ns INTEGER NOT NULL DEFAULT 0,
    last_seen_ns INTEGER NOT NULL DEFAULT 0,
    high_water INTEGER NOT NULL DEFAULT 0,
    events_total INTEGER NOT NULL DEFAULT 0,
    revoked_ns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX collectors_member ON collectors(member);

CREATE TABLE enroll_tokens (
    token_hash TEXT PRIMARY KEY,
    collector_id TEXT NOT NULL REFERENCES collectors(id),
    member INTEGER NOT NULL REFERENCES tenants(id),
    created_by TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    used_ns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enroll_tokens_member ON enroll_tokens(member);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    tenant INTEGER REFERENCES tenants(id),  -- NULL only for an operator
    role INTEGER NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    last_login_ns INTEGER NOT NULL DEFAULT 0,
    disabled_ns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_tenant ON users(tenant);

CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    member INTEGER NOT NULL REFERENCES tenants(id),
    purpose TEXT NOT NULL,
    granted_by INTEGER NOT NULL,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    revoked_ns INTEGER NOT NULL DEFAULT 0,
    last_used_ns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX grants_user ON grants(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    revoked_ns INTEGER NOT NULL DEFAULT 0,
    last_used_ns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    time_ns INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    member INTEGER NOT NULL DEFAULT 0,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_member ON audit(member, seq);
CREATE INDEX audit_time ON audit(time_ns);
-- The chain's head, kept apart from the rows so that retention (which may delete the
-- oldest rows) never makes a sequence number or a hash be issued twice.
CREATE TABLE audit_head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, '');
)sql";

// Version 2: the data — events, findings, scans, reports — and the retention record.
constexpr std::string_view kV2 = R"sql(
-- Events carry no foreign keys: append_events checks the collector once per batch, and a
-- per-row parent lookup would cost ingest speed for nothing.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member INTEGER NOT NULL,
    time_ns INTEGER NOT NULL,
    collector TEXT NOT NULL,
    src BLOB,
    dst BLOB,
    dst_port INTEGER,
    category INTEGER NOT NULL,
    action INTEGER NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX events_member_time ON events(member, time_ns);
CREATE INDEX events_member_src ON events(member, src, time_ns);
CREATE INDEX events_member_dst ON events(member, dst, time_ns);
CREATE INDEX events_member_port ON events(member, dst_port, time_ns);
CREATE INDEX events_member_category ON events(member, category, time_ns);

CREATE TABLE findings (
    member INTEGER NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    severity INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 0,
    first_seen_ns INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (member, id)
) WITHOUT ROWID;
CREATE INDEX findings_member_seen ON findings(member, last_seen_ns);
CREATE INDEX findings_member_kind ON findings(member, kind, last_seen_ns);
CREATE INDEX findings_seen ON findings(last_seen_ns);
-- The addresses (sources and targets) and ports a finding lists, for search by either.
CREATE TABLE finding_addresses (
    member INTEGER NOT NULL,
    finding_id TEXT NOT NULL,
    address BLOB NOT NULL,
    PRIMARY KEY (member, finding_id, address),
    FOREIGN KEY (member, finding_id) REFERENCES findings(member, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX finding_addresses_lookup ON finding_addresses(member, address);
CREATE TABLE finding_ports (
    member INTEGER NOT NULL,
    finding_id TEXT NOT NULL,
    port INTEGER NOT NULL,
    PRIMARY KEY (member, finding_id, port),
    FOREIGN KEY (member, finding_id) REFERENCES findings(member, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX finding_ports_lookup ON finding_ports(member, port);

CREATE TABLE scan_runs (
    id INTEGER PRIMARY KEY,
    member INTEGER NOT NULL REFERENCES tenants(id),
    targets TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    started_ns INTEGER NOT NULL,
    finished_ns INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL
);
CREATE INDEX scan_runs_member ON scan_runs(member, started_ns);
CREATE TABLE scan_results (
    id INTEGER PRIMARY KEY,
    member INTEGER NOT NULL REFERENCES tenants(id),
    scan_id INTEGER NOT NULL REFERENCES scan_runs(id),
    target TEXT NOT NULL,
    port INTEGER NOT NULL,
    transport INTEGER NOT NULL,
    service TEXT NOT NULL,
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    check_name TEXT NOT NULL,
    cve TEXT NOT NULL,
    severity INTEGER NOT NULL,
    cvss REAL NOT NULL,
    title TEXT NOT NULL,
    evidence TEXT NOT NULL,
    advice TEXT NOT NULL,
    seen_ns INTEGER NOT NULL
);
CREATE INDEX scan_results_member ON scan_results(member, scan_id);
CREATE INDEX scan_results_scan ON scan_results(scan_id);
CREATE INDEX scan_results_seen ON scan_results(seen_ns);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    tenant INTEGER NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    from_ns INTEGER NOT NULL,
    to_ns INTEGER NOT NULL,
    created_ns INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX reports_tenant ON reports(tenant, created_ns);
CREATE INDEX reports_created ON reports(created_ns);

CREATE TABLE retention_runs (
    id INTEGER PRIMARY KEY,
    ran_ns INTEGER NOT NULL,
    events_deleted INTEGER NOT NULL,
    findings_deleted INTEGER NOT NULL,
    scan_results_deleted INTEGER NOT NULL,
    reports_deleted INTEGER NOT NULL,
    audit_deleted INTEGER NOT NULL
);
)sql";

// Version 3: events in blocks (docs/design/store.md, "Events in blocks"). A block holds up to
// 4096 events of one collector, sorted by time, as one row: its time bounds, the index of its
// first remaining event (retention trims blocks from the front), a filter over the block's
// addresses, ports, categories and actions, and the encoded events. An event's id is
// block id * 4096 + its index. The rows of version 2's `events` table are moved into blocks
// by code right after this script, in the same transaction (internal/event_migration.h).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE event_blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member INTEGER NOT NULL,
    collector TEXT NOT NULL,
    min_time_ns INTEGER NOT NULL,
    max_time_ns INTEGER NOT NULL,
    first INTEGER NOT NULL,
    count INTEGER NOT NULL,
    filter BLOB NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX event_blocks_member_time ON event_blocks(member, max_time_ns, min_time_ns);
)sql";

constexpr std::array<Migration, 3> kMigrations = {{
    {1, "tenancy and access", kV1},
    {2, "events, findings, scans, reports, retention", kV2},
    {3, "events in blocks", kV3},
}};

// Code that runs right after a migration's SQL, in the same transaction: data moves that SQL
// alone cannot do.
struct MigrationStep {
    int version;
    core::Status (*run)(Connection& conn);
};
constexpr std::array<MigrationStep, 1> kSteps = {{
    {3, move_events_into_blocks},
}};

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ns INTEGER NOT NULL)";

core::Result<int> current_version(Connection& conn) {
    auto st = conn.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    auto row = st->step();
    if (!row) {
        return core::fail(std::move(row.error()));
    }
    return static_cast<int>(st->i64(0));
}

core::Status apply(Connection& conn, const Migration& m, std::int64_t now_ns) {
    auto tx = Transaction::begin(conn);
    if (!tx) {
        return core::fail(std::move(tx.error()));
    }
    // Re-read under the write lock: another process may have migrated meanwhile.
    auto version = current_version(conn);
    if (!version) {
        return core::fail(std::move(version.error()));
    }
    if (*version >= m.version) {
        return {};
    }
    if (auto st = conn.exec(std::string(m.sql)); !st) {
        return core::fail(std::move(st.error()).context(
            "applying schema migration " + std::to_string(m.version) + " (" +
            std::string(m.name) + ")"));
    }
    for (const MigrationStep& step : kSteps) {
        if (step.version != m.version) {
            continue;
        }
        if (auto st = step.run(conn); !st) {
            return core::fail(std::move(st.error()).context(
                "moving data for schema migration " + std::to_string(m.version)));
        }
    }
    auto ins = conn.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)");
    if (!ins) {
        return core::fail(std::move(ins.error()));
    }
    if (auto st = ins->bind_all(m.version, m.name, now_ns).run(); !st) {
        return st;
    }
    return tx->commit();
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latest_schema_version() { return kMigrations.back().version; }

core::Result<int> migrate(Connection& conn, std::int64_t now_ns) {
    if (auto st = conn.exec(std::string(kCreateMigrationsTable)); !st) {
        return core::fail(std::move(st.error()));
    }
    auto version = current_version(conn);
    if (!version) {
        return core::fail(std::move(version.error()));
    }
    if (*version > latest_schema_version()) {
        return core::fail(core::Error::unsupported(
            "database schema version " + std::to_string(*version) +
            " is newer than this program knows (" + std::to_string(latest_schema_version()) +
            "); run a newer cyberalarm, or restore a backup made by this version"));
    }
    for (const Migration& m : kMigrations) {
        if (m.version > *version) {
            if (auto st = apply(conn, m, now_ns); !st) {
                return core::fail(std::move(st.error()));
            }
        }
    }
    return current_version(conn);
}

}  // namespace cyberalarm::store::sqlite
