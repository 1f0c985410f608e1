// Opening a spool: options, the directory and its lock, the cursor, and every segment
// scanned, its torn tail cut and its damage counted.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <system_error>

#include "spool/internal/spool_impl.h"

namespace cyberalarm::spool {

namespace {

constexpr std::uint64_t kMinSegmentBytes = 4096;
constexpr const char* kLockFile = "LOCK";

core::Status validate(const Options& o) {
    auto bad = [](std::string msg) {
        return core::fail(core::Error::invalid_argument(std::move(msg)));
    };
    if (o.segment_bytes < kMinSegmentBytes) {
        return bad("spool segment_bytes must be at least " + std::to_string(kMinSegmentBytes));
    }
    if (o.max_record_bytes == 0 || o.max_record_bytes > internal::kMaxRecordLimit) {
        return bad("spool max_record_bytes must be between 1 and " +
                   std::to_string(internal::kMaxRecordLimit));
    }
    if (o.segment_bytes <
        internal::framed_size(o.max_record_bytes) + internal::kSegmentHeaderBytes) {
        return bad("spool segment_bytes (" + std::to_string(o.segment_bytes) +
                   ") must hold one record of max_record_bytes (" +
                   std::to_string(o.max_record_bytes) + ") and 40 bytes of framing");
    }
    if (o.max_bytes / 2 < o.segment_bytes) {
        return bad("spool max_bytes (" + std::to_string(o.max_bytes) +
                   ") must be at least twice segment_bytes (" + std::to_string(o.segment_bytes) +
                   ")");
    }
    if (o.fsync != FsyncPolicy::kAlways && o.fsync != FsyncPolicy::kInterval &&
        o.fsync != FsyncPolicy::kNever) {
        return bad("spool fsync policy out of range");
    }
    if (o.when_full != FullPolicy::kDropOldest && o.when_full != FullPolicy::kRefuseNew) {
        return bad("spool full policy out of range");
    }
    if (o.fsync == FsyncPolicy::kInterval && o.fsync_interval.count() <= 0) {
        return bad(
            "spool fsync_interval must be more than zero (use kAlways to sync every append)");
    }
    return {};
}

core::Status make_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (dir.has_parent_path() && !std::filesystem::exists(dir.parent_path(), ec)) {
        std::filesystem::create_directories(dir.parent_path(), ec);
        if (ec) {
            return core::fail(internal::os_error("cannot create", dir.parent_path(), ec.value()));
        }
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return core::fail(internal::os_error("cannot create spool directory", dir, errno));
    }
    if (!std::filesystem::is_directory(dir, ec)) {
        return core::fail(
            core::Error::invalid_argument("spool path " + dir.string() + " is not a directory"));
    }
    return {};
}

}  // namespace

core::Result<std::unique_ptr<Spool::Impl>> Spool::Impl::open(const std::filesystem::path& dir,
                                                             const Options& options) {
    if (auto valid = validate(options); !valid) {
        return core::fail(std::move(valid.error()));
    }
    if (dir.empty()) {
        return core::fail(core::Error::invalid_argument("spool directory not given"));
    }
    if (auto made = make_dir(dir); !made) {
        return core::fail(std::move(made.error()));
    }
    auto impl = std::make_unique<Impl>(dir, options);
    if (auto recovered = impl->recover(); !recovered) {
        return core::fail(std::move(recovered.error()));
    }
    if (options.fsync == FsyncPolicy::kInterval) {
        try {
            impl->syncer_ = std::thread([p = impl.get()] { p->syncer_loop(); });
        } catch (const std::system_error& e) {
            return core::fail(core::Error::exhausted(
                std::string("cannot start the spool's fsync thread: ") + e.what()));
        }
    }
    return impl;
}

core::Result<void> Spool::Impl::recover() {
    auto lock_path = dir_ / kLockFile;
    auto lock_fd = internal::open_file(lock_path, O_RDWR | O_CREAT);
    if (!lock_fd) {
        return core::fail(std::move(lock_fd.error()));
    }
    if (::flock(lock_fd->get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            return core::fail(core::Error(core::ErrorCode::kUnavailable,
                                          "spool directory " + dir_.string() +
                                              " is in use by another process (lock " +
                                              lock_path.string() + ")"));
        }
        return core::fail(internal::os_error("cannot lock", lock_path, errno));
    }
    lock_fd_ = std::move(*lock_fd);
    ::unlink((dir_ / internal::kCursorTmpFile).c_str());

    auto acked = internal::read_cursor(dir_);
    if (acked) {
        acked_seq_ = *acked;
    } else if (acked.error().code() == core::ErrorCode::kCorrupt) {
        acked_seq_ = 0;
        counters_.last_error = acked.error().message() + "; every stored record will be read again";
    } else {
        return core::fail(std::move(acked.error()));
    }

    std::vector<std::uint64_t> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        auto seq = internal::parse_segment_file_name(entry.path().filename().string());
        if (seq && entry.is_regular_file(ec)) {
            names.push_back(*seq);
        }
    }
    if (ec) {
        return core::fail(internal::os_error("cannot list", dir_, ec.value()));
    }
    std::sort(names.begin(), names.end());

    bool changed = false;
    std::uint64_t last_good = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
        bool last = i + 1 == names.size();
        std::uint64_t limit = last ? std::numeric_limits<std::uint64_t>::max() : names[i + 1];
        auto good = recover_segment(names[i], limit, last, &changed);
        if (!good) {
            return core::fail(std::move(good.error()));
        }
        last_good = *good;
        // Segments follow on from each other; a gap between two is records lost to a
        // damaged tail of the earlier one.
        if (!last && names[i + 1] > last_good + 1) {
            counters_.corrupt_skipped += names[i + 1] - last_good - 1;
        }
    }
    next_seq_ = std::max({next_seq_, acked_seq_ + 1, last_good + 1});
    if (!names.empty()) {
        next_seq_ = std::max(next_seq_, names.back());
    }
    delete_acked_locked(acked_seq_);
    if (changed) {
        if (auto synced = internal::sync_dir(dir_); !synced) {
            return core::fail(std::move(synced.error()));
        }
    }
    return {};
}

core::Result<std::uint64_t> Spool::Impl::recover_segment(std::uint64_t first_seq,
                                                         std::uint64_t seq_limit, bool last,
                                                         bool* changed) {
    auto path = segment_path(first_seq);
    auto fd = internal::open_file(path, O_RDWR);
    if (!fd) {
        return core::fail(std::move(fd.error()));
    }
    auto size = internal::file_size(fd->get(), path);
    if (!size) {
        return core::fail(std::move(size.error()));
    }
    internal::FileSource source(fd->get(), *size);
    auto scan =
        internal::scan_segment(source, *size, first_seq, seq_limit, internal::kMaxRecordLimit);
    if (source.failed()) {
        return core::fail(internal::os_error("cannot read", path, source.error()));
    }
    if (scan.header == internal::HeaderCheck::kNewerVersion && scan.records == 0) {
        return core::fail(core::Error::unsupported(
            "spool segment " + path.string() +
            " was written by a newer version of cyberalarm (unknown format version); not "
            "opening the spool so as not to damage it"));
    }
    const std::uint64_t last_good = scan.records > 0 ? scan.last_seq : first_seq - 1;
    counters_.torn_bytes_cut += scan.tail_bytes;
    counters_.corrupt_skipped += scan.missing_records;
    counters_.corrupt_bytes += scan.corrupt_bytes;
    const bool header_damaged = scan.header == internal::HeaderCheck::kDamaged ||
                                scan.header == internal::HeaderCheck::kNewerVersion;
    if (header_damaged) {
        counters_.corrupt_bytes += internal::kSegmentHeaderBytes;
        counters_.last_error = "spool segment " + path.string() + " had a damaged header";
    }
    if (scan.missing_records > 0 || scan.corrupt_bytes > 0) {
        counters_.last_error = "spool segment " + path.string() + ": " +
                               std::to_string(scan.corrupt_bytes) + " damaged bytes skipped, " +
                               std::to_string(scan.missing_records) + " record(s) lost";
    }

    if (!last && (scan.records == 0 || scan.last_seq <= acked_seq_)) {
        fd->reset();
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            return core::fail(internal::os_error("cannot delete", path, errno));
        }
        *changed = true;
        return last_good;
    }
    bool fixed = false;
    if (scan.tail_bytes > 0) {
        if (io_->ftruncate(fd->get(), scan.valid_end) != 0) {
            return core::fail(internal::os_error("cannot cut the torn tail of", path, errno));
        }
        fixed = true;
    }
    if (header_damaged || scan.header == internal::HeaderCheck::kShort) {
        // The header is fixed content: rewrite it rather than count it again at every open.
        auto header = internal::encode_segment_header(first_seq);
        if (io_->pwrite(fd->get(), header.data(), header.size(), 0) !=
            static_cast<long>(header.size())) {
            return core::fail(internal::os_error("cannot repair the header of", path, errno));
        }
        fixed = true;
    }
    *changed = *changed || fixed;
    if (fixed && options_.fsync != FsyncPolicy::kNever && io_->fdatasync(fd->get()) != 0) {
        return core::fail(internal::os_error("cannot fsync", path, errno));
    }

    Segment s;
    s.id = next_segment_id_++;
    s.first_seq = first_seq;
    s.last_seq = last_good;
    s.records = scan.records;
    s.end = std::max<std::uint64_t>(scan.valid_end, internal::kSegmentHeaderBytes);
    s.next_index_at = scan.index.empty() ? 0 : scan.index.back().offset + internal::kIndexStride;
    s.index = std::move(scan.index);
    s.holes = std::move(scan.holes);
    disk_bytes_ += s.end;
    segments_.push_back(std::move(s));
    if (last) {
        active_fd_ = std::move(*fd);
    }
    return last_good;
}

}  // namespace cyberalarm::spool
