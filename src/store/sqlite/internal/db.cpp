#include "store/sqlite/internal/db.h"

#include <string>

namespace cyberalarm::store::sqlite {

core::Error sqlite_error(int rc, std::string_view what, sqlite3* db) {
    std::string message = "sqlite: " + std::string(what) + ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return core::Error(core::ErrorCode::kUnavailable,
                               message + " (database busy; retry later)");
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_PROTOCOL:
            return core::Error::io(std::move(message));
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return core::Error::corrupt(std::move(message));
        case SQLITE_NOMEM:
            return core::Error::exhausted(std::move(message));
        case SQLITE_CONSTRAINT:
            if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
                return core::Error(core::ErrorCode::kAlreadyExists, std::move(message));
            }
            return core::Error::invalid_argument(std::move(message));
        default:
            return core::Error::internal(std::move(message));
    }
}

// ---- Stmt ------------------------------------------------------------------------------------

Stmt::Stmt(sqlite3_stmt* stmt, bool* busy_flag, StmtHandle owned)
    : stmt_(stmt), busy_flag_(busy_flag), owned_(std::move(owned)) {}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      busy_flag_(std::exchange(other.busy_flag_, nullptr)),
      owned_(std::move(other.owned_)),
      bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
    if (stmt_ == nullptr) {
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (busy_flag_ != nullptr) {
        *busy_flag_ = false;
    }
}

Stmt& Stmt::note(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
        bind_rc_ = rc;
    }
    return *this;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    return note(sqlite3_bind_int64(stmt_, index, value));
}
Stmt& Stmt::bind(int index, double value) { return note(sqlite3_bind_double(stmt_, index, value)); }
Stmt& Stmt::bind(int index, std::string_view text) {
    return note(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                    SQLITE_UTF8));
}
Stmt& Stmt::bind(int index, Blob blob) {
    return note(sqlite3_bind_blob64(stmt_, index, blob.bytes.data(), blob.bytes.size(),
                                    SQLITE_TRANSIENT));
}
Stmt& Stmt::bind(int index, Null) { return note(sqlite3_bind_null(stmt_, index)); }
Stmt& Stmt::bind_static(int index, Blob blob) {
    return note(
        sqlite3_bind_blob64(stmt_, index, blob.bytes.data(), blob.bytes.size(), SQLITE_STATIC));
}

core::Result<bool> Stmt::step() {
    sqlite3* db = sqlite3_db_handle(stmt_);
    if (bind_rc_ != SQLITE_OK) {
        return core::fail(sqlite_error(bind_rc_, "binding a parameter", db));
    }
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    // The statement's text names the operation for an administrator; cut to its start.
    std::string what(sqlite3_sql(stmt_));
    if (what.size() > 60) {
        what.resize(60);
        what += "…";
    }
    return core::fail(sqlite_error(rc, what, db));
}

core::Status Stmt::run() {
    for (;;) {
        auto more = step();
        if (!more) {
            return core::fail(std::move(more.error()));
        }
        if (!*more) {
            return {};
        }
    }
}

std::int64_t Stmt::i64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Stmt::f64(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Stmt::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    const int n = sqlite3_column_bytes(stmt_, column);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}
std::string_view Stmt::blob(int column) const {
    const void* p = sqlite3_column_blob(stmt_, column);
    const int n = sqlite3_column_bytes(stmt_, column);
    return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
}
bool Stmt::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Connection ------------------------------------------------------------------------------

core::Result<std::unique_ptr<Connection>> Connection::open(const std::string& path,
                                                           const ConnectionOptions& options) {
    sqlite3* raw = nullptr;
    // Readers open read-write too: a WAL reader must be able to update the -shm index.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    DbHandle db(raw);  // owns the handle even when open failed
    if (rc != SQLITE_OK) {
        return core::fail(sqlite_error(rc, "opening " + path, db.get()));
    }
    sqlite3_extended_result_codes(db.get(), 1);
    sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
    auto conn = std::make_unique<Connection>(std::move(db));
    std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
                          std::to_string(options.cache_kib) + ";";
    if (options.read_only) {
        pragmas += "PRAGMA query_only=ON;";  // a reader must never write by mistake
    } else {
        // Larger pages: fewer splits and WAL frames per inserted event (takes effect only
        // when the file is new). Checkpoints every ~64 MiB of WAL instead of 4 MiB: a page
        // that ingest rewrites many times is copied to the database once per checkpoint.
        pragmas += "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; "
                   "PRAGMA wal_autocheckpoint=8192; PRAGMA synchronous=";
        pragmas += options.fsync ? "FULL;" : "OFF;";
    }
    if (auto st = conn->exec(pragmas); !st) {
        return core::fail(std::move(st.error()).context("configuring " + path));
    }
    return conn;
}

core::Result<Stmt> Connection::prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end() && !it->second.busy) {
        it->second.busy = true;
        return Stmt(it->second.stmt.get(), &it->second.busy, nullptr);
    }
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtHandle stmt(raw);
    if (rc != SQLITE_OK) {
        return core::fail(sqlite_error(rc, "preparing a statement", db_.get()));
    }
    if (it != cache_.end()) {
        // The cached copy is in use further up this thread's stack: use a private one.
        return Stmt(raw, nullptr, std::move(stmt));
    }
    auto [pos, inserted] = cache_.emplace(sql, Cached{std::move(stmt), true});
    return Stmt(pos->second.stmt.get(), &pos->second.busy, nullptr);
}

core::Status Connection::exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);  // sqlite3_errmsg still holds the message
    if (rc != SQLITE_OK) {
        return core::fail(sqlite_error(rc, "executing SQL", db_.get()));
    }
    return {};
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
int Connection::changes() const { return sqlite3_changes(db_.get()); }

// ---- Transaction -----------------------------------------------------------------------------

core::Result<Transaction> Transaction::begin(Connection& conn) {
    if (auto st = conn.exec("BEGIN IMMEDIATE"); !st) {
        return core::fail(std::move(st.error()));
    }
    return Transaction(conn);
}

Transaction::~Transaction() {
    if (conn_ != nullptr) {
        // Nothing to report to: the caller already has the error that made it give up.
        (void)conn_->exec("ROLLBACK");
    }
}

core::Status Transaction::commit() {
    Connection* conn = std::exchange(conn_, nullptr);
    if (auto st = conn->exec("COMMIT"); !st) {
        (void)conn->exec("ROLLBACK");
        return st;
    }
    return {};
}

core::Result<Snapshot> Snapshot::begin(Connection& conn) {
    if (auto st = conn.exec("BEGIN"); !st) {
        return core::fail(std::move(st.error()));
    }
    return Snapshot(conn);
}

Snapshot::~Snapshot() {
    if (conn_ != nullptr) {
        // Read-only: ending it cannot lose anything, and there is no one to tell.
        (void)conn_->exec("COMMIT");
    }
}

}  // namespace cyberalarm::store::sqlite
