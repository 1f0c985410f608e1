// Pipeline: what happens to a line between an input and the spool.
//
//   line ─▶ parse (per-input LineParser: format, zone, observer) ─▶ privacy policy (drop
//   internal↔internal and trusted traffic, clear non-allow-listed fields, pseudonymise
//   internal addresses) ─▶ binary event encoding ─▶ spool append
//
// Encoded events wait in a per-input batch (at most kBatch) and go to the spool with one
// write when the input calls flush() — after each chunk it read, before it acknowledges a
// RELP message or saves a file position — so an input never acknowledges something a crash
// of this process could lose, and the spool sees one write per chunk, not per line.
// Nothing but the encoded, policy-checked Event ever reaches the spool: the raw line never
// does.
//
// Thread safety: on_line() may be called from several input threads at once; each input
// has its own parser behind its own lock, and the spool serialises appends.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "collector/config.h"
#include "collector/inputs.h"
#include "core/event.h"
#include "parse/line_parser.h"
#include "privacy/policy.h"
#include "spool/spool.h"

namespace cyberalarm::collector {

struct SourceCounters {
    std::uint64_t lines = 0;
    std::uint64_t events = 0;       // parsed into an event
    std::uint64_t ignored = 0;      // recognised, no security metadata
    std::uint64_t errors = 0;       // unparseable lines
    std::uint64_t truncated = 0;    // lines cut at max_line
    privacy::PolicyStats policy;    // drops, pseudonyms, cleared and scrubbed fields
    std::uint64_t spooled = 0;
    std::uint64_t spool_errors = 0;  // events the spool refused (full with refuse_new, I/O)
    std::string last_error;
};

class Pipeline final : public LineSink {
public:
    Pipeline(const std::vector<SourceSettings>& sources, const std::array<std::uint8_t, 32>& hash_key,
             const privacy::Policy& policy, spool::Spool& spool);

    static constexpr std::size_t kBatch = 512;

    void on_line(std::size_t input, std::string_view line, const core::IpAddress& peer) override;
    void flush(std::size_t input) override;

    // A copy of one input's counters.
    [[nodiscard]] SourceCounters counters(std::size_t input) const;
    [[nodiscard]] std::size_t inputs() const { return sources_.size(); }

private:
    struct Source {
        explicit Source(parse::LineParser p) : parser(std::move(p)) {}
        mutable std::mutex mu;
        parse::LineParser parser;
        core::Event event;
        std::vector<std::string> batch;  // encoded events; the first `used` are pending
        std::size_t used = 0;
        SourceCounters counters;
        std::int64_t last_clock_ns = 0;
        std::uint32_t errors_logged_this_minute = 0;
        std::int64_t log_minute = 0;
    };

    void log_error(Source& s, std::size_t input, const std::string& what);
    void flush_locked(Source& s, std::size_t input);

    std::vector<std::unique_ptr<Source>> sources_;
    std::vector<std::string> names_;
    const privacy::Policy& policy_;
    spool::Spool& spool_;
};

}  // namespace cyberalarm::collector
