// The connections of one SQLite store: one writer behind a mutex (SQLite allows one writer
// at a time anyway; queuing here is cheaper than SQLITE_BUSY retries) and a bounded pool of
// readers (WAL readers neither block nor are blocked by the writer).
//
// Invariants: at most `max_readers` reader connections exist; a lease returns its connection
// to the pool when it dies; the writer is held by at most one lease at a time.
//
// Thread safety: writer() and reader() may be called from any thread; a lease is used by
// the thread that holds it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite/internal/db.h"

namespace cyberalarm::store::sqlite {

class Pool {
public:
    // The writer is opened here (and must open); readers are opened on first need.
    [[nodiscard]] static core::Result<std::unique_ptr<Pool>> open(
        std::string path, const ConnectionOptions& writer_options, std::size_t max_readers);

    class WriteLease {
    public:
        explicit WriteLease(Pool& pool) : lock_(pool.writer_mutex_), conn_(pool.writer_.get()) {}
        Connection& operator*() const { return *conn_; }
        Connection* operator->() const { return conn_; }

    private:
        std::unique_lock<std::mutex> lock_;
        Connection* conn_;
    };

    class ReadLease {
    public:
        ReadLease(Pool& pool, std::unique_ptr<Connection> conn)
            : pool_(&pool), conn_(std::move(conn)) {}
        ReadLease(ReadLease&& other) noexcept = default;
        ReadLease& operator=(ReadLease&&) = delete;
        ReadLease(const ReadLease&) = delete;
        ReadLease& operator=(const ReadLease&) = delete;
        ~ReadLease();
        Connection& operator*() const { return *conn_; }
        Connection* operator->() const { return conn_.get(); }

    private:
        Pool* pool_;
        std::unique_ptr<Connection> conn_;
    };

    [[nodiscard]] WriteLease writer() { return WriteLease(*this); }
    // Waits for a free reader if all `max_readers` are out.
    [[nodiscard]] core::Result<ReadLease> reader();

    Pool(std::string path, ConnectionOptions reader_options, std::size_t max_readers,
         std::unique_ptr<Connection> writer);

private:
    void give_back(std::unique_ptr<Connection> conn);

    const std::string path_;
    const ConnectionOptions reader_options_;
    const std::size_t max_readers_;

    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;

    std::mutex readers_mutex_;
    std::condition_variable reader_free_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t opened_ = 0;  // readers in existence, idle or leased
};

}  // namespace cyberalarm::store::sqlite
