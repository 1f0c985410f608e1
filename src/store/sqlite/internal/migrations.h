// The SQLite store's schema, as an ordered list of migrations. docs/design/store.md
// describes every table and index.
//
// Invariants: migrations are never edited once released, only appended; version N is the
// N-th entry; each is applied in its own transaction together with its schema_migrations
// row, so a crash leaves the database at one version or the next, never between.
//
// Thread safety: migrate() needs the writer connection, held by the caller.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"
#include "store/sqlite/internal/db.h"

namespace cyberalarm::store::sqlite {

struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

[[nodiscard]] std::span<const Migration> migrations();
[[nodiscard]] int latest_schema_version();

// Brings the database up to latest_schema_version() and returns the version it is at.
// kUnsupported, naming both versions, if the database is newer than this code knows.
[[nodiscard]] core::Result<int> migrate(Connection& conn, std::int64_t now_ns);

}  // namespace cyberalarm::store::sqlite
