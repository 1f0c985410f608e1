// Thin RAII layer over the SQLite C API for the store backend: a connection with a cache of
// prepared statements, a borrowed statement handle that resets itself, a transaction guard,
// and the mapping of SQLite result codes onto core::Error.
//
// Invariants: every sqlite3* and sqlite3_stmt* is owned by a unique_ptr with its own
// deleter; a Stmt borrowed from the cache is reset and unbound when it goes out of scope, so
// the next borrower starts clean; a Transaction that is neither committed nor moved rolls
// back when it dies.
//
// Thread safety: none. A Connection (and every Stmt borrowed from it) is used by one thread
// at a time; the pool (pool.h) hands connections out under a lock.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/result.h"

namespace cyberalarm::store::sqlite {

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Maps a SQLite result code to the store's error codes: busy/locked → kUnavailable,
// disk and permission errors → kIo, corruption → kCorrupt, UNIQUE/PRIMARY KEY →
// kAlreadyExists, other constraints (foreign key, check, not null) → kInvalidArgument.
[[nodiscard]] core::Error sqlite_error(int rc, std::string_view what, sqlite3* db);

// A blob parameter, kept apart from text so that binding picks the right type.
struct Blob {
    std::string_view bytes;
};
// A SQL NULL parameter.
struct Null {};

// A prepared statement borrowed from a Connection (or owned, when the cached one is busy).
class Stmt {
public:
    Stmt(sqlite3_stmt* stmt, bool* busy_flag, StmtHandle owned);
    Stmt(Stmt&& other) noexcept;
    Stmt& operator=(Stmt&&) = delete;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt();

    // Parameters are numbered from 1. Text and blobs are copied unless bind_static is used.
    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, double value);
    Stmt& bind(int index, std::string_view text);
    Stmt& bind(int index, Blob blob);
    Stmt& bind(int index, Null);
    // Binds a named parameter (":scope"); does nothing if the statement has none so named,
    // so that optional clauses of a built query need no bookkeeping.
    template <typename T>
    Stmt& bind_named(const char* name, const T& value) {
        const int index = sqlite3_bind_parameter_index(stmt_, name);
        if (index != 0) {
            bind_one(index, value);
        }
        return *this;
    }
    // REQUIRES: the bytes outlive the next step()/reset of this statement.
    Stmt& bind_static(int index, Blob blob);

    // Binds each argument in order, from parameter 1.
    template <typename... Args>
    Stmt& bind_all(const Args&... args) {
        int index = 0;
        (bind_one(++index, args), ...);
        return *this;
    }

    // True: a row is ready; false: done. An error if SQLite failed (or a bind did).
    [[nodiscard]] core::Result<bool> step();
    // Steps to the end, ignoring rows.
    [[nodiscard]] core::Status run();

    [[nodiscard]] std::int64_t i64(int column) const;
    [[nodiscard]] double f64(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::string_view blob(int column) const;
    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] sqlite3_stmt* raw() const { return stmt_; }

private:
    template <typename T>
    void bind_one(int index, const T& value) {
        if constexpr (std::is_same_v<T, bool>) {
            bind(index, std::int64_t{value ? 1 : 0});
        } else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
            bind(index, static_cast<std::int64_t>(value));
        } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
            bind(index, std::string_view(value));
        } else {
            bind(index, value);
        }
    }
    Stmt& note(int rc);

    sqlite3_stmt* stmt_;
    bool* busy_flag_;  // the cache entry's in-use flag; null for an owned statement
    StmtHandle owned_;
    int bind_rc_ = SQLITE_OK;
};

struct ConnectionOptions {
    int busy_timeout_ms = 5000;
    int cache_kib = 16384;
    bool fsync = true;  // synchronous=FULL; otherwise OFF (bulk loads only)
    bool read_only = false;  // a reader: query_only, and the journal mode is left alone
};

// One open database connection in WAL mode with foreign keys on.
class Connection {
public:
    // Takes a handle already opened; open() is the usual way in.
    explicit Connection(DbHandle db) : db_(std::move(db)) {}

    [[nodiscard]] static core::Result<std::unique_ptr<Connection>> open(
        const std::string& path, const ConnectionOptions& options);

    // Borrows the cached statement for `sql`, preparing it on first use.
    [[nodiscard]] core::Result<Stmt> prepare(const std::string& sql);
    // Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
    [[nodiscard]] core::Status exec(const std::string& sql);
    [[nodiscard]] std::int64_t last_insert_rowid() const;
    [[nodiscard]] int changes() const;
    [[nodiscard]] sqlite3* raw() const { return db_.get(); }

private:
    struct Cached {
        StmtHandle stmt;
        bool busy = false;
    };
    DbHandle db_;
    std::unordered_map<std::string, Cached> cache_;
};

// BEGIN IMMEDIATE … COMMIT, rolled back unless committed.
class Transaction {
public:
    [[nodiscard]] static core::Result<Transaction> begin(Connection& conn);
    Transaction(Transaction&& other) noexcept
        : conn_(std::exchange(other.conn_, nullptr)) {}
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    [[nodiscard]] core::Status commit();

private:
    explicit Transaction(Connection& conn) : conn_(&conn) {}
    Connection* conn_;
};

// A read transaction (deferred BEGIN … COMMIT): the statements inside it see one snapshot
// of the database, so a query made of several statements reads a consistent state.
class Snapshot {
public:
    [[nodiscard]] static core::Result<Snapshot> begin(Connection& conn);
    Snapshot(Snapshot&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
    Snapshot& operator=(Snapshot&&) = delete;
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    ~Snapshot();

private:
    explicit Snapshot(Connection& conn) : conn_(&conn) {}
    Connection* conn_;
};

}  // namespace cyberalarm::store::sqlite
