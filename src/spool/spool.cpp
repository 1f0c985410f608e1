// Writing, acknowledging and syncing; recovery.cpp opens, reader.cpp reads.
#include "spool/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "spool/internal/spool_impl.h"

namespace cyberalarm::spool {

using internal::Fd;

namespace {

FileIo& default_io() {
    static FileIo io;
    return io;
}

bool is_full(int err) {
    return err == ENOSPC || err == EDQUOT;
}

// Writes all of `data` at `offset`; 0 or the errno that stopped it.
int write_all(FileIo& io, int fd, std::span<const std::byte> data, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < data.size()) {
        long r = io.pwrite(fd, data.data() + done, data.size() - done, offset + done);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return errno;
        }
        if (r == 0) {
            return ENOSPC;
        }
        done += static_cast<std::size_t>(r);
    }
    return 0;
}

// "disk full writing <path>: ..." for a full disk, "<what> <path>: ..." otherwise.
core::Error write_error(std::string_view what, const std::filesystem::path& path, int err) {
    return internal::os_error(is_full(err) ? "disk full writing" : what, path, err);
}

// Big batches should not pin their buffer for the life of the spool.
constexpr std::size_t kScratchKeep = 4u << 20;
// Sealed segments waiting for the interval sync before the syncer is woken early.
constexpr std::size_t kMaxUnsyncedSealed = 32;

}  // namespace

long FileIo::pwrite(int fd, const void* data, std::size_t n, std::uint64_t offset) {
    return ::pwrite(fd, data, n, static_cast<off_t>(offset));
}
int FileIo::fdatasync(int fd) {
    return ::fdatasync(fd);
}
int FileIo::ftruncate(int fd, std::uint64_t size) {
    return ::ftruncate(fd, static_cast<off_t>(size));
}

// ---- Spool: the public face ----

Spool::Spool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Spool::~Spool() = default;

core::Result<std::unique_ptr<Spool>> Spool::open(const std::filesystem::path& dir,
                                                 const Options& options) {
    auto impl = Impl::open(dir, options);
    if (!impl) {
        return core::fail(std::move(impl.error()));
    }
    return std::unique_ptr<Spool>(new Spool(std::move(*impl)));
}

core::Result<std::uint64_t> Spool::append(std::string_view record) {
    return impl_->append(std::span(&record, 1));
}

core::Result<std::uint64_t> Spool::append_many(std::span<const std::string> records) {
    std::vector<std::string_view> views(records.begin(), records.end());
    return impl_->append(views);
}

core::Result<std::vector<Record>> Spool::read(std::uint64_t after_seq, std::size_t max_records,
                                              std::size_t max_bytes) {
    return impl_->read(after_seq, max_records, max_bytes);
}

core::Result<void> Spool::ack(std::uint64_t through_seq) {
    return impl_->ack(through_seq);
}

bool Spool::wait(std::uint64_t after_seq, std::chrono::milliseconds timeout) {
    return impl_->wait(after_seq, timeout);
}

core::Result<void> Spool::sync() {
    return impl_->sync();
}
Stats Spool::stats() const {
    return impl_->stats();
}
std::uint64_t Spool::acked_seq() const {
    return impl_->acked_seq();
}

// ---- Impl ----

Spool::Impl::Impl(std::filesystem::path dir, const Options& options)
    : dir_(std::move(dir)),
      options_(options),
      io_(options.io != nullptr ? options.io : &default_io()) {}

Spool::Impl::~Impl() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    stop_cv_.notify_all();
    appended_cv_.notify_all();
    if (syncer_.joinable()) {
        syncer_.join();
    }
    std::unique_lock lock(mu_);
    if (options_.fsync != FsyncPolicy::kNever) {
        // Nobody is left to report a failure to; it is counted like any other.
        (void)sync_pending(lock, true);
    }
    if (cursor_dirty_) {
        (void)internal::write_cursor(dir_, acked_seq_);
    }
}

std::filesystem::path Spool::Impl::segment_path(std::uint64_t first_seq) const {
    return dir_ / internal::segment_file_name(first_seq);
}

core::Result<std::uint64_t> Spool::Impl::append(std::span<const std::string_view> records) {
    for (auto r : records) {
        if (r.size() > options_.max_record_bytes) {
            return core::fail(
                core::Error::invalid_argument("record of " + std::to_string(r.size()) +
                                              " bytes is larger than max_record_bytes (" +
                                              std::to_string(options_.max_record_bytes) + ")"));
        }
    }
    std::unique_lock lock(mu_);
    if (records.empty()) {
        return next_seq_ - 1;
    }
    scratch_.clear();
    std::uint64_t seq = next_seq_;
    for (auto r : records) {
        internal::append_record(scratch_, seq++, r);
    }
    auto written = write_batch_locked(scratch_, records.size());
    std::uint64_t frames_bytes = scratch_.size();
    if (scratch_.capacity() > kScratchKeep) {
        std::string().swap(scratch_);
    }
    if (!written) {
        return core::fail(std::move(written.error()));
    }
    commit_locked(records, frames_bytes);
    std::uint64_t last = next_seq_ - 1;
    lock.unlock();
    appended_cv_.notify_all();
    return last;
}

core::Status Spool::Impl::write_batch_locked(const std::string& frames, std::uint64_t records) {
    const auto bytes = std::as_bytes(std::span(frames));
    if (tail_dirty_ && active_fd_.valid() &&
        io_->ftruncate(active_fd_.get(), segments_.back().end) == 0) {
        tail_dirty_ = false;
    }
    // Each pass either writes or frees a segment, so this ends.
    for (;;) {
        if (active_fd_.valid() && segments_.back().records > 0 &&
            segments_.back().end + bytes.size() > options_.segment_bytes) {
            seal_active_locked();
        }
        // A new segment's header counts too, so check before creating one.
        const std::uint64_t need =
            bytes.size() + (active_fd_.valid() ? 0 : internal::kSegmentHeaderBytes);
        if (disk_bytes_ + need > options_.max_bytes) {
            if (full_policy_drops() &&
                drop_oldest_locked("max_bytes (" + std::to_string(options_.max_bytes) +
                                   ") reached")) {
                continue;
            }
            std::string msg = "spool full: " + std::to_string(disk_bytes_) +
                              " bytes on disk and a batch of " + std::to_string(need) +
                              " bytes would pass max_bytes (" + std::to_string(options_.max_bytes) +
                              ")";
            msg += full_policy_drops() ? ", even after dropping every older segment"
                                       : " (policy refuse-new)";
            return core::fail(full_locked(core::Error::exhausted(std::move(msg)), records));
        }
        if (!active_fd_.valid()) {
            auto created = create_segment_locked(next_seq_);
            if (!created) {
                bool full = created.error().code() == core::ErrorCode::kResourceExhausted;
                if (full && full_policy_drops() && drop_oldest_locked(created.error().message())) {
                    continue;
                }
                if (full) {
                    return core::fail(full_locked(std::move(created.error()), records));
                }
                ++counters_.write_errors;
                note_error_locked(created.error());
                return core::fail(std::move(created.error()));
            }
        }
        Segment& active = segments_.back();
        const int fd = active_fd_.get();
        std::string_view what = "cannot write";
        int err = write_all(*io_, fd, bytes, active.end);
        if (err == 0 && options_.fsync == FsyncPolicy::kAlways) {
            ++counters_.fsyncs;
            if (io_->fdatasync(fd) != 0) {
                err = errno;
                what = "cannot fsync";
            }
        }
        if (err == 0) {
            return {};
        }
        // Cut the partial batch off so the segment ends with a whole record. Should that
        // fail, the next write at active.end overwrites it, and recovery cuts what is left.
        if (io_->ftruncate(fd, active.end) != 0) {
            tail_dirty_ = true;
            ++counters_.write_errors;
        }
        auto path = segment_path(active.first_seq);
        if (is_full(err)) {
            if (full_policy_drops() && drop_oldest_locked(write_error(what, path, err).message())) {
                continue;
            }
            return core::fail(full_locked(write_error(what, path, err), records));
        }
        ++counters_.write_errors;
        auto e = write_error(what, path, err);
        note_error_locked(e);
        return core::fail(std::move(e));
    }
}

core::Status Spool::Impl::create_segment_locked(std::uint64_t first_seq) {
    auto path = segment_path(first_seq);
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) {
        return core::fail(write_error("cannot create", path, errno));
    }
    auto header = internal::encode_segment_header(first_seq);
    if (int err = write_all(*io_, fd.get(), header, 0); err != 0) {
        fd.reset();
        ::unlink(path.c_str());
        return core::fail(write_error("cannot write", path, err));
    }
    Segment s;
    s.id = next_segment_id_++;
    s.first_seq = first_seq;
    s.last_seq = first_seq - 1;
    s.end = internal::kSegmentHeaderBytes;
    segments_.push_back(std::move(s));
    active_fd_ = std::move(fd);
    disk_bytes_ += internal::kSegmentHeaderBytes;
    if (options_.fsync == FsyncPolicy::kAlways) {
        // The file's data is synced with its first record; its name needs the directory.
        if (auto synced = internal::sync_dir(dir_); !synced) {
            ++counters_.write_errors;
            note_error_locked(synced.error());
        }
    } else if (options_.fsync == FsyncPolicy::kInterval) {
        dir_dirty_ = true;
    }
    return {};
}

void Spool::Impl::seal_active_locked() {
    if (options_.fsync == FsyncPolicy::kInterval && active_dirty_) {
        sealed_unsynced_.push_back(std::move(active_fd_));
        if (sealed_unsynced_.size() >= kMaxUnsyncedSealed) {
            // Each holds a descriptor: with small segments and a long interval they
            // would pile up, so sync them now rather than run out of descriptors.
            sync_now_ = true;
            stop_cv_.notify_all();
        }
    }
    active_fd_.reset();
    active_dirty_ = false;
    delete_acked_locked(acked_seq_);
}

std::uint64_t Spool::Impl::unacked_in_locked(const Segment& s) const {
    if (s.records == 0 || s.last_seq <= acked_seq_) {
        return 0;
    }
    if (s.first_seq > acked_seq_) {
        return s.records;
    }
    return std::min(s.records, s.last_seq - acked_seq_);
}

void Spool::Impl::remove_front_locked() {
    const Segment& s = segments_.front();
    auto path = segment_path(s.first_seq);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        ++counters_.write_errors;
        note_error_locked(internal::os_error("cannot delete", path, errno));
    }
    disk_bytes_ -= std::min(disk_bytes_, s.end);
    if (segments_.size() == 1 && active_fd_.valid()) {
        active_fd_.reset();
        active_dirty_ = false;
    }
    segments_.pop_front();
}

void Spool::Impl::release_sealed_locked() {
    for (Fd& fd : sealed_unsynced_) {
        ++counters_.fsyncs;
        if (io_->fdatasync(fd.get()) != 0) {
            ++counters_.write_errors;
        }
    }
    sealed_unsynced_.clear();
}

bool Spool::Impl::drop_oldest_locked(std::string_view why) {
    if (segments_.empty()) {
        return false;
    }
    release_sealed_locked();
    const Segment& s = segments_.front();
    if (segments_.size() == 1 && active_fd_.valid() && s.records == 0) {
        return false;  // only the fresh active segment is left: dropping it frees nothing
    }
    std::uint64_t lost = unacked_in_locked(s);
    counters_.dropped_oldest += lost;
    counters_.last_error =
        "spool full: dropped segment " + internal::segment_file_name(s.first_seq) + " with " +
        std::to_string(lost) + " unacknowledged record(s) (" + std::string(why) + ")";
    remove_front_locked();
    return true;
}

void Spool::Impl::delete_acked_locked(std::uint64_t through_seq) {
    const std::size_t keep = active_fd_.valid() ? 1 : 0;
    while (segments_.size() > keep && segments_.front().last_seq <= through_seq) {
        remove_front_locked();
    }
}

void Spool::Impl::commit_locked(std::span<const std::string_view> records,
                                std::uint64_t frames_bytes) {
    Segment& s = segments_.back();
    std::uint64_t offset = s.end;
    for (auto r : records) {
        std::uint64_t seq = next_seq_++;
        if (offset >= s.next_index_at) {
            s.index.push_back(internal::IndexEntry{seq, offset});
            s.next_index_at = offset + internal::kIndexStride;
        }
        offset += internal::framed_size(r.size());
        counters_.appended_bytes += r.size();
    }
    s.records += records.size();
    s.last_seq = next_seq_ - 1;
    s.end = offset;
    disk_bytes_ += frames_bytes;
    counters_.appended += records.size();
    if (options_.fsync == FsyncPolicy::kInterval) {
        active_dirty_ = true;
    }
}

core::Error Spool::Impl::full_locked(core::Error error, std::uint64_t records) {
    counters_.refused += records;
    std::string msg = error.message();
    if (full_policy_drops() && msg.rfind("disk full", 0) == 0) {
        msg += "; nothing older is left to drop";
    }
    msg += "; " + std::to_string(records) + " record(s) refused";
    error = core::Error(core::ErrorCode::kResourceExhausted, std::move(msg));
    note_error_locked(error);
    return error;
}

void Spool::Impl::note_error_locked(const core::Error& error) {
    counters_.last_error = error.message();
}

core::Result<void> Spool::Impl::ack(std::uint64_t through_seq) {
    std::lock_guard ack_lock(ack_mu_);
    std::uint64_t newly_acked = 0;
    {
        std::lock_guard lock(mu_);
        if (through_seq <= acked_seq_ && !cursor_dirty_) {
            return {};
        }
        if (through_seq >= next_seq_) {
            return core::fail(core::Error::invalid_argument(
                "cannot acknowledge seq " + std::to_string(through_seq) +
                ": the last appended record is " + std::to_string(next_seq_ - 1)));
        }
        through_seq = std::max(through_seq, acked_seq_);
        for (const Segment& s : segments_) {
            std::uint64_t lo = std::max(s.first_seq, acked_seq_ + 1);
            std::uint64_t hi = std::min(s.last_seq, through_seq);
            if (s.records > 0 && hi >= lo) {
                newly_acked += std::min(s.records, hi - lo + 1);
            }
        }
    }
    auto written = internal::write_cursor(dir_, through_seq);
    if (!written && written.error().code() == core::ErrorCode::kResourceExhausted) {
        // A full disk: free the segments this acknowledgement covers, then try again.
        // Deleting them before the cursor says so is safe: on a crash in between, the
        // reader simply starts at the first record still stored.
        {
            std::lock_guard lock(mu_);
            delete_acked_locked(through_seq);
        }
        written = internal::write_cursor(dir_, through_seq);
    }
    std::lock_guard lock(mu_);
    counters_.acked += newly_acked;
    // The acknowledgement takes effect even if the cursor could not be written; only its
    // durability is in doubt, and the next ack() or close tries again.
    acked_seq_ = through_seq;
    delete_acked_locked(acked_seq_);
    cursor_dirty_ = !written;
    if (!written) {
        ++counters_.write_errors;
        note_error_locked(written.error());
        return core::fail(std::move(written.error()));
    }
    return {};
}

bool Spool::Impl::wait(std::uint64_t after_seq, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    appended_cv_.wait_for(lock, timeout, [&] { return stop_ || next_seq_ - 1 > after_seq; });
    return next_seq_ - 1 > after_seq;
}

core::Status Spool::Impl::sync_pending(std::unique_lock<std::mutex>& lock, bool all) {
    std::vector<Fd> sealed = std::move(sealed_unsynced_);
    sealed_unsynced_.clear();
    Fd active;
    std::filesystem::path active_path;
    if (active_fd_.valid() && (all || active_dirty_)) {
        // A duplicate descriptor: the segment may be sealed and closed while we sync.
        active = Fd(::fcntl(active_fd_.get(), F_DUPFD_CLOEXEC, 0));
        active_path = segment_path(segments_.back().first_seq);
        active_dirty_ = false;
    }
    bool dir = all || dir_dirty_;
    dir_dirty_ = false;
    sync_now_ = false;
    lock.unlock();

    std::uint64_t syncs = 0;
    std::optional<core::Error> error;
    for (Fd& fd : sealed) {
        ++syncs;
        if (io_->fdatasync(fd.get()) != 0 && !error) {
            error = internal::os_error("cannot fsync a sealed segment in", dir_, errno);
        }
    }
    bool active_failed = false;
    if (!active_path.empty()) {
        ++syncs;
        if (!active.valid() || io_->fdatasync(active.get()) != 0) {
            active_failed = true;
            if (!error) {
                error = internal::os_error("cannot fsync", active_path, errno);
            }
        }
    }
    if (dir) {
        if (auto synced = internal::sync_dir(dir_); !synced && !error) {
            error = std::move(synced.error());
        }
    }

    lock.lock();
    counters_.fsyncs += syncs;
    if (active_failed) {
        active_dirty_ = true;
    }
    if (error) {
        ++counters_.write_errors;
        note_error_locked(*error);
        return core::fail(std::move(*error));
    }
    return {};
}

void Spool::Impl::syncer_loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        stop_cv_.wait_for(lock, options_.fsync_interval, [&] { return stop_ || sync_now_; });
        if (stop_) {
            break;
        }
        if (active_dirty_ || dir_dirty_ || !sealed_unsynced_.empty()) {
            // Failures are counted in Stats; there is no caller to return them to.
            (void)sync_pending(lock, false);
        }
    }
}

core::Result<void> Spool::Impl::sync() {
    std::unique_lock lock(mu_);
    return sync_pending(lock, true);
}

Stats Spool::Impl::stats() const {
    std::lock_guard lock(mu_);
    Stats s = counters_;
    s.segments = segments_.size();
    s.disk_bytes = disk_bytes_;
    s.pending = 0;
    for (const Segment& seg : segments_) {
        s.pending += unacked_in_locked(seg);
    }
    s.next_seq = next_seq_;
    s.acked_seq = acked_seq_;
    return s;
}

std::uint64_t Spool::Impl::acked_seq() const {
    std::lock_guard lock(mu_);
    return acked_seq_;
}

}  // namespace cyberalarm::spool
