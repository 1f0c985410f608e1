// Store: where the server keeps everything — tenants, assets, collectors and enrollment
// tokens, events, findings, scan results, reports, users, grants and the audit log — behind
// one interface with two backends: SQLite (embedded default, src/store/sqlite) and ClickHouse
// (events and findings beyond one machine, src/store/clickhouse).
//
// Tenancy is enforced here, in one place: every read of member data takes a Scope (the
// members the caller may read, worked out by the server from role and grants) and the
// backend filters by it inside the query. A record outside the scope is reported as
// kNotFound, exactly as one that does not exist, so ids cannot be probed.
//
// Times are UTC nanoseconds since the Unix epoch. Ranges are half-open [from, to).
// Pages: a query returns at most `limit` items (capped at kMaxPageSize) and an opaque
// next_cursor ("" on the last page); passing it back returns the next page. A cursor that
// does not decode, or was made for another query, is kInvalidArgument.
//
// Errors: kNotFound, kAlreadyExists, kInvalidArgument (bad field, named), kPermissionDenied,
// kUnavailable
// (backend busy or down: retry), kIo, kCorrupt (failed integrity check), kInternal.
//
// Thread safety: every method is safe to call concurrently from many threads.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/ip.h"
#include "core/result.h"
#include "detect/finding.h"

namespace cyberalarm::store {

using TenantId = std::int64_t;
using UserId = std::int64_t;

inline constexpr std::size_t kMaxPageSize = 1000;
inline constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();

// ---- scope ---------------------------------------------------------------------------------

// The members whose data a caller may read.
struct Scope {
    bool all_members = false;       // service work only: ingest, detection, retention, reports
    std::vector<TenantId> members;  // sorted, unique

    [[nodiscard]] static Scope service() { return Scope{true, {}}; }
    [[nodiscard]] static Scope of(std::vector<TenantId> members);  // sorts and dedupes
    [[nodiscard]] static Scope none() { return Scope{}; }
    [[nodiscard]] bool allows(TenantId member) const;
};

// ---- tenants -------------------------------------------------------------------------------

// nation → region → force → member organisation.
enum class TenantLevel : std::uint8_t { kNation, kRegion, kForce, kMember };
std::string_view to_string(TenantLevel level);  // "nation", "region", "force", "member"
std::optional<TenantLevel> tenant_level_from_string(std::string_view s);

struct Tenant {
    TenantId id = 0;
    TenantLevel level = TenantLevel::kMember;
    TenantId parent = 0;  // 0 only for a nation; otherwise a tenant one level up
    std::string name;     // unique among its siblings; 1..200 printable characters
    std::string sector;   // members: "education", "health", "charity" … ("" unknown)
    // The member's own networks (CIDRs, comma-separated as entered): what detection treats
    // as internal for this member. Members only.
    std::string networks;
    std::int64_t created_ns = 0;
};

enum class AssetKind : std::uint8_t { kNetwork, kDomain, kHost };
std::string_view to_string(AssetKind kind);  // "network", "domain", "host"
std::optional<AssetKind> asset_kind_from_string(std::string_view s);

// Something a member says is theirs: an address range, a domain or a host name. The
// scanner acts only on verified assets.
struct Asset {
    std::int64_t id = 0;
    TenantId member = 0;
    AssetKind kind = AssetKind::kNetwork;
    std::string value;         // normalised CIDR, or lower-case name
    std::string verify_token;  // server-issued, for the DNS TXT record or HTTP file
    std::int64_t created_ns = 0;
    std::int64_t verified_ns = 0;  // 0: not verified
    std::string verified_by;       // "dns-txt", "http-file", "operator" ("" unverified)
};

// ---- collectors and enrollment ---------------------------------------------------------------

struct Collector {
    std::string id;  // the certificate's common name; bound to exactly one member
    TenantId member = 0;
    std::string name;         // free label chosen by the member admin
    std::string cert_serial;  // hex serial of the current certificate ("" before enrollment)
    std::int64_t cert_not_after_ns = 0;
    std::int64_t created_ns = 0;
    std::int64_t enrolled_ns = 0;
    std::int64_t last_seen_ns = 0;   // last accepted batch
    std::uint64_t high_water = 0;    // highest sequence number stored (ingest dedupe)
    std::uint64_t events_total = 0;  // events stored from it
    std::int64_t revoked_ns = 0;     // 0: not revoked
};

// A one-time enrollment token. Only its SHA-256 (hex) is kept.
struct EnrollToken {
    std::string token_hash;
    std::string collector_id;
    TenantId member = 0;
    std::string created_by;
    std::int64_t created_ns = 0;
    std::int64_t expires_ns = 0;
    std::int64_t used_ns = 0;  // 0: unused
};

// ---- events --------------------------------------------------------------------------------

struct EventRecord {
    std::int64_t id = 0;  // assigned by the store, increasing per member
    TenantId member = 0;
    std::string collector_id;
    core::Event event;
};

struct EventQuery {
    std::int64_t from_ns = 0;
    std::int64_t to_ns = kForever;
    std::optional<TenantId> member;          // else every member in scope
    std::optional<core::IpAddress> address;  // source or destination
    std::optional<std::uint16_t> port;       // destination port
    std::optional<core::Category> category;  // the event's kind
    std::optional<core::Action> action;
    std::size_t limit = 100;
    std::string cursor;
};

template <typename T>
struct Page {
    std::vector<T> items;
    std::string next_cursor;  // "" on the last page
};

// Counts for a report or dashboard over a time range (one member, or all in scope).
struct EventSummary {
    std::uint64_t events = 0;
    std::uint64_t denied = 0;  // deny, drop or reject
    std::vector<std::pair<core::IpAddress, std::uint64_t>> top_sources;  // most first
    std::vector<std::pair<std::uint16_t, std::uint64_t>> top_ports;      // destination ports
    std::vector<std::pair<std::int64_t, std::uint64_t>> per_bucket;      // bucket start, count
};

// ---- findings ------------------------------------------------------------------------------

enum class FindingStatus : std::uint8_t { kOpen, kAcknowledged, kResolved };
std::string_view to_string(FindingStatus status);  // "open", "acknowledged", "resolved"
std::optional<FindingStatus> finding_status_from_string(std::string_view s);

struct FindingRecord {
    TenantId member = 0;
    detect::Finding finding;  // finding.id is unique per member
    FindingStatus status = FindingStatus::kOpen;
    std::int64_t created_ns = 0;  // first stored
    std::int64_t updated_ns = 0;  // last changed by detection or by a user
};

struct FindingQuery {
    std::int64_t from_ns = 0;  // on last_seen
    std::int64_t to_ns = kForever;
    std::optional<TenantId> member;
    std::optional<detect::FindingKind> kind;
    std::optional<core::Severity> min_severity;
    std::optional<FindingStatus> status;
    std::optional<core::IpAddress> address;  // among sources or targets
    std::optional<std::uint16_t> port;
    std::size_t limit = 100;
    std::string cursor;
};

// ---- scanner -------------------------------------------------------------------------------

// One scanner observation about a member's asset: an open service, or a weakness on it.
struct ScanResult {
    std::int64_t id = 0;
    TenantId member = 0;
    std::int64_t scan_id = 0;  // the run it came from
    std::string target;        // address or host name scanned
    std::uint16_t port = 0;    // 0: about the host as a whole
    core::Transport transport = core::Transport::kTcp;
    std::string service;  // "ssh", "http" …
    std::string product;  // "OpenSSH"
    std::string version;  // "9.2p1"
    std::string check;    // "service", "tls.protocol", "http.git_exposed", "cve" …
    std::string cve;      // "CVE-2024-6387" for known-vulnerability results
    core::Severity severity = core::Severity::kInfo;
    double cvss = 0;
    std::string title;
    std::string evidence;
    std::string advice;
    std::int64_t seen_ns = 0;
};

struct ScanRun {
    std::int64_t id = 0;
    TenantId member = 0;
    std::string targets;  // as requested, comma-separated
    std::string requested_by;
    std::int64_t started_ns = 0;
    std::int64_t finished_ns = 0;  // 0: running
    std::string status;            // "running", "done", "failed: <why>"
};

// ---- reports -------------------------------------------------------------------------------

struct ReportRecord {
    std::int64_t id = 0;
    TenantId tenant = 0;  // a member for member reports; a force/region/nation otherwise
    std::string kind;     // "member-weekly", "member-range", "analyst"
    std::int64_t from_ns = 0;
    std::int64_t to_ns = 0;
    std::int64_t created_ns = 0;
    std::string content_type;  // "text/html", "application/pdf"
    std::string body;          // empty in listings
};

// ---- people, grants, audit (used by the access issue) ----------------------------------------

enum class Role : std::uint8_t {
    kMemberViewer,
    kMemberAdmin,
    kForceAnalyst,
    kRegionAnalyst,
    kNationalAnalyst,
    kOperator,
};
std::string_view to_string(Role role);  // "member_viewer", … "operator"
std::optional<Role> role_from_string(std::string_view s);

struct User {
    UserId id = 0;
    TenantId tenant = 0;  // member for member roles; force/region/nation for analysts
    Role role = Role::kMemberViewer;
    std::string email;          // login name, lower-case; personal data
    std::string display_name;   // personal data
    std::string password_hash;  // PHC string ("$argon2id$…"); never leaves the server
    std::string totp_secret;    // encrypted with a key outside the database; "" = none
    std::int64_t created_ns = 0;
    std::int64_t last_login_ns = 0;
    std::int64_t disabled_ns = 0;  // 0: active
};

// An analyst's right to read one member's data, for a stated purpose, until it expires.
struct Grant {
    std::int64_t id = 0;
    UserId user = 0;
    TenantId member = 0;
    std::string purpose;
    UserId granted_by = 0;
    std::int64_t created_ns = 0;
    std::int64_t expires_ns = 0;
    std::int64_t revoked_ns = 0;  // 0: not revoked
    std::int64_t last_used_ns = 0;
};

// A bearer token for API clients (the admin CLI, scripts, the first operator). Only the
// SHA-256 (hex) of the token is kept; the token is shown once when created.
struct ApiToken {
    std::int64_t id = 0;
    UserId user = 0;         // acts as this user, never beyond the user's own rights
    std::string token_hash;  // hex SHA-256
    std::string label;
    std::string scopes;  // space-separated: "read", "write", "admin"
    std::int64_t created_ns = 0;
    std::int64_t expires_ns = 0;  // required: tokens always expire
    std::int64_t revoked_ns = 0;
    std::int64_t last_used_ns = 0;
};

// One append-only, hash-chained audit record. The store sets seq, prev_hash and hash.
struct AuditRecord {
    std::int64_t seq = 0;  // 1, 2, 3 … without gaps
    std::int64_t time_ns = 0;
    std::string actor;    // "user:12", "collector:abc", "operator-cli", "system:retention"
    std::string action;   // "login", "login_failed", "read", "export", "grant", "config" …
    TenantId member = 0;  // whose data was touched (0: none)
    std::string target;   // what was touched ("findings", "report:7" …)
    std::string detail;   // why: the grant id or role, and parameters
    std::string prev_hash;  // hex SHA-256 of the previous record ("" for the first)
    std::string hash;       // hex SHA-256 over prev_hash and this record's fields
};

// ---- retention -----------------------------------------------------------------------------

// How long each class of data is kept; 0 = forever.
struct RetentionPolicy {
    int events_days = 90;
    int findings_days = 365;
    int scan_results_days = 365;
    int reports_days = 730;
    int audit_days = 0;  // the audit log is kept for good unless an operator says otherwise
};

struct RetentionRun {
    std::int64_t ran_ns = 0;
    std::uint64_t events_deleted = 0;
    std::uint64_t findings_deleted = 0;
    std::uint64_t scan_results_deleted = 0;
    std::uint64_t reports_deleted = 0;
    std::uint64_t audit_deleted = 0;
};

// ---- the interface ---------------------------------------------------------------------------

class Store {
public:
    virtual ~Store() = default;

    // Backend name and where it keeps data ("sqlite", "/var/lib/cyberalarm/store.db").
    [[nodiscard]] virtual std::string backend() const = 0;
    [[nodiscard]] virtual std::string location() const = 0;
    // The schema version this database is at (after migrations ran on open).
    [[nodiscard]] virtual int schema_version() const = 0;

    // Tenants. create_tenant fills id and created_ns; kInvalidArgument if the parent is
    // missing or not one level up, kAlreadyExists for a sibling of the same name.
    [[nodiscard]] virtual core::Result<Tenant> create_tenant(Tenant tenant) = 0;
    [[nodiscard]] virtual core::Result<Tenant> get_tenant(TenantId id) = 0;
    [[nodiscard]] virtual core::Result<std::vector<Tenant>> list_tenants(
        std::optional<TenantId> parent) = 0;
    [[nodiscard]] virtual core::Status update_tenant(const Tenant& tenant) = 0;
    // Every member at or below `tenant` (itself, if a member).
    [[nodiscard]] virtual core::Result<std::vector<TenantId>> members_under(TenantId tenant) = 0;

    // Assets (scope-checked on the member).
    [[nodiscard]] virtual core::Result<Asset> add_asset(const Scope& scope, Asset asset) = 0;
    [[nodiscard]] virtual core::Result<std::vector<Asset>> list_assets(const Scope& scope,
                                                                       TenantId member) = 0;
    [[nodiscard]] virtual core::Status mark_asset_verified(const Scope& scope, std::int64_t id,
                                                           std::string_view how,
                                                           std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Status delete_asset(const Scope& scope, std::int64_t id) = 0;

    // Collectors and tokens.
    [[nodiscard]] virtual core::Status create_collector(const Collector& collector) = 0;
    [[nodiscard]] virtual core::Result<Collector> get_collector(std::string_view id) = 0;
    [[nodiscard]] virtual core::Result<std::vector<Collector>> list_collectors(
        const Scope& scope, std::optional<TenantId> member) = 0;
    // After a successful enrollment: the new certificate's serial and expiry.
    [[nodiscard]] virtual core::Status set_collector_certificate(std::string_view id,
                                                                 std::string_view serial,
                                                                 std::int64_t not_after_ns,
                                                                 std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Status revoke_collector(std::string_view id,
                                                        std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Status add_enroll_token(const EnrollToken& token) = 0;
    // Marks the token with this hash used, atomically: kUnauthenticated if unknown, used,
    // expired or its collector is revoked (one message for all). Returns the token as it was.
    [[nodiscard]] virtual core::Result<EnrollToken> use_enroll_token(std::string_view token_hash,
                                                                     std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Result<std::vector<EnrollToken>> list_enroll_tokens(
        const Scope& scope) = 0;

    // Ingest: stores a collector's events and moves its high-water mark to `through_seq`, its
    // last_seen to `now_ns` and its events_total, in one durable transaction (fsync before
    // return). kNotFound if the collector is unknown, kPermissionDenied if it is revoked.
    [[nodiscard]] virtual core::Status append_events(std::string_view collector_id,
                                                     std::span<const core::Event> events,
                                                     std::uint64_t through_seq,
                                                     std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Result<Page<EventRecord>> search_events(
        const Scope& scope, const EventQuery& query) = 0;
    // bucket_ns: width of per_bucket; top_n: length of the top lists.
    [[nodiscard]] virtual core::Result<EventSummary> summarize_events(
        const Scope& scope, const EventQuery& query, std::int64_t bucket_ns,
        std::size_t top_n) = 0;

    // Findings: insert, or update the stored finding with the same (member, id) — counts,
    // last seen, lists and severity come from the new value; status and created_ns stay.
    [[nodiscard]] virtual core::Status upsert_findings(TenantId member,
                                                       std::span<const detect::Finding> findings,
                                                       std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Result<FindingRecord> get_finding(const Scope& scope,
                                                                  TenantId member,
                                                                  std::string_view id) = 0;
    [[nodiscard]] virtual core::Result<Page<FindingRecord>> search_findings(
        const Scope& scope, const FindingQuery& query) = 0;
    [[nodiscard]] virtual core::Status set_finding_status(const Scope& scope, TenantId member,
                                                          std::string_view id,
                                                          FindingStatus status,
                                                          std::int64_t now_ns) = 0;

    // Scanner.
    [[nodiscard]] virtual core::Result<ScanRun> start_scan(const Scope& scope, ScanRun run) = 0;
    [[nodiscard]] virtual core::Status finish_scan(std::int64_t scan_id, std::string_view status,
                                                   std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Status add_scan_results(std::int64_t scan_id,
                                                        std::span<const ScanResult> results) = 0;
    [[nodiscard]] virtual core::Result<std::vector<ScanRun>> list_scans(const Scope& scope,
                                                                        TenantId member) = 0;
    [[nodiscard]] virtual core::Result<std::vector<ScanResult>> scan_results(
        const Scope& scope, TenantId member, std::optional<std::int64_t> scan_id) = 0;

    // Reports.
    [[nodiscard]] virtual core::Result<std::int64_t> put_report(ReportRecord report) = 0;
    [[nodiscard]] virtual core::Result<ReportRecord> get_report(const Scope& scope,
                                                                std::int64_t id) = 0;
    // Without bodies, newest first.
    [[nodiscard]] virtual core::Result<std::vector<ReportRecord>> list_reports(
        const Scope& scope, TenantId tenant) = 0;

    // Users and grants (not scope-filtered: the access layer decides who may manage whom).
    [[nodiscard]] virtual core::Result<User> create_user(User user) = 0;
    [[nodiscard]] virtual core::Result<User> get_user(UserId id) = 0;
    [[nodiscard]] virtual core::Result<User> find_user_by_email(std::string_view email) = 0;
    [[nodiscard]] virtual core::Result<std::vector<User>> list_users(
        std::optional<TenantId> tenant) = 0;
    [[nodiscard]] virtual core::Status update_user(const User& user) = 0;
    [[nodiscard]] virtual core::Result<Grant> create_grant(Grant grant) = 0;
    [[nodiscard]] virtual core::Result<std::vector<Grant>> list_grants(
        std::optional<UserId> user) = 0;
    [[nodiscard]] virtual core::Status revoke_grant(std::int64_t id, std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Status touch_grant(std::int64_t id, std::int64_t now_ns) = 0;

    // API tokens. find_api_token returns kUnauthenticated (one message) if the hash is
    // unknown, revoked or expired, and records last_used_ns.
    [[nodiscard]] virtual core::Result<ApiToken> create_api_token(ApiToken token) = 0;
    [[nodiscard]] virtual core::Result<ApiToken> find_api_token(std::string_view token_hash,
                                                                std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Result<std::vector<ApiToken>> list_api_tokens(
        std::optional<UserId> user) = 0;
    [[nodiscard]] virtual core::Status revoke_api_token(std::int64_t id, std::int64_t now_ns) = 0;

    // Audit: appends one record, setting seq, prev_hash and hash under one lock so the chain
    // never forks. Returns the record as stored.
    [[nodiscard]] virtual core::Result<AuditRecord> append_audit(AuditRecord record) = 0;
    // Records with seq in [from_seq, from_seq + limit), in order; or those about `member`.
    [[nodiscard]] virtual core::Result<std::vector<AuditRecord>> read_audit(
        std::int64_t from_seq, std::size_t limit, std::optional<TenantId> member) = 0;
    // The chain's head as the store keeps it apart from the rows (seq and hash of the last
    // record appended; seq 0 and "" before the first): `audit verify` compares the last row
    // with it, so deleting records from the end shows.
    [[nodiscard]] virtual core::Result<AuditRecord> audit_head() = 0;

    // Deletes what is older than the policy allows, records the run (and one audit record
    // per class deleted from), and returns the counts.
    [[nodiscard]] virtual core::Result<RetentionRun> run_retention(const RetentionPolicy& policy,
                                                                   std::int64_t now_ns) = 0;
    [[nodiscard]] virtual core::Result<std::vector<RetentionRun>> retention_history(
        std::size_t limit) = 0;
};

// Hex SHA-256 of an audit record's chained fields (prev_hash, seq, time, actor, action,
// member, target, detail), as append_audit computes it and `audit verify` recomputes it.
[[nodiscard]] std::string audit_hash(const AuditRecord& record);

// Secrets the store keeps only as digests (enrollment and API tokens): a new random token
// (32 bytes from the OpenSSL CSPRNG as 64 hex digits) and the hex SHA-256 that is stored
// and looked up. High-entropy tokens need no slow hash; passwords do (Argon2id, elsewhere).
[[nodiscard]] std::string new_token();
[[nodiscard]] std::string token_hash(std::string_view token);

// Pagination cursors: an opaque, URL-safe encoding of (query fingerprint, last key) that
// backends share. decode_cursor checks the fingerprint; kInvalidArgument on any mismatch or
// malformed text (a fuzz target covers it).
struct CursorKey {
    std::int64_t time_ns = 0;
    std::int64_t id = 0;
    std::string text_id;  // for findings
};
[[nodiscard]] std::string encode_cursor(std::uint64_t query_fingerprint, const CursorKey& key);
[[nodiscard]] core::Result<CursorKey> decode_cursor(std::string_view cursor,
                                                    std::uint64_t query_fingerprint);

}  // namespace cyberalarm::store
