#include "store/sqlite/internal/event_migration.h"

#include <string>
#include <vector>

#include "core/event_codec.h"

namespace cyberalarm::store::sqlite {

namespace {

struct Run {
    std::int64_t member = 0;
    std::string collector;
    std::vector<core::Event> events;
};

core::Status write_run(Connection& conn, const Run& run) {
    for (const EncodedBlock& b : encode_blocks(run.events)) {
        if (auto st = insert_event_block(conn, run.member, run.collector, b); !st) {
            return st;
        }
    }
    return {};
}

}  // namespace

core::Status insert_event_block(Connection& conn, std::int64_t member, std::string_view collector,
                                const EncodedBlock& block) {
    auto ins = conn.prepare(
        "INSERT INTO event_blocks (member, collector, min_time_ns, max_time_ns, first, count, "
        "filter, body) VALUES (?, ?, ?, ?, 0, ?, ?, ?)");
    if (!ins) {
        return core::fail(std::move(ins.error()));
    }
    ins->bind_all(member, collector, block.min_time_ns, block.max_time_ns, block.count);
    ins->bind_static(6, Blob{block.filter}).bind_static(7, Blob{block.body});
    return ins->run();
}

core::Status move_events_into_blocks(Connection& conn) {
    auto st = conn.prepare("SELECT id, member, collector, body FROM events ORDER BY id");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    Run run;
    for (;;) {
        auto row = st->step();
        if (!row) {
            return core::fail(std::move(row.error()));
        }
        const bool same = *row && !run.events.empty() && st->i64(1) == run.member &&
                          st->blob(2) == run.collector && run.events.size() < kBlockEvents;
        if (!run.events.empty() && !same) {
            if (auto w = write_run(conn, run); !w) {
                return w;
            }
            run.events.clear();
        }
        if (!*row) {
            break;
        }
        if (run.events.empty()) {
            run.member = st->i64(1);
            run.collector = st->text(2);
        }
        const std::string_view body = st->blob(3);
        std::size_t used = 0;
        auto event = core::decode_event(
            std::span(reinterpret_cast<const std::byte*>(body.data()), body.size()), &used);
        if (!event || used != body.size()) {
            return core::fail(core::Error::corrupt("event " + std::to_string(st->i64(0)) +
                                                   ": stored record does not decode"));
        }
        run.events.push_back(std::move(*event));
    }
    return conn.exec("DROP TABLE events; DELETE FROM sqlite_sequence WHERE name = 'events'");
}

}  // namespace cyberalarm::store::sqlite
