// The data map and access review (docs/design/access.md): from the live store, each class of
// data the server holds, where it is (backend, table, file), how long it is kept, who can
// reach it and why, and when it was last used; then every named person, grant, API token,
// service identity and third-party integration that can reach anything, with flags for
// stale access, grants past their expiry, and data past retention.
//
// `cyberalarm data-map` prints it (text or JSON) and GET /api/v1/data-map answers it to the
// operator. The text form is the access review an operator hands to an auditor.
//
// Thread safety: functions of their arguments and the (thread-safe) store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::server::api {

struct DataMapOptions {
    std::string data_dir;             // where the key files and the CA live ("" unknown)
    int stale_days = 90;              // access unused this long is flagged
    store::RetentionPolicy retention;  // what the retention job runs with
    // Third parties data goes to, from the server's configuration: {"smtp", "smtp://…",
    // "finding notices and password-reset links to member admins"}.
    struct Integration {
        std::string kind;
        std::string endpoint;
        std::string why;
    };
    std::vector<Integration> integrations;
    // How far back the audit log is read for "last used" (newest records).
    std::int64_t audit_lookback = 200'000;
};

struct DataClass {
    std::string name;       // "member contact details"
    std::string stored;     // "sqlite /var/lib/…/store.db: users (email, display_name)"
    std::string retention;  // "90 days", "kept for good", "until deleted by an admin"
    std::string reach;      // roles and why
    std::int64_t last_used_ns = 0;  // last read or export recorded in the audit log
    std::int64_t rows = -1;         // how many, where cheaply known (-1: not counted)
    std::vector<std::string> flags;
};

struct AccessEntry {
    std::string kind;    // "user", "grant", "api-token", "collector", "integration"
    std::string who;     // "user:3 alice@example.org (force_analyst, tenant 2)"
    std::string reach;   // what it reaches
    std::string basis;   // why: role, grant purpose, certificate
    std::int64_t last_used_ns = 0;
    std::int64_t expires_ns = 0;  // 0: none
    std::vector<std::string> flags;  // "stale", "expired, not revoked", "disabled" …
};

struct DataMap {
    std::int64_t generated_ns = 0;
    std::string backend;
    std::string location;
    std::vector<DataClass> classes;
    std::vector<AccessEntry> access;
    std::int64_t flagged = 0;  // entries and classes with at least one flag
};

[[nodiscard]] core::Result<DataMap> build_data_map(store::Store& store,
                                                   const DataMapOptions& options,
                                                   std::int64_t now_ns);
// Markdown: the access review.
[[nodiscard]] std::string data_map_markdown(const DataMap& map);
[[nodiscard]] std::string data_map_json(const DataMap& map);

}  // namespace cyberalarm::server::api
