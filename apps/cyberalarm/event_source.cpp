#include "event_source.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "parse/line_reader.h"

namespace cyberalarm::app {

void add_source_options(CLI::App& cmd, SourceOptions& opt) {
    cmd.add_option("files", opt.files, "Input files; '-' or none for stdin");
    cmd.add_option("--format", opt.format, "Log format, or 'auto' to detect per line")
        ->capture_default_str();
    cmd.add_option("--tz", opt.tz, "Time zone for stamps without one: UTC, +hh:mm or an IANA name")
        ->capture_default_str();
    cmd.add_option("--observer", opt.observer, "Observer name, overriding the syslog host name");
    cmd.add_option("--max-line", opt.max_line, "Longest line kept, in bytes; longer ones are cut")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{256}, std::size_t{16} << 20));
}

namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void add_totals(parse::ParseStats& total, const parse::ParseStats& s) {
    total.lines += s.lines;
    total.events += s.events;
    total.ignored += s.ignored;
    total.errors += s.errors;
    total.truncated += s.truncated;
    total.unrecognised += s.unrecognised;
    for (const auto& [name, c] : s.by_format) {
        auto& t = total.by_format[name];
        t.events += c.events;
        t.ignored += c.ignored;
        t.errors += c.errors;
    }
}

}  // namespace

int read_events(const SourceOptions& opt, const std::function<void(core::Event&)>& on_event,
                SourceTotals& totals) {
    const parse::Format* forced = nullptr;
    if (opt.format != "auto") {
        forced = parse::find_format(opt.format);
        if (forced == nullptr) {
            std::string names;
            for (const auto& f : parse::all_formats()) {
                names += names.empty() ? "" : ", ";
                names += f.name;
            }
            fmt::print(stderr, "cyberalarm: unknown --format '{}' (known: auto, {})\n", opt.format,
                       names);
            return 2;
        }
    }
    auto tz = core::TimeZone::parse(opt.tz);
    if (!tz) {
        fmt::print(stderr, "cyberalarm: --tz: {}\n", tz.error().message());
        return 2;
    }
    std::vector<std::string> files = opt.files;
    if (files.empty()) {
        files.emplace_back("-");
    }
    auto started = std::chrono::steady_clock::now();
    core::Event event;
    std::uint64_t shown = 0;
    for (const auto& path : files) {
        int fd = STDIN_FILENO;
        parse::ParseContext ctx;
        ctx.tz = *tz;
        ctx.observer = opt.observer;
        ctx.reference_ns = now_ns();
        if (path != "-") {
            fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                fmt::print(stderr, "cyberalarm: cannot open '{}': {}\n", path,
                           std::strerror(errno));
                return 2;
            }
            struct stat st {};
            if (::fstat(fd, &st) == 0) {
                // Year-less stamps are read relative to when the file was last written.
                ctx.reference_ns =
                    static_cast<std::int64_t>(st.st_mtim.tv_sec) * core::kNanosPerSecond +
                    st.st_mtim.tv_nsec;
            }
        }
        parse::LineParser parser(ctx, forced, opt.max_line);
        parse::LineReader reader(fd, opt.max_line);
        std::string_view line;
        bool truncated = false;
        int rc = 0;
        while (true) {
            auto more = reader.next(&line, &truncated);
            if (!more) {
                fmt::print(stderr, "cyberalarm: {}: {}\n", path, more.error().to_string());
                rc = 2;
                break;
            }
            if (!*more) {
                break;
            }
            if (line.empty()) {
                continue;
            }
            auto r = parser.parse(line, event);
            if (r && *r == parse::Disposition::kEvent) {
                on_event(event);
            } else if (!r && shown < opt.max_errors_shown) {
                ++shown;
                fmt::print(stderr, "{}:{}: {}\n", path == "-" ? "<stdin>" : path,
                           reader.line_number(), r.error().to_string());
            }
        }
        if (fd != STDIN_FILENO) {
            ::close(fd);
        }
        add_totals(totals.stats, parser.stats());
        if (rc != 0) {
            return rc;
        }
    }
    totals.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto& s = totals.stats;
    if (s.errors > shown) {
        fmt::print(stderr, "... and {} more unparseable lines\n", s.errors - shown);
    }
    if (s.errors > 0) {
        fmt::print(stderr, "cyberalarm: {} of {} lines unparseable\n", s.errors, s.lines);
    }
    return 0;
}

void print_stats(const SourceTotals& totals) {
    const auto& s = totals.stats;
    fmt::print(stderr, "{:<18} {:>10} {:>10} {:>10}\n", "format", "events", "ignored", "errors");
    for (const auto& [name, c] : s.by_format) {
        fmt::print(stderr, "{:<18} {:>10} {:>10} {:>10}\n", name, c.events, c.ignored, c.errors);
    }
    fmt::print(stderr, "{:<18} {:>10}\n", "unrecognised", s.unrecognised);
    fmt::print(stderr, "{:<18} {:>10}\n", "truncated", s.truncated);
    fmt::print(stderr,
               "lines={} events={} ignored={} errors={} seconds={:.3f} lines_per_s={:.0f}\n",
               s.lines, s.events, s.ignored, s.errors, totals.seconds,
               totals.seconds > 0 ? static_cast<double>(s.lines) / totals.seconds : 0.0);
}

}  // namespace cyberalarm::app
