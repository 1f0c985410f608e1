// The state behind spool::Spool, shared by spool.cpp (writing, acknowledging, syncing),
// recovery.cpp (open) and reader.cpp (read).
//
// Thread safety: mu_ guards the segment list, the writer and the counters; read_mu_ guards
// the reader's cache; ack_mu_ serialises acknowledgements. Lock order: ack_mu_ or read_mu_
// before mu_; file I/O other than the append itself happens without mu_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "spool/internal/file.h"
#include "spool/internal/format.h"
#include "spool/spool.h"

namespace cyberalarm::spool {

class Spool::Impl {
public:
    static core::Result<std::unique_ptr<Impl>> open(const std::filesystem::path& dir,
                                                    const Options& options);
    Impl(std::filesystem::path dir, const Options& options);
    ~Impl();
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    core::Result<std::uint64_t> append(std::span<const std::string_view> records);
    core::Result<std::vector<Record>> read(std::uint64_t after_seq, std::size_t max_records,
                                           std::size_t max_bytes);
    core::Result<void> ack(std::uint64_t through_seq);
    bool wait(std::uint64_t after_seq, std::chrono::milliseconds timeout);
    core::Result<void> sync();
    Stats stats() const;
    std::uint64_t acked_seq() const;

private:
    struct Segment {
        std::uint64_t id = 0;         // unique in this process, so the reader's cache can
                                      // tell a segment from a later one of the same name
        std::uint64_t first_seq = 0;  // from the file name: no record has a smaller seq
        std::uint64_t last_seq = 0;   // first_seq - 1 while empty
        std::uint64_t records = 0;
        std::uint64_t end = 0;  // bytes of good data: the file size
        std::uint64_t next_index_at = 0;
        std::vector<internal::IndexEntry> index;  // sparse, ascending
        std::vector<internal::Hole> holes;        // damaged ranges, ascending
    };
    // One segment as read() sees it, copied under mu_.
    struct ReadPart {
        std::uint64_t id = 0;
        std::uint64_t first_seq = 0;
        std::uint64_t last_seq = 0;
        internal::CursorBounds bounds;
        std::vector<internal::Hole> holes;
    };
    struct ReaderCache {
        std::uint64_t id = 0;
        internal::Fd fd;
        std::unique_ptr<internal::FileSource> source;
        std::uint64_t last_seq = 0;  // the last record returned from this segment
        std::uint64_t offset = 0;    // just past it
    };

    // recovery.cpp
    core::Result<void> recover();
    // Returns the last good seq in the segment (first_seq - 1 if none); sets *changed when
    // it cut, repaired or deleted the file.
    core::Result<std::uint64_t> recover_segment(std::uint64_t first_seq, std::uint64_t seq_limit,
                                                bool last, bool* changed);

    // spool.cpp; all REQUIRE mu_ held.
    std::filesystem::path segment_path(std::uint64_t first_seq) const;
    core::Status write_batch_locked(const std::string& frames, std::uint64_t records);
    core::Status create_segment_locked(std::uint64_t first_seq);
    void seal_active_locked();
    // Syncs and closes the sealed segments still waiting for the interval fsync: a dropped
    // segment among them would otherwise keep its disk blocks while its descriptor is open.
    void release_sealed_locked();
    // `why`: what made room necessary ("disk full writing …", "max_bytes reached").
    bool drop_oldest_locked(std::string_view why);
    void delete_acked_locked(std::uint64_t through_seq);
    void remove_front_locked();
    void commit_locked(std::span<const std::string_view> records, std::uint64_t frames_bytes);
    core::Error full_locked(core::Error error, std::uint64_t records);
    void note_error_locked(const core::Error& error);
    std::uint64_t unacked_in_locked(const Segment& s) const;
    bool full_policy_drops() const { return options_.when_full == FullPolicy::kDropOldest; }

    // Syncs what is dirty, with mu_ released around the fsync calls. `all` syncs the active
    // segment even if nothing is known to be dirty.
    core::Status sync_pending(std::unique_lock<std::mutex>& lock, bool all);
    void syncer_loop();

    // reader.cpp
    std::vector<ReadPart> plan_read_locked(std::uint64_t after_seq) const;
    core::Status open_part(const ReadPart& part, bool* gone);
    void report_damage(const ReadPart& part, const internal::RecordCursor& cursor, bool at_end,
                       std::uint64_t last_good_seq);

    const std::filesystem::path dir_;
    const Options options_;
    FileIo* const io_;
    internal::Fd lock_fd_;

    mutable std::mutex mu_;
    std::condition_variable appended_cv_;
    std::condition_variable stop_cv_;
    std::deque<Segment> segments_;  // oldest first
    internal::Fd active_fd_;        // when valid, segments_.back() is being written
    std::uint64_t next_seq_ = 1;
    std::uint64_t acked_seq_ = 0;
    std::uint64_t next_segment_id_ = 1;
    std::uint64_t disk_bytes_ = 0;
    bool active_dirty_ = false;  // appended bytes not yet synced
    bool dir_dirty_ = false;     // a segment created and the directory not yet synced
    bool tail_dirty_ = false;    // a failed write left bytes past the end that a
                                 // truncation could not remove
    bool cursor_dirty_ = false;  // acked_seq_ is ahead of the cursor file
    std::vector<internal::Fd> sealed_unsynced_;  // sealed segments waiting for fsync
    std::string scratch_;                        // frames of the batch being appended
    Stats counters_;  // the counting fields; the rest is filled in by stats()
    bool stop_ = false;
    bool sync_now_ = false;  // wakes the syncer before the interval is up
    std::thread syncer_;

    std::mutex ack_mu_;
    std::mutex read_mu_;
    ReaderCache cache_;
};

}  // namespace cyberalarm::spool
