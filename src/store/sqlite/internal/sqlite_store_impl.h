// SqliteStore: the Store interface over one SQLite database (see sqlite_store.h). The
// methods are spread over several files by subject (tenants.cpp, events.cpp, findings.cpp,
// people.cpp, audit.cpp, scans.cpp); this header is what they share.
//
// Invariants: every write runs on the pool's single writer connection, inside one
// transaction when it touches more than one row; every read of member data filters by the
// caller's Scope inside its SQL (or checks the one row it read) and reports a row outside the
// scope exactly as a missing one.
//
// Thread safety: every method may be called from any thread (see pool.h).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/internal/pool.h"
#include "store/sqlite/internal/rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace cyberalarm::store::sqlite {

// Every member tenant at or below `tenant`, on the given connection; kNotFound if `tenant`
// does not exist.
core::Result<std::vector<TenantId>> members_under_on(Connection& conn, TenantId tenant);

// The member owning the row that `sql` (one parameter: the id) selects, if that member is
// in `scope`; otherwise kNotFound with `missing`, exactly as when there is no such row.
core::Result<TenantId> member_in_scope(Connection& conn, const std::string& sql, std::int64_t id,
                                       const Scope& scope, const std::string& missing);

// kNotFound ("member N not found") unless `member` is a member tenant in `scope`.
core::Status check_member_visible(Connection& conn, const Scope& scope, TenantId member);

// kInvalidArgument naming `field` unless `member` is an existing member tenant.
core::Status check_is_member(Connection& conn, TenantId member, std::string_view field);

// The collector with this id, read on the given connection; kNotFound naming it.
core::Result<Collector> collector_on(Connection& conn, std::string_view id);

// The caller's wall clock is the store's only source of time except at open (migrations).
std::int64_t wall_clock_ns();

// One append_events call waiting to be written (events.cpp).
struct PendingAppend;

// Group commit: callers of append_events queue their encoded batches here; one of them (the
// leader) takes every batch queued, writes them all in one transaction with one fsync, and
// wakes the others with their own status.
struct IngestQueue {
    std::mutex mutex;
    std::condition_variable written;
    std::vector<PendingAppend*> waiting;
    bool writing = false;  // a leader is writing a group
};

class SqliteStore final : public Store {
public:
    SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Pool> pool,
                int schema_version);

    std::string backend() const override { return "sqlite"; }
    std::string location() const override { return path_; }
    int schema_version() const override { return schema_version_; }

    core::Result<Tenant> create_tenant(Tenant tenant) override;
    core::Result<Tenant> get_tenant(TenantId id) override;
    core::Result<std::vector<Tenant>> list_tenants(std::optional<TenantId> parent) override;
    core::Status update_tenant(const Tenant& tenant) override;
    core::Result<std::vector<TenantId>> members_under(TenantId tenant) override;

    core::Result<Asset> add_asset(const Scope& scope, Asset asset) override;
    core::Result<std::vector<Asset>> list_assets(const Scope& scope, TenantId member) override;
    core::Status mark_asset_verified(const Scope& scope, std::int64_t id, std::string_view how,
                                     std::int64_t now_ns) override;
    core::Status delete_asset(const Scope& scope, std::int64_t id) override;

    core::Status create_collector(const Collector& collector) override;
    core::Result<Collector> get_collector(std::string_view id) override;
    core::Result<std::vector<Collector>> list_collectors(const Scope& scope,
                                                         std::optional<TenantId> member) override;
    core::Status set_collector_certificate(std::string_view id, std::string_view serial,
                                           std::int64_t not_after_ns,
                                           std::int64_t now_ns) override;
    core::Status revoke_collector(std::string_view id, std::int64_t now_ns) override;
    core::Status add_enroll_token(const EnrollToken& token) override;
    core::Result<EnrollToken> use_enroll_token(std::string_view token_hash,
                                               std::int64_t now_ns) override;
    core::Result<std::vector<EnrollToken>> list_enroll_tokens(const Scope& scope) override;

    core::Status append_events(std::string_view collector_id, std::span<const core::Event> events,
                               std::uint64_t through_seq, std::int64_t now_ns) override;
    core::Result<Page<EventRecord>> search_events(const Scope& scope,
                                                  const EventQuery& query) override;
    core::Result<EventSummary> summarize_events(const Scope& scope, const EventQuery& query,
                                                std::int64_t bucket_ns,
                                                std::size_t top_n) override;

    core::Status upsert_findings(TenantId member, std::span<const detect::Finding> findings,
                                 std::int64_t now_ns) override;
    core::Result<FindingRecord> get_finding(const Scope& scope, TenantId member,
                                            std::string_view id) override;
    core::Result<Page<FindingRecord>> search_findings(const Scope& scope,
                                                      const FindingQuery& query) override;
    core::Status set_finding_status(const Scope& scope, TenantId member, std::string_view id,
                                    FindingStatus status, std::int64_t now_ns) override;

    core::Result<ScanRun> start_scan(const Scope& scope, ScanRun run) override;
    core::Status finish_scan(std::int64_t scan_id, std::string_view status,
                             std::int64_t now_ns) override;
    core::Status add_scan_results(std::int64_t scan_id,
                                  std::span<const ScanResult> results) override;
    core::Result<std::vector<ScanRun>> list_scans(const Scope& scope, TenantId member) override;
    core::Result<std::vector<ScanResult>> scan_results(
        const Scope& scope, TenantId member, std::optional<std::int64_t> scan_id) override;

    core::Result<std::int64_t> put_report(ReportRecord report) override;
    core::Result<ReportRecord> get_report(const Scope& scope, std::int64_t id) override;
    core::Result<std::vector<ReportRecord>> list_reports(const Scope& scope,
                                                         TenantId tenant) override;

    core::Result<User> create_user(User user) override;
    core::Result<User> get_user(UserId id) override;
    core::Result<User> find_user_by_email(std::string_view email) override;
    core::Result<std::vector<User>> list_users(std::optional<TenantId> tenant) override;
    core::Status update_user(const User& user) override;
    core::Result<Grant> create_grant(Grant grant) override;
    core::Result<std::vector<Grant>> list_grants(std::optional<UserId> user) override;
    core::Status revoke_grant(std::int64_t id, std::int64_t now_ns) override;
    core::Status touch_grant(std::int64_t id, std::int64_t now_ns) override;

    core::Result<ApiToken> create_api_token(ApiToken token) override;
    core::Result<ApiToken> find_api_token(std::string_view token_hash,
                                          std::int64_t now_ns) override;
    core::Result<std::vector<ApiToken>> list_api_tokens(std::optional<UserId> user) override;
    core::Status revoke_api_token(std::int64_t id, std::int64_t now_ns) override;

    core::Result<AuditRecord> append_audit(AuditRecord record) override;
    core::Result<std::vector<AuditRecord>> read_audit(std::int64_t from_seq, std::size_t limit,
                                                      std::optional<TenantId> member) override;
    core::Result<AuditRecord> audit_head() override;

    core::Result<RetentionRun> run_retention(const RetentionPolicy& policy,
                                             std::int64_t now_ns) override;
    core::Result<std::vector<RetentionRun>> retention_history(std::size_t limit) override;

private:
    // query_all / query_one (rows.h) on a reader connection from the pool.
    template <typename T, typename Read, typename... Args>
    core::Result<std::vector<T>> read_all(const std::string& sql, Read read, const Args&... args) {
        auto conn = pool_->reader();
        if (!conn) {
            return core::fail(std::move(conn.error()));
        }
        return query_all<T>(**conn, sql, read, args...);
    }
    template <typename T, typename Read, typename... Args>
    core::Result<T> read_one(const std::string& sql, Read read, std::string missing,
                             const Args&... args) {
        auto conn = pool_->reader();
        if (!conn) {
            return core::fail(std::move(conn.error()));
        }
        return query_one<T>(**conn, sql, read, std::move(missing), args...);
    }

    // The members a query over `scope` may touch, narrowed by an optional member filter:
    // the explicit list, or every member tenant for the service scope.
    core::Result<std::vector<TenantId>> scope_members(Connection& conn, const Scope& scope,
                                                      std::optional<TenantId> member);
    // kNotFound (as for a missing tenant) unless `tenant` is visible to `scope`: a member in
    // it, or a higher tenant all of whose members (at least one) are in it.
    core::Status check_tenant_visible(Connection& conn, const Scope& scope, TenantId tenant);
    // Appends one chained audit record on the writer connection; the caller holds the
    // writer and owns the transaction.
    core::Result<AuditRecord> append_audit_locked(Connection& conn, AuditRecord record);
    // Deletes with `sql` (one chunk per transaction) until a chunk comes back short.
    core::Result<std::uint64_t> delete_chunked(const std::string& sql, std::int64_t cutoff_ns,
                                               std::optional<TenantId> member);
    // Writes a group of queued batches in one transaction, setting each one's status.
    void write_group(const std::vector<PendingAppend*>& group);
    // Retention of one member's events older than `cutoff_ns`: whole blocks are deleted (in
    // chunks), blocks that straddle the cutoff are rewritten without their older events.
    core::Result<std::uint64_t> delete_old_events(TenantId member, std::int64_t cutoff_ns);
    // Records a retention run and its audit records, in one transaction.
    core::Result<RetentionRun> record_retention(const RetentionPolicy& policy,
                                                const RetentionRun& run);

    const std::string path_;
    const SqliteOptions options_;
    std::unique_ptr<Pool> pool_;
    const int schema_version_;
    IngestQueue ingest_;
};

}  // namespace cyberalarm::store::sqlite
