// Reading: plan under the lock (which segments, from which offset), read without it.
#include <fcntl.h>

#include <algorithm>

#include "spool/internal/spool_impl.h"

namespace cyberalarm::spool {

std::vector<Spool::Impl::ReadPart> Spool::Impl::plan_read_locked(std::uint64_t after_seq) const {
    std::vector<ReadPart> parts;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        const Segment& s = segments_[i];
        if (s.records == 0 || s.last_seq <= after_seq) {
            continue;
        }
        ReadPart p;
        p.id = s.id;
        p.first_seq = s.first_seq;
        p.last_seq = s.last_seq;
        p.bounds.end = s.end;
        p.bounds.seq_limit = i + 1 < segments_.size() ? segments_[i + 1].first_seq : next_seq_;
        p.bounds.max_record_bytes = internal::kMaxRecordLimit;
        if (cache_.id == s.id && cache_.last_seq == after_seq && cache_.offset <= s.end) {
            // The usual case: the reader goes on where its last read stopped.
            p.bounds.begin = cache_.offset;
            p.bounds.prev_seq = after_seq;
        } else {
            // The last index entry at or before the first record wanted.
            auto it = std::upper_bound(
                s.index.begin(), s.index.end(), after_seq + 1,
                [](std::uint64_t seq, const internal::IndexEntry& e) { return seq < e.seq; });
            if (it == s.index.begin()) {
                p.bounds.begin = internal::kSegmentHeaderBytes;
                p.bounds.prev_seq = s.first_seq - 1;
            } else {
                --it;
                p.bounds.begin = it->offset;
                p.bounds.prev_seq = it->seq - 1;
            }
        }
        p.holes = s.holes;
        parts.push_back(std::move(p));
    }
    return parts;
}

core::Status Spool::Impl::open_part(const ReadPart& part, bool* gone) {
    *gone = false;
    if (cache_.id == part.id && cache_.fd.valid()) {
        cache_.source->set_limit(part.bounds.end);
        return {};
    }
    cache_ = ReaderCache{};
    auto fd = internal::open_file(segment_path(part.first_seq), O_RDONLY);
    if (!fd) {
        if (fd.error().code() == core::ErrorCode::kNotFound) {
            *gone = true;  // dropped or acknowledged since the plan was made
            return {};
        }
        return core::fail(std::move(fd.error()));
    }
    cache_.id = part.id;
    cache_.fd = std::move(*fd);
    cache_.source = std::make_unique<internal::FileSource>(cache_.fd.get(), part.bounds.end);
    return {};
}

void Spool::Impl::report_damage(const ReadPart& part, const internal::RecordCursor& cursor,
                                bool at_end, std::uint64_t last_good_seq) {
    std::vector<internal::Hole> holes = cursor.new_holes();
    std::uint64_t missing = cursor.missing_records();
    std::uint64_t bytes = cursor.corrupt_bytes();
    if (at_end && cursor.good_end() < part.bounds.end) {
        // Damage after the last good record of what was stored: those records are lost.
        holes.push_back(internal::Hole{cursor.good_end(), part.bounds.end});
        bytes += part.bounds.end - cursor.good_end();
        missing += part.last_seq > last_good_seq ? part.last_seq - last_good_seq : 0;
    }
    if (holes.empty()) {
        return;
    }
    std::lock_guard lock(mu_);
    auto it = std::find_if(segments_.begin(), segments_.end(),
                           [&](const Segment& s) { return s.id == part.id; });
    if (it == segments_.end()) {
        return;
    }
    for (const auto& h : holes) {
        auto pos = std::lower_bound(
            it->holes.begin(), it->holes.end(), h.begin,
            [](const internal::Hole& a, std::uint64_t begin) { return a.begin < begin; });
        it->holes.insert(pos, h);
    }
    counters_.corrupt_skipped += missing;
    counters_.corrupt_bytes += bytes;
    counters_.last_error = "spool segment " + internal::segment_file_name(part.first_seq) +
                           " damaged since it was written: " + std::to_string(bytes) +
                           " bytes skipped, " + std::to_string(missing) + " record(s) lost";
}

core::Result<std::vector<Record>> Spool::Impl::read(std::uint64_t after_seq,
                                                    std::size_t max_records,
                                                    std::size_t max_bytes) {
    std::vector<Record> out;
    if (max_records == 0) {
        return out;
    }
    std::lock_guard read_lock(read_mu_);
    std::vector<ReadPart> parts;
    bool cache_gone = false;
    {
        std::lock_guard lock(mu_);
        cache_gone =
            cache_.id != 0 && std::none_of(segments_.begin(), segments_.end(),
                                           [&](const Segment& seg) { return seg.id == cache_.id; });
        parts = plan_read_locked(after_seq);
    }
    if (cache_gone) {
        // Acknowledged or dropped: let go of the descriptor so its space is freed.
        cache_ = ReaderCache{};
    }
    std::size_t bytes = 0;
    bool done = false;
    for (const ReadPart& part : parts) {
        bool gone = false;
        if (auto opened = open_part(part, &gone); !opened) {
            return core::fail(std::move(opened.error()));
        }
        if (gone) {
            continue;
        }
        internal::RecordCursor cursor(*cache_.source, part.bounds, &part.holes);
        std::uint64_t last_good = part.bounds.prev_seq;
        while (auto r = cursor.next()) {
            last_good = r->seq;
            if (r->seq <= after_seq) {
                continue;
            }
            if (!out.empty() && bytes + r->payload.size() > max_bytes) {
                done = true;
                break;
            }
            out.push_back(Record{
                r->seq,
                std::string(reinterpret_cast<const char*>(r->payload.data()), r->payload.size())});
            bytes += r->payload.size();
            cache_.last_seq = r->seq;
            cache_.offset = r->offset + r->size;
            if (out.size() >= max_records || bytes >= max_bytes) {
                done = true;
                break;
            }
        }
        if (cache_.source->failed()) {
            auto e = internal::os_error("cannot read", segment_path(part.first_seq),
                                        cache_.source->error());
            cache_ = ReaderCache{};
            std::lock_guard lock(mu_);
            note_error_locked(e);
            return core::fail(std::move(e));
        }
        report_damage(part, cursor, !done, last_good);
        if (done) {
            break;
        }
    }
    return out;
}

}  // namespace cyberalarm::spool
