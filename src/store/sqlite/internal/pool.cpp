#include "store/sqlite/internal/pool.h"

#include <algorithm>
#include <utility>

namespace cyberalarm::store::sqlite {

Pool::Pool(std::string path, ConnectionOptions reader_options, std::size_t max_readers,
           std::unique_ptr<Connection> writer)
    : path_(std::move(path)),
      reader_options_(reader_options),
      max_readers_(std::max<std::size_t>(max_readers, 1)),
      writer_(std::move(writer)) {}

core::Result<std::unique_ptr<Pool>> Pool::open(std::string path,
                                               const ConnectionOptions& writer_options,
                                               std::size_t max_readers) {
    auto writer = Connection::open(path, writer_options);
    if (!writer) {
        return core::fail(std::move(writer.error()));
    }
    ConnectionOptions reader_options = writer_options;
    reader_options.read_only = true;
    return std::make_unique<Pool>(std::move(path), reader_options, max_readers,
                                  std::move(*writer));
}

core::Result<Pool::ReadLease> Pool::reader() {
    {
        std::unique_lock lock(readers_mutex_);
        reader_free_.wait(lock, [&] { return !idle_.empty() || opened_ < max_readers_; });
        if (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            return ReadLease(*this, std::move(conn));
        }
        ++opened_;  // reserve the slot, then open outside the lock
    }
    auto conn = Connection::open(path_, reader_options_);
    if (!conn) {
        std::lock_guard lock(readers_mutex_);
        --opened_;
        reader_free_.notify_one();
        return core::fail(std::move(conn.error()));
    }
    return ReadLease(*this, std::move(*conn));
}

void Pool::give_back(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(readers_mutex_);
    idle_.push_back(std::move(conn));
    reader_free_.notify_one();
}

Pool::ReadLease::~ReadLease() {
    if (conn_ != nullptr) {
        pool_->give_back(std::move(conn_));
    }
}

}  // namespace cyberalarm::store::sqlite
