// A durable, append-only, on-disk queue of opaque records, between the parser and the uplink.
//
// Records go into segment files in one directory; each record carries its sequence number
// and two CRCs (docs/design/spool.md gives the format and the guarantees). Sequence numbers
// start at 1 and only grow, across restarts too. A reader asks for records after a sequence
// number and acknowledges them; the acknowledged cursor is durable, and segments wholly
// acknowledged are deleted. Disk use is bounded by Options::max_bytes: when the bound or a
// full disk is hit, FullPolicy says whether the oldest records are dropped or new ones
// refused, and either way it is counted in Stats, never silent.
//
// Recovery on open: a torn tail (a record cut short by a crash) is cut off, everything
// before it kept; a damaged record in the middle is skipped and counted, and the records
// after it survive.
//
// Thread safety: every method may be called from any thread. Appends are serialised by one
// lock (one write per call); read() and ack() do their I/O outside it. The usual shape is
// many appending threads and one reading and acknowledging thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cyberalarm::spool {

// When appended bytes are forced to stable storage. Every successful append has reached
// the kernel (write(2)), so it survives a crash of the process under any policy; the policy
// decides what survives a crash of the machine.
enum class FsyncPolicy : std::uint8_t {
    kAlways,    // fdatasync before append() returns: nothing acknowledged is lost
    kInterval,  // a background thread syncs at most every fsync_interval, and on close
    kNever,     // the kernel writes back when it likes
};

// What append() does when max_bytes would be exceeded or the disk is full.
enum class FullPolicy : std::uint8_t {
    kDropOldest,  // delete the oldest segments, acknowledged or not (counted), then write
    kRefuseNew,   // fail the append with kResourceExhausted (counted in Stats::refused)
};

// The system calls the writer makes, behind a seam so that tests can fail any write
// (LevelDB's fault-injection Env in miniature). The defaults are the real calls; a
// subclass overrides what it wants to break. Same contract as the system calls: -1 and
// errno on failure, a short count allowed from pwrite.
class FileIo {
public:
    virtual ~FileIo() = default;
    virtual long pwrite(int fd, const void* data, std::size_t n, std::uint64_t offset);
    virtual int fdatasync(int fd);
    virtual int ftruncate(int fd, std::uint64_t size);
};

struct Options {
    // A segment is closed once the next append would take it past this size. One
    // append_many() batch is never split, so a segment may exceed it by one batch.
    // At least 4 KiB and at least max_record_bytes + 40.
    std::uint64_t segment_bytes = 16u << 20;
    // Bound on the bytes of all segment files together. At least 2 * segment_bytes.
    std::uint64_t max_bytes = 1ull << 30;
    FsyncPolicy fsync = FsyncPolicy::kInterval;
    // For kInterval: the longest an appended record stays unsynced. More than zero.
    std::chrono::milliseconds fsync_interval{1000};
    FullPolicy when_full = FullPolicy::kDropOldest;
    // Larger appends are refused (kInvalidArgument). At most 64 MiB, the format's limit.
    std::size_t max_record_bytes = 1u << 20;
    // Tests only: the system calls used to write segments; null means the real ones. Not
    // owned; must outlive the Spool.
    FileIo* io = nullptr;
};

// Counters since open(), and the current state. torn_bytes_cut, corrupt_skipped and
// corrupt_bytes include what recovery found.
struct Stats {
    std::uint64_t appended = 0;         // records appended
    std::uint64_t appended_bytes = 0;   // their payload bytes
    std::uint64_t acked = 0;            // records acknowledged
    std::uint64_t dropped_oldest = 0;   // unacknowledged records deleted to make room
    std::uint64_t refused = 0;          // records refused because the spool or disk was full
    std::uint64_t torn_bytes_cut = 0;   // bytes cut from segment tails on recovery
    std::uint64_t corrupt_skipped = 0;  // records lost to damage in the middle of a segment
    std::uint64_t write_errors = 0;     // failed writes, truncations and syncs
    std::uint64_t segments = 0;         // segment files now
    std::uint64_t disk_bytes = 0;       // their total size
    std::uint64_t pending = 0;          // records stored and not acknowledged
    std::uint64_t next_seq = 0;         // the sequence number the next append gets
    std::uint64_t acked_seq = 0;        // records up to this one are acknowledged
    std::string last_error;             // the last problem met, for an administrator
    std::uint64_t corrupt_bytes = 0;    // damaged bytes skipped (not counting torn tails)
    std::uint64_t fsyncs = 0;           // fdatasync calls on segments
};

struct Record {
    std::uint64_t seq = 0;
    std::string data;
};

class Spool {
public:
    // Opens the spool in `dir` (created with mode 0700 if absent) and recovers it. Fails if
    // the options are out of range, the directory is in use by another Spool (a lock file),
    // or a segment was written by a newer format version.
    [[nodiscard]] static core::Result<std::unique_ptr<Spool>> open(const std::filesystem::path& dir,
                                                                   const Options& options);

    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Appends one record; returns its sequence number. Errors: kInvalidArgument (record
    // larger than max_record_bytes), kResourceExhausted ("spool full: ..." or "disk full
    // writing <path>: ..."), kIo. A failed append leaves no partial record behind.
    [[nodiscard]] core::Result<std::uint64_t> append(std::string_view record);
    // Appends records with one write (and one sync under kAlways), all or none; returns the
    // last sequence number (next_seq - 1 for an empty batch).
    [[nodiscard]] core::Result<std::uint64_t> append_many(std::span<const std::string> records);

    // Records with seq > after_seq, in order: at most max_records, and stopping once their
    // payloads reach max_bytes (always at least one record if there is one). Records dropped
    // by kDropOldest or lost to damage are skipped: the caller sees a gap in seq.
    [[nodiscard]] core::Result<std::vector<Record>> read(std::uint64_t after_seq,
                                                         std::size_t max_records,
                                                         std::size_t max_bytes);

    // Acknowledges every record up to through_seq: writes the cursor durably (temporary
    // file, fsync, rename) and deletes the segments wholly acknowledged. Acknowledging
    // less than acked_seq() is a no-op; beyond the last appended record, kInvalidArgument.
    [[nodiscard]] core::Result<void> ack(std::uint64_t through_seq);

    // Waits until a record with seq > after_seq has been appended, or the timeout passes.
    bool wait(std::uint64_t after_seq, std::chrono::milliseconds timeout);

    // Forces everything appended so far to stable storage, whatever the policy.
    [[nodiscard]] core::Result<void> sync();

    [[nodiscard]] Stats stats() const;
    [[nodiscard]] std::uint64_t acked_seq() const;

    class Impl;

private:
    explicit Spool(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::spool
