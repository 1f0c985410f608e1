// The embedded Store backend: one SQLite database file in WAL mode.
//
// open_sqlite creates the file (mode 0600) and its parent directory (0700) when missing,
// refuses a database file that group or others may read or write, brings the schema up to
// date with versioned migrations (docs/design/store.md), and returns a ready Store.
//
// Durability: with the default options every write transaction is fsynced
// (synchronous=FULL) before the call returns, so append_events may be acknowledged to the
// collector as soon as it returns OK.
//
// Thread safety: the returned Store is safe to use from many threads. Writes go through one
// connection behind a mutex; reads use a small pool of connections that WAL lets run beside
// the writer. Several processes may open the same file (SQLite's own locking applies), but
// the audit chain and gapless sequence numbers assume one writing process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::store {

struct SqliteOptions {
    // How long a write waits for another process's lock before failing with kUnavailable.
    int busy_timeout_ms = 5000;
    // Read connections kept open (each holds its own page cache). Searches beyond this many
    // at once wait for one to come free. At least 1.
    std::size_t read_connections = 4;
    // Page cache per connection, in KiB. The writer's cache holds the hot index pages of
    // ingest; more helps a large database ingest faster.
    int cache_kib = 64 * 1024;
    // fsync every commit (synchronous=FULL). Turning it off loses the guarantee that an
    // acknowledged batch survives power loss; only for bulk loads and benchmarks' fill.
    bool fsync = true;
    // Rows deleted per transaction by run_retention, so a large delete lets ingest in
    // between chunks instead of holding the writer for its whole length.
    std::size_t retention_chunk_rows = 20000;
    // find_api_token records last_used_ns at most this often per token, so that a busy API
    // client does not turn every request into a write.
    std::int64_t api_token_touch_interval_ns = 60'000'000'000;
};

// Opens (creating if needed) the database at `path`. Errors: kPermissionDenied if the file
// is open to group or others, kUnsupported if the schema is newer than
// this program, kIo / kCorrupt if SQLite cannot open or read it.
[[nodiscard]] core::Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& path,
                                                               const SqliteOptions& options = {});

}  // namespace cyberalarm::store
