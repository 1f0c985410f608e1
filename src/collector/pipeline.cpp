#include "collector/pipeline.h"

#include <chrono>
#include <cstdio>
#include <span>

#include "core/event_codec.h"

namespace cyberalarm::collector {

namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

constexpr std::int64_t kMinuteNs = 60 * core::kNanosPerSecond;
constexpr std::uint32_t kErrorsLoggedPerMinute = 10;

}  // namespace

Pipeline::Pipeline(const std::vector<SourceSettings>& sources,
                   const std::array<std::uint8_t, 32>& hash_key, const privacy::Policy& policy,
                   spool::Spool& spool)
    : policy_(policy), spool_(spool) {
    sources_.reserve(sources.size());
    for (const auto& s : sources) {
        parse::ParseContext ctx;
        ctx.tz = s.tz;
        ctx.reference_ns = now_ns();
        ctx.hash_key = hash_key;
        ctx.observer = s.observer;
        sources_.push_back(
            std::make_unique<Source>(parse::LineParser(std::move(ctx), s.format, s.max_line)));
    }
}

void Pipeline::log_error(Source& s, std::size_t input, const std::string& what) {
    s.counters.last_error = what;
    std::int64_t minute = s.last_clock_ns / kMinuteNs;
    if (minute != s.log_minute) {
        s.log_minute = minute;
        s.errors_logged_this_minute = 0;
    }
    if (s.errors_logged_this_minute++ < kErrorsLoggedPerMinute) {
        // The error names the reason, field and byte offset; never the line's content.
        std::fprintf(stderr, "cyberalarm-collector: input %zu: %s\n", input, what.c_str());
    }
}

void Pipeline::on_line(std::size_t input, std::string_view line, const core::IpAddress& /*peer*/) {
    if (input >= sources_.size()) {
        return;
    }
    Source& s = *sources_[input];
    std::lock_guard lock(s.mu);
    ++s.counters.lines;
    // Year-less stamps are read against "now"; refreshed at most once a second.
    std::int64_t now = now_ns();
    if (now - s.last_clock_ns > core::kNanosPerSecond) {
        s.last_clock_ns = now;
        s.parser.set_reference_ns(now);
    }
    std::uint64_t truncated_before = s.parser.stats().truncated;
    s.event = core::Event{};
    auto r = s.parser.parse(line, s.event);
    if (s.parser.stats().truncated != truncated_before) {
        ++s.counters.truncated;
    }
    if (!r) {
        ++s.counters.errors;
        log_error(s, input, "line " + std::to_string(s.counters.lines) + ": " +
                                r.error().to_string());
        return;
    }
    if (*r == parse::Disposition::kIgnored) {
        ++s.counters.ignored;
        return;
    }
    ++s.counters.events;
    if (policy_.apply(s.event, s.counters.policy) != privacy::Verdict::kKeep) {
        return;  // counted in counters.policy
    }
    if (s.used == s.batch.size()) {
        s.batch.emplace_back();
    }
    std::string& encoded = s.batch[s.used++];
    encoded.clear();
    core::encode_event(s.event, encoded);
    if (s.used == kBatch) {
        flush_locked(s, input);
    }
}

void Pipeline::flush(std::size_t input) {
    if (input >= sources_.size()) {
        return;
    }
    Source& s = *sources_[input];
    std::lock_guard lock(s.mu);
    flush_locked(s, input);
}

void Pipeline::flush_locked(Source& s, std::size_t input) {
    if (s.used == 0) {
        return;
    }
    std::size_t n = s.used;
    s.used = 0;
    auto appended = spool_.append_many(std::span<const std::string>(s.batch.data(), n));
    if (!appended) {
        s.counters.spool_errors += n;
        log_error(s, input, "spool: " + appended.error().to_string());
        return;
    }
    s.counters.spooled += n;
}

SourceCounters Pipeline::counters(std::size_t input) const {
    if (input >= sources_.size()) {
        return {};
    }
    const Source& s = *sources_[input];
    std::lock_guard lock(s.mu);
    SourceCounters c = s.counters;
    return c;
}

}  // namespace cyberalarm::collector
