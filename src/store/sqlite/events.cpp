// Events: durable batch ingest, keyset-paged search, and summaries.
#include <algorithm>
#include <unordered_map>

#include "core/event_codec.h"
#include "store/sqlite/internal/event_sql.h"
#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

// Rows per INSERT statement: one statement step per 64 rows instead of per row.
constexpr std::size_t kRowsPerInsert = 64;
constexpr int kColumnsPerRow = 9;
constexpr std::size_t kMaxTopN = 1000;

std::string insert_sql(std::size_t rows) {
    std::string sql =
        "INSERT INTO events (member, time_ns, collector, src, dst, dst_port, category, action, "
        "body) VALUES ";
    for (std::size_t i = 0; i < rows; ++i) {
        sql += i == 0 ? "(?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?)";
    }
    return sql;
}

void bind_address(Stmt& st, int index, const core::IpAddress& ip) {
    if (ip.is_set()) {
        st.bind_static(index, Blob{address_bytes(ip)});
    } else {
        st.bind(index, Null{});
    }
}

// Binds rows [first, first + n) of the batch; `bodies` holds their encodings back to back.
void bind_rows(Stmt& st, std::span<const core::Event> events, std::size_t first, std::size_t n,
               TenantId member, std::string_view collector, std::string_view bodies,
               const std::vector<std::size_t>& offsets) {
    for (std::size_t i = 0; i < n; ++i) {
        const core::Event& e = events[first + i];
        const int base = static_cast<int>(i) * kColumnsPerRow;
        st.bind(base + 1, member).bind(base + 2, e.time_ns);
        st.bind(base + 3, collector);
        bind_address(st, base + 4, e.src_ip);
        bind_address(st, base + 5, e.dst_ip);
        if (e.has(core::Event::kDstPort)) {
            st.bind(base + 6, std::int64_t{e.dst_port});
        } else {
            st.bind(base + 6, Null{});
        }
        st.bind(base + 7, static_cast<std::int64_t>(e.category));
        st.bind(base + 8, static_cast<std::int64_t>(e.action));
        const std::size_t at = offsets[first + i];
        st.bind_static(base + 9, Blob{bodies.substr(at, offsets[first + i + 1] - at)});
    }
}

core::Status insert_events(Connection& conn, std::span<const core::Event> events, TenantId member,
                           std::string_view collector, std::string_view bodies,
                           const std::vector<std::size_t>& offsets) {
    for (std::size_t first = 0; first < events.size(); first += kRowsPerInsert) {
        const std::size_t n = std::min(kRowsPerInsert, events.size() - first);
        auto st = conn.prepare(insert_sql(n));
        if (!st) {
            return core::fail(std::move(st.error()));
        }
        bind_rows(*st, events, first, n, member, collector, bodies, offsets);
        if (auto done = st->run(); !done) {
            return done;
        }
    }
    return {};
}

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

template <typename Q>
void bind_event_query(Stmt& st, const Q& q) {
    st.bind_named(":from", q.from_ns).bind_named(":to", q.to_ns);
    if (q.address) {
        st.bind_named(":address", Blob{address_bytes(*q.address)});
    }
    if (q.port) {
        st.bind_named(":port", *q.port);
    }
    if (q.category) {
        st.bind_named(":category", *q.category);
    }
    if (q.action) {
        st.bind_named(":action", *q.action);
    }
}

struct Key {
    std::int64_t time_ns;
    std::int64_t id;
    friend bool operator==(const Key&, const Key&) = default;
};

// Newest first: the order of every page.
bool newer(const Key& a, const Key& b) {
    return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.id > b.id;
}

core::Status collect_keys(Connection& conn, const EventQuery& q, TenantId member,
                          const std::optional<CursorKey>& cursor, std::size_t want,
                          std::vector<Key>& keys) {
    for (const Driver driver : drivers_for(q)) {
        auto st = conn.prepare(event_keys_sql(q, driver, cursor.has_value()));
        if (!st) {
            return core::fail(std::move(st.error()));
        }
        bind_event_query(*st, q);
        st->bind_named(":member", member).bind_named(":limit", want);
        if (cursor) {
            st->bind_named(":cursor_time", cursor->time_ns).bind_named(":cursor_id", cursor->id);
        }
        auto got = collect<Key>(*st, [](const Stmt& s) { return Key{s.i64(0), s.i64(1)}; });
        if (!got) {
            return core::fail(std::move(got.error()));
        }
        keys.insert(keys.end(), got->begin(), got->end());
    }
    return {};
}

core::Result<EventRecord> read_event(Connection& conn, std::int64_t id) {
    auto st = conn.prepare("SELECT member, collector, body FROM events WHERE id = ?");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(id);
    auto row = st->step();
    if (!row) {
        return core::fail(std::move(row.error()));
    }
    if (!*row) {
        // Its key was read in the same snapshot: an index that disagrees with its table.
        return core::fail(core::Error::corrupt("event " + std::to_string(id) +
                                               " is in an index but not in the table"));
    }
    EventRecord rec;
    rec.id = id;
    rec.member = st->i64(0);
    rec.collector_id = st->text(1);
    const std::string_view body = st->blob(2);
    std::size_t used = 0;
    auto event = core::decode_event(
        std::span(reinterpret_cast<const std::byte*>(body.data()), body.size()), &used);
    if (!event || used != body.size()) {
        return core::fail(core::Error::corrupt("event " + std::to_string(id) +
                                               ": stored record does not decode"));
    }
    rec.event = std::move(*event);
    return rec;
}

// The counts of a summary, gathered row by row.
class SummaryCounts {
public:
    SummaryCounts(std::int64_t from_ns, std::int64_t bucket_ns) : from_(from_ns), width_(bucket_ns) {}

    void add(const Stmt& row) {
        ++events_;
        const auto action = static_cast<core::Action>(row.i64(1));
        denied_ += action == core::Action::kDeny || action == core::Action::kDrop ||
                   action == core::Action::kReject;
        ++buckets_[(row.i64(0) - from_) / width_];
        if (!row.is_null(2)) {
            ++sources_[std::string(row.blob(2))];
        }
        if (!row.is_null(3)) {
            ++ports_[static_cast<std::uint16_t>(row.i64(3))];
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
            s.top_sources.emplace_back(address_from_bytes(src), n);
        }
        s.top_ports = top(ports_, top_n);
        return s;
    }

private:
    // Most first; ties by key, so that equal counts come out in a stable order.
    template <typename K>
    static std::vector<std::pair<K, std::uint64_t>> top(
        const std::unordered_map<K, std::uint64_t>& counts, std::size_t n) {
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
    std::unordered_map<std::string, std::uint64_t> sources_;
    std::unordered_map<std::uint16_t, std::uint64_t> ports_;
};

std::size_t page_limit(std::size_t limit) { return std::clamp<std::size_t>(limit, 1, kMaxPageSize); }

}  // namespace

core::Status SqliteStore::append_events(std::string_view collector_id,
                                        std::span<const core::Event> events,
                                        std::uint64_t through_seq, std::int64_t now_ns) {
    // Encode before taking the writer: the lock is held only for SQLite's own work.
    std::string bodies;
    std::vector<std::size_t> offsets;
    offsets.reserve(events.size() + 1);
    for (const core::Event& e : events) {
        offsets.push_back(bodies.size());
        core::encode_event(e, bodies);
    }
    offsets.push_back(bodies.size());

    auto conn = pool_->writer();
    auto tx = Transaction::begin(*conn);
    if (!tx) {
        return core::fail(std::move(tx.error()));
    }
    auto collector = collector_on(*conn, collector_id);
    if (!collector) {
        return core::fail(std::move(collector.error()));
    }
    if (collector->revoked_ns != 0) {
        return core::fail(core::Error(core::ErrorCode::kPermissionDenied,
                                      "collector '" + collector->id + "' is revoked"));
    }
    if (auto st = insert_events(*conn, events, collector->member, collector->id, bodies, offsets);
        !st) {
        return st;
    }
    // The high-water mark never moves back: a late, smaller batch must not reopen the range
    // ingest already deduplicated.
    auto up = conn->prepare(
        "UPDATE collectors SET high_water = max(high_water, ?), last_seen_ns = ?, "
        "events_total = events_total + ? WHERE id = ?");
    if (!up) {
        return core::fail(std::move(up.error()));
    }
    if (auto st = up->bind_all(through_seq, now_ns, events.size(), collector->id).run(); !st) {
        return st;
    }
    return tx->commit();
}

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
    // Keys and bodies are read by separate statements: one snapshot keeps them in step.
    auto snapshot = Snapshot::begin(**conn);
    if (!snapshot) {
        return core::fail(std::move(snapshot.error()));
    }
    auto members = scope_members(**conn, scope, query.member);
    if (!members) {
        return core::fail(std::move(members.error()));
    }
    std::vector<Key> keys;
    if (query.from_ns < query.to_ns) {
        for (const TenantId member : *members) {
            if (auto st = collect_keys(**conn, query, member, cursor, limit + 1, keys); !st) {
                return core::fail(std::move(st.error()));
            }
        }
    }
    std::sort(keys.begin(), keys.end(), newer);
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());  // src == dst == address
    Page<EventRecord> page;
    if (keys.size() > limit) {
        keys.resize(limit);
        page.next_cursor = encode_cursor(fingerprint, CursorKey{keys.back().time_ns, keys.back().id, {}});
    }
    page.items.reserve(keys.size());
    for (const Key& key : keys) {
        auto rec = read_event(**conn, key.id);
        if (!rec) {
            return core::fail(std::move(rec.error()));
        }
        page.items.push_back(std::move(*rec));
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
    auto members = scope_members(**conn, scope, query.member);
    if (!members) {
        return core::fail(std::move(members.error()));
    }
    EventSummary summary;
    if (members->empty() || query.from_ns >= query.to_ns) {
        return summary;
    }
    // One pass over the range, aggregated here: the rows need table lookups (action,
    // addresses and ports are not in the member/time index), and three GROUP BY queries
    // would pay for those lookups three times.
    auto st = (*conn)->prepare("SELECT time_ns, action, src, dst_port FROM events " +
                               event_summary_where(query, false));
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    bind_event_query(*st, query);
    st->bind_named(":scope", json_id_list(*members));
    SummaryCounts counts(query.from_ns, bucket_ns);
    if (auto done = each_row(*st, [&](const Stmt& s) { counts.add(s); }); !done) {
        return core::fail(std::move(done.error()));
    }
    summary = counts.finish(top_n);
    return summary;
}

}  // namespace cyberalarm::store::sqlite
