// `cyberalarm parse`: log lines in, ECS JSON lines out.
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "commands.h"
#include "core/ecs_json.h"
#include "event_source.h"

namespace cyberalarm::app {

namespace {

// Buffered writer to a file descriptor; flushes in large blocks.
class Output {
public:
    explicit Output(int fd) : fd_(fd) { buf_.reserve(kFlushAt + 4096); }
    ~Output() { flush(); }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;
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

struct ParseOptions {
    SourceOptions source;
    bool strict = false;
    bool stats = false;
};

int run_parse(const ParseOptions& opt) {
    Output out(STDOUT_FILENO);
    core::EcsWriter writer;
    SourceTotals totals;
    int rc = read_events(
        opt.source,
        [&](core::Event& e) {
            writer.append(e, out.buffer());
            out.buffer().push_back('\n');
            out.maybe_flush();
        },
        totals);
    out.flush();
    if (rc != 0) {
        return rc;
    }
    if (opt.stats) {
        print_stats(totals);
    }
    return (opt.strict && totals.stats.errors > 0) ? 1 : 0;
}

}  // namespace

Command add_parse_command(CLI::App& app) {
    auto opt = std::make_shared<ParseOptions>();
    auto* cmd =
        app.add_subcommand("parse", "Print one ECS JSON object per log line that is an event");
    add_source_options(*cmd, opt->source);
    cmd->add_flag("--strict", opt->strict, "Exit 1 if any line could not be parsed");
    cmd->add_flag("--stats", opt->stats, "Print per-format counts, errors and lines/s on stderr");
    return [opt] { return run_parse(*opt); };
}

}  // namespace cyberalarm::app
