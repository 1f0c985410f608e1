// `cyberalarm parse`: log lines in, ECS JSON lines out.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "commands.h"
#include "core/ecs_json.h"
#include "parse/line_parser.h"
#include "parse/line_reader.h"

namespace cyberalarm::app {

namespace {

struct ParseOptions {
    std::string format = "auto";
    std::string tz = "UTC";
    std::string observer;
    std::vector<std::string> files;
    bool strict = false;
    bool stats = false;
    std::size_t max_line = parse::LineParser::kDefaultMaxLine;
    std::size_t max_errors_shown = 20;
};

// Buffered writer to a file descriptor; flushes in large blocks.
class Output {
public:
    explicit Output(int fd) : fd_(fd) { buf_.reserve(kFlushAt + 4096); }
    ~Output() { flush(); }
    std::string& buffer() { return buf_; }
    void maybe_flush() {
        if (buf_.size() >= kFlushAt) {
            flush();
        }
    }
    void flush() {
        std::size_t off = 0;
        while (off < buf_.size()) {
            ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                break;  // EPIPE and friends: the reader went away
            }
            off += static_cast<std::size_t>(n);
        }
        buf_.clear();
    }

private:
    static constexpr std::size_t kFlushAt = 1 << 20;
    int fd_;
    std::string buf_;
};

int run_parse(const ParseOptions& opt) {
    const parse::Format* forced = nullptr;
    if (opt.format != "auto") {
        forced = parse::find_format(opt.format);
        if (forced == nullptr) {
            std::string names;
            for (const auto& f : parse::all_formats()) {
                names += names.empty() ? "" : ", ";
                names += f.name;
            }
            fmt::print(stderr, "cyberalarm parse: unknown --format '{}' (known: auto, {})\n",
                       opt.format, names);
            return 2;
        }
    }
    auto tz = core::TimeZone::parse(opt.tz);
    if (!tz) {
        fmt::print(stderr, "cyberalarm parse: --tz: {}\n", tz.error().message());
        return 2;
    }

    std::vector<std::string> files = opt.files;
    if (files.empty()) {
        files.emplace_back("-");
    }
    Output out(STDOUT_FILENO);
    core::EcsWriter writer;
    core::Event event;
    std::uint64_t errors = 0;
    std::uint64_t shown = 0;
    parse::ParseStats total;
    auto started = std::chrono::steady_clock::now();

    for (const auto& path : files) {
        int fd = STDIN_FILENO;
        std::int64_t reference_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
        if (path != "-") {
            fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                fmt::print(stderr, "cyberalarm parse: cannot open '{}': {}\n", path,
                           std::strerror(errno));
                return 2;
            }
            struct stat st {};
            if (::fstat(fd, &st) == 0) {
                // Year-less stamps are read relative to when the file was last written.
                reference_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * core::kNanosPerSecond +
                               st.st_mtim.tv_nsec;
            }
        }
        parse::ParseContext ctx;
        ctx.tz = *tz;
        ctx.reference_ns = reference_ns;
        ctx.observer = opt.observer;
        parse::LineParser parser(ctx, forced, opt.max_line);
        parse::LineReader reader(fd, opt.max_line);
        std::string_view line;
        bool truncated = false;
        while (true) {
            auto more = reader.next(&line, &truncated);
            if (!more) {
                fmt::print(stderr, "cyberalarm parse: {}: {}\n", path, more.error().to_string());
                if (fd != STDIN_FILENO) {
                    ::close(fd);
                }
                return 2;
            }
            if (!*more) {
                break;
            }
            if (line.empty()) {
                continue;
            }
            auto r = parser.parse(line, event);
            if (r && *r == parse::Disposition::kEvent) {
                writer.append(event, out.buffer());
                out.buffer().push_back('\n');
                out.maybe_flush();
            } else if (!r) {
                ++errors;
                if (shown < opt.max_errors_shown) {
                    ++shown;
                    fmt::print(stderr, "{}:{}: {}\n", path == "-" ? "<stdin>" : path,
                               reader.line_number(), r.error().to_string());
                }
            }
        }
        if (fd != STDIN_FILENO) {
            ::close(fd);
        }
        const auto& s = parser.stats();
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
    out.flush();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (errors > shown) {
        fmt::print(stderr, "... and {} more unparseable lines\n", errors - shown);
    }
    if (errors > 0) {
        fmt::print(stderr, "cyberalarm parse: {} of {} lines unparseable\n", errors, total.lines);
    }
    if (opt.stats) {
        fmt::print(stderr, "{:<18} {:>10} {:>10} {:>10}\n", "format", "events", "ignored", "errors");
        for (const auto& [name, c] : total.by_format) {
            fmt::print(stderr, "{:<18} {:>10} {:>10} {:>10}\n", name, c.events, c.ignored, c.errors);
        }
        fmt::print(stderr, "{:<18} {:>10}\n", "unrecognised", total.unrecognised);
        fmt::print(stderr, "{:<18} {:>10}\n", "truncated", total.truncated);
        fmt::print(stderr, "lines={} events={} ignored={} errors={} seconds={:.3f} lines_per_s={:.0f}\n",
                   total.lines, total.events, total.ignored, total.errors, secs,
                   secs > 0 ? static_cast<double>(total.lines) / secs : 0.0);
    }
    return (opt.strict && errors > 0) ? 1 : 0;
}

}  // namespace

Command add_parse_command(CLI::App& app) {
    auto opt = std::make_shared<ParseOptions>();
    auto* cmd = app.add_subcommand("parse", "Print one ECS JSON object per log line that is an event");
    cmd->add_option("files", opt->files, "Input files; '-' or none for stdin");
    cmd->add_option("--format", opt->format, "Log format, or 'auto' to detect per line")
        ->capture_default_str();
    cmd->add_option("--tz", opt->tz,
                    "Time zone for stamps without one: UTC, +hh:mm or an IANA name")
        ->capture_default_str();
    cmd->add_option("--observer", opt->observer, "Observer name, overriding the syslog host name");
    cmd->add_option("--max-line", opt->max_line, "Longest line kept, in bytes; longer ones are cut")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{256}, std::size_t{16} << 20));
    cmd->add_flag("--strict", opt->strict, "Exit 1 if any line could not be parsed");
    cmd->add_flag("--stats", opt->stats, "Print per-format counts, errors and lines/s on stderr");
    return [opt] { return run_parse(*opt); };
}

}  // namespace cyberalarm::app
