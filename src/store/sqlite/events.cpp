// Events, reading: keyset-paged search over event blocks, and summaries.
#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

#include "core/event_codec.h"
#include "store/sqlite/internal/event_rows.h"
#include "store/sqlite/internal/event_sql.h"
#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::size_t kMaxTopN = 1000;

std::string event_fingerprint_text(const Scope& scope, const EventQuery& q) {
    std::string s = "events|" + std::to_string(q.from_ns) + "|" + std::to_string(q.to_ns) + "|";
    s += q.member ? std::to_string(*q.member) : "*";
    s += "|" + (q.address ? q.address->to_string() : "*");
    s += "|" + (q.port ? std::to_string(*q.port) : "*");
    s += "|" + (q.category ? std::to_string(static_cast<int>(*q.category)) : "*");
    s += "|" + (q.action ? std::to_string(static_cast<int>(*q.action)) : "*");
    s += "|" + (scope.all_members ? std::string("all") : json_id_list(scope.members));
    return s;
}


struct Hit {
    std::int64_t time_ns;
    std::int64_t id;
    EventRecord record;
};

// Newest first: the order of every page. As a heap comparator it keeps the oldest on top.
bool newer(const Hit& a, const Hit& b) {
    return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.id > b.id;
}

// The newest `want` events of one member that match the query (after the cursor), added to
// `hits` (a heap by `newer`, so hits.front() is the oldest kept).
class MemberSearch {
public:
    MemberSearch(const EventQuery& q, const std::optional<CursorKey>& cursor, std::size_t want)
        : q_(q), cursor_(cursor), want_(want) {}

    core::Status run(Connection& conn, TenantId member) {
        auto walk = conn.prepare(event_blocks_sql(cursor_.has_value()));
        if (!walk) {
            return core::fail(std::move(walk.error()));
        }
        walk->bind_named(":member", member).bind_named(":from", q_.from_ns).bind_named(":to", q_.to_ns);
        if (cursor_) {
            walk->bind_named(":cursor_time", cursor_->time_ns);
        }
        for (;;) {
            auto row = walk->step();
            if (!row) {
                return core::fail(std::move(row.error()));
            }
            if (!*row) {
                return {};
            }
            const BlockRow b = block_row(*walk);
            // Blocks come newest max_time first: once a full page's oldest event is newer
            // than everything this block can hold, no later block can contribute either.
            if (hits_.size() == want_ && b.max_time_ns < hits_.front().time_ns) {
                return {};
            }
            if (!filter_may_match(walk->blob(6), q_)) {
                continue;
            }
            const std::string collector = walk->text(5);
            if (auto st = with_block(conn, b, [&](const BlockView& v) { return scan(v, b, member, collector); });
                !st) {
                return st;
            }
        }
    }

    std::vector<Hit>& hits() { return hits_; }

private:
    // Newest to oldest within the block; stops where nothing older can make the page.
    core::Status scan(const BlockView& v, const BlockRow& b, TenantId member, const std::string& collector) {
        for (std::size_t i = v.size(); i-- > 0;) {
            const std::int64_t t = v.time(i);
            if (t >= q_.to_ns) {
                continue;
            }
            if (t < q_.from_ns) {
                break;
            }
            const std::int64_t id = event_id(b, i);
            if (cursor_ && !(t < cursor_->time_ns || (t == cursor_->time_ns && id < cursor_->id))) {
                continue;
            }
            if (hits_.size() == want_ && !(t > hits_.front().time_ns ||
                                          (t == hits_.front().time_ns && id > hits_.front().id))) {
                break;
            }
            auto event = v.event(i);
            if (!event) {
                return core::fail(block_error(b.id, std::move(event.error())));
            }
            if (!event_matches(*event, q_)) {
                continue;
            }
            hits_.push_back(Hit{t, id, EventRecord{id, member, collector, std::move(*event)}});
            std::push_heap(hits_.begin(), hits_.end(), newer);
            if (hits_.size() > want_) {
                std::pop_heap(hits_.begin(), hits_.end(), newer);
                hits_.pop_back();
            }
        }
        return {};
    }

    const EventQuery& q_;
    const std::optional<CursorKey>& cursor_;
    const std::size_t want_;
    std::vector<Hit> hits_;
};

using Address = std::array<std::uint8_t, 16>;
struct AddressHash {
    std::size_t operator()(const Address& a) const {
        std::uint64_t hi = 0;
        std::uint64_t lo = 0;
        std::memcpy(&hi, a.data(), 8);
        std::memcpy(&lo, a.data() + 8, 8);
        return std::hash<std::uint64_t>()(hi * 0x9e3779b97f4a7c15ULL ^ lo);
    }
};

// The counts of a summary, gathered row by row.
class SummaryCounts {
public:
    SummaryCounts(std::int64_t from_ns, std::int64_t bucket_ns) : from_(from_ns), width_(bucket_ns) {}

    void add(const core::Event& e) {
        ++events_;
        denied_ += e.action == core::Action::kDeny || e.action == core::Action::kDrop ||
                   e.action == core::Action::kReject;
        ++buckets_[(e.time_ns - from_) / width_];
        if (e.src_ip.is_set()) {
            ++sources_[e.src_ip.bytes()];
        }
        if (e.has(core::Event::kDstPort)) {
            ++ports_[e.dst_port];
        }
    }

    EventSummary finish(std::size_t top_n) const {
        EventSummary s;
        s.events = events_;
        s.denied = denied_;
        for (const auto& [k, n] : buckets_) {
            s.per_bucket.emplace_back(from_ + k * width_, n);
        }
        std::sort(s.per_bucket.begin(), s.per_bucket.end());
        for (const auto& [src, n] : top(sources_, top_n)) {
            s.top_sources.emplace_back(
                address_from_bytes({reinterpret_cast<const char*>(src.data()), src.size()}), n);
        }
        s.top_ports = top(ports_, top_n);
        return s;
    }

private:
    // Most first; ties by key, so that equal counts come out in a stable order.
    template <typename K, typename H>
    static std::vector<std::pair<K, std::uint64_t>> top(
        const std::unordered_map<K, std::uint64_t, H>& counts, std::size_t n) {
        std::vector<std::pair<K, std::uint64_t>> v(counts.begin(), counts.end());
        const auto more = [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        };
        const std::size_t keep = std::min(n, v.size());
        std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(keep), v.end(), more);
        v.resize(keep);
        return v;
    }

    std::int64_t from_;
    std::int64_t width_;
    std::uint64_t events_ = 0;
    std::uint64_t denied_ = 0;
    std::unordered_map<std::int64_t, std::uint64_t> buckets_;
    std::unordered_map<Address, std::uint64_t, AddressHash> sources_;
    std::unordered_map<std::uint16_t, std::uint64_t> ports_;
};

std::size_t page_limit(std::size_t limit) { return std::clamp<std::size_t>(limit, 1, kMaxPageSize); }

}  // namespace


core::Result<Page<EventRecord>> SqliteStore::search_events(const Scope& scope,
                                                           const EventQuery& query) {
    const std::uint64_t fingerprint = query_fingerprint(event_fingerprint_text(scope, query));
    std::optional<CursorKey> cursor;
    if (!query.cursor.empty()) {
        auto key = decode_cursor(query.cursor, fingerprint);
        if (!key) {
            return core::fail(std::move(key.error()));
        }
        cursor = std::move(*key);
    }
    const std::size_t limit = page_limit(query.limit);
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    // The block walk and the bodies are read by separate statements: one snapshot keeps
    // them in step.
    auto snapshot = Snapshot::begin(**conn);
    if (!snapshot) {
        return core::fail(std::move(snapshot.error()));
    }
    auto members = scope_members(**conn, scope, query.member);
    if (!members) {
        return core::fail(std::move(members.error()));
    }
    std::vector<Hit> hits;
    if (query.from_ns < query.to_ns) {
        for (const TenantId member : *members) {
            MemberSearch search(query, cursor, limit + 1);
            if (auto st = search.run(**conn, member); !st) {
                return core::fail(std::move(st.error()));
            }
            std::move(search.hits().begin(), search.hits().end(), std::back_inserter(hits));
        }
    }
    std::sort(hits.begin(), hits.end(), newer);
    Page<EventRecord> page;
    if (hits.size() > limit) {
        hits.resize(limit);
        page.next_cursor = encode_cursor(fingerprint, CursorKey{hits.back().time_ns, hits.back().id, {}});
    }
    page.items.reserve(hits.size());
    for (Hit& h : hits) {
        page.items.push_back(std::move(h.record));
    }
    return page;
}

core::Result<EventSummary> SqliteStore::summarize_events(const Scope& scope,
                                                         const EventQuery& query,
                                                         std::int64_t bucket_ns,
                                                         std::size_t top_n) {
    if (bucket_ns <= 0) {
        return core::fail(core::Error::invalid_argument("bucket width must be positive")
                              .at_field("bucket_ns"));
    }
    top_n = std::min(top_n, kMaxTopN);
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    auto snapshot = Snapshot::begin(**conn);
    if (!snapshot) {
        return core::fail(std::move(snapshot.error()));
    }
    auto members = scope_members(**conn, scope, query.member);
    if (!members) {
        return core::fail(std::move(members.error()));
    }
    if (members->empty() || query.from_ns >= query.to_ns) {
        return EventSummary{};
    }
    // One pass over each member's blocks in the range, decoded and counted here.
    SummaryCounts counts(query.from_ns, bucket_ns);
    const auto count_block = [&](const BlockView& v) -> core::Status {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::int64_t t = v.time(i);
            if (t < query.from_ns || t >= query.to_ns) {
                continue;
            }
            auto event = v.event(i);
            if (!event) {
                return core::fail(std::move(event.error()));
            }
            if (event_matches(*event, query)) {
                counts.add(*event);
            }
        }
        return {};
    };
    for (const TenantId member : *members) {
        auto walk = (*conn)->prepare(event_blocks_sql(false));
        if (!walk) {
            return core::fail(std::move(walk.error()));
        }
        walk->bind_named(":member", member).bind_named(":from", query.from_ns).bind_named(":to", query.to_ns);
        for (;;) {
            auto row = walk->step();
            if (!row) {
                return core::fail(std::move(row.error()));
            }
            if (!*row) {
                break;
            }
            if (!filter_may_match(walk->blob(6), query)) {
                continue;
            }
            if (auto st = with_block(**conn, block_row(*walk), count_block); !st) {
                return core::fail(std::move(st.error()));
            }
        }
    }
    return counts.finish(top_n);
}

}  // namespace cyberalarm::store::sqlite
