// LineParser: turns the lines of one source into Events, with format detection, a maximum
// line length, and counters. This is where a source's settings (format, time zone,
// observer) meet the pure format parsers.
//
// Auto mode: lines are keyed by their source (syslog host name and tag, or the first byte of
// a header-less line). The format that last parsed a line of that source is tried first
// while its probe claims the new line at least as confidently as when it won detection (a
// generic format such as iptables never scores high, so a fixed bar would make every line
// of a generic source run every probe); otherwise every probe runs and the most confident
// format wins. Keying by source keeps this working when several devices share one stream. If that
// parser refuses the line, the next most confident ones are tried before the line is reported.
//
// Thread safety: one LineParser per source and thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"

namespace cyberalarm::parse {

struct FormatCounts {
    std::uint64_t events = 0;
    std::uint64_t ignored = 0;
    std::uint64_t errors = 0;
};

struct ParseStats {
    std::uint64_t lines = 0;
    std::uint64_t events = 0;
    std::uint64_t ignored = 0;
    std::uint64_t errors = 0;
    std::uint64_t truncated = 0;     // lines cut at max_line_bytes
    std::uint64_t unrecognised = 0;  // errors where no format claimed the line
    std::map<std::string, FormatCounts, std::less<>> by_format;
};

struct Detection {
    const Format* format = nullptr;
    int confidence = 0;  // 0..100
};

// The most confident format for a line (format == nullptr if none claims it).
Detection detect_format(const SyslogMessage& msg);

class LineParser {
public:
    static constexpr std::size_t kDefaultMaxLine = 64 * 1024;

    // forced == nullptr selects auto-detection.
    LineParser(ParseContext ctx, const Format* forced,
               std::size_t max_line_bytes = kDefaultMaxLine);

    // Parses one line (without its newline). On kEvent, `out` holds the event. The Error,
    // if any, names the format that tried, the reason, field and byte offset.
    [[nodiscard]] core::Result<Disposition> parse(std::string_view line, core::Event& out);

    [[nodiscard]] const ParseStats& stats() const { return stats_; }
    [[nodiscard]] const ParseContext& context() const { return ctx_; }
    // Moves "now" for year-less stamps (a long-running daemon calls it as time passes).
    void set_reference_ns(std::int64_t now_ns) { ctx_.reference_ns = now_ns; }

private:
    core::Result<Disposition> run(const Format& f, const SyslogMessage& msg, core::Event& out);
    void count(const Format& f, const core::Result<Disposition>& r);

    ParseContext ctx_;
    const Format* forced_;
    struct SourceHint {
        std::uint64_t key = 0;
        const Format* format = nullptr;
        int confidence = 0;  // the score with which `format` won detection for this source
    };
    static std::uint64_t source_key(const SyslogMessage& msg);
    std::array<SourceHint, 64> hints_{};  // direct-mapped by source key
    std::size_t max_line_;
    ParseStats stats_;
};

}  // namespace cyberalarm::parse
