// Tailing a file, and reading stdin.
//
// The file input polls: every poll_interval it reads what was appended, then looks at the
// path. Polling (rather than inotify) sees every way a file is rotated the same way and
// needs no watch on directories the collector may not own.
//
// - Rotation by rename (or delete and recreate): the path now names another inode. The
//   old file is read to its end and kept open for rotation_grace, for lines its writer
//   adds before reopening; the new file is read from its start.
// - copytruncate (or any truncation): the file is shorter than the read position, or its
//   first bytes changed. Reading restarts at 0. Lines written between the last read and
//   the truncation are lost: that is in the nature of copytruncate.
// - Restart: the saved position names the file by device, inode and a digest of its first
//   bytes. The same file resumes at the saved offset; a file that was rotated while the
//   collector was stopped is found beside the path by its inode, and its rest is read
//   before the new file.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "collector/inputs_impl.h"
#include "collector/inputs_lines.h"
#include "collector/inputs_tail_state.h"

namespace cyberalarm::collector::detail {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
constexpr int kMaxDirEntries = 10'000;  // when looking for a rotated file by inode

struct TailFile {
    explicit TailFile(std::size_t max_line) : lines(max_line) {}

    UniqueFd fd;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t read_pos = 0;  // the next byte read() returns
    // The file's first bytes (up to kTailHeadBytes) as they were read: if they change, the
    // file was truncated and rewritten, or replaced in place.
    std::string head;
    LineSplitter lines;
    Clock::time_point last_data{};

    // Every line before this byte has been accepted by the sink (or cut and skipped).
    [[nodiscard]] std::uint64_t committed() const { return read_pos - lines.pending(); }
};

std::optional<std::string> read_head(int fd, std::size_t length) {
    std::string head(length, '\0');
    std::size_t got = 0;
    while (got < length) {
        ssize_t n = ::pread(fd, head.data() + got, length - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return std::nullopt;
        }
        got += static_cast<std::size_t>(n);
    }
    return head;
}

bool head_matches(int fd, std::uint32_t length, const std::array<std::uint8_t, 32>& digest) {
    auto head = read_head(fd, length);
    return head && head_digest(*head) == digest;
}

std::uint64_t file_size(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return 0;
    }
    return static_cast<std::uint64_t>(st.st_size);
}

// Opens a regular file for reading at `offset`; sets *err (an errno value) on failure.
std::unique_ptr<TailFile> open_file(const std::filesystem::path& path, std::size_t max_line,
                                    int* err) {
    // O_NONBLOCK: a FIFO put where a log file should be cannot block the open.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
        *err = errno;
        return nullptr;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        *err = errno;
        return nullptr;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = EINVAL;
        return nullptr;
    }
    auto f = std::make_unique<TailFile>(max_line);
    f->fd = std::move(fd);
    f->device = static_cast<std::uint64_t>(st.st_dev);
    f->inode = static_cast<std::uint64_t>(st.st_ino);
    return f;
}

// Positions the file at `offset`; the head is what is there now before it.
bool seek(TailFile& f, std::uint64_t offset) {
    if (::lseek(f.fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0) {
        return false;
    }
    f.read_pos = offset;
    f.lines.reset();
    f.head.clear();
    std::size_t head_length =
        static_cast<std::size_t>(std::min<std::uint64_t>(offset, kTailHeadBytes));
    if (auto head = read_head(f.fd.get(), head_length)) {
        f.head = std::move(*head);
    }
    return true;
}

// Keeps the first kTailHeadBytes of what is read from the file.
void note_head(TailFile& f, std::uint64_t at, std::string_view chunk) {
    if (f.head.size() >= kTailHeadBytes || at != f.head.size()) {
        return;
    }
    f.head.append(chunk.substr(0, kTailHeadBytes - f.head.size()));
}

class TailInput final : public Input {
public:
    explicit TailInput(const InputConfig& config) : Input(config), buffer_(kReadChunk) {}
    ~TailInput() override { stop(); }

    core::Result<void> bind() override {
        std::optional<TailState> state;
        if (!config_.state_dir.empty()) {
            state_file_ = tail_state_file(config_.state_dir, config_.name);
            std::error_code ec;
            std::filesystem::create_directories(state_file_.parent_path(), ec);
            if (ec) {
                return core::fail(core::Error::io("input '" + config_.name + "': cannot create " +
                                                  state_file_.parent_path().string() + ": " +
                                                  ec.message()));
            }
            auto loaded = load_tail_state(state_file_);
            if (!loaded) {
                // Read as a first start: a duplicate is better than a loss.
                stats_.record_error(loaded.error().to_string());
            } else if (*loaded && (*loaded)->path == config_.path.string()) {
                state = **loaded;
                saved_ = state;
            }
        }
        int err = 0;
        cur_ = open_file(config_.path, config_.max_frame, &err);
        if (!cur_ && err != ENOENT) {
            return core::fail(core::Error::io("input '" + config_.name + "': cannot read " +
                                              config_.path.string() + ": " + errno_text(err)));
        }
        if (state) {
            resume(*state);
        } else if (cur_ && config_.from_end) {
            seek(*cur_, file_size(cur_->fd.get()));
        }
        return {};
    }

    core::Result<void> start(LineSink& sink, std::size_t index) override {
        if (thread_.joinable()) {
            return core::fail(core::Error::internal("input '" + config_.name + "' started twice"));
        }
        sink_ = &sink;
        index_ = index;
        thread_ = std::thread([this] { run(); });
        return {};
    }

    void stop() override {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    InputStatsSnapshot stats() const override { return stats_.snapshot(); }

private:
    // At bind(): picks up where the saved state left off.
    void resume(const TailState& state) {
        if (cur_ && cur_->device == state.device && cur_->inode == state.inode) {
            if (file_size(cur_->fd.get()) >= state.offset &&
                head_matches(cur_->fd.get(), state.head_length, state.head_digest)) {
                seek(*cur_, state.offset);
            } else {
                stats_.truncations.fetch_add(1, std::memory_order_relaxed);
            }
            return;
        }
        // The file was rotated while the collector was stopped. Finish the old one first if
        // it is still beside the path; the file now at the path is new and read from 0.
        old_ = find_rotated(state);
        if (old_) {
            old_->last_data = Clock::time_point{};  // its grace is long over
        }
        if (old_ || cur_) {
            stats_.rotations.fetch_add(1, std::memory_order_relaxed);
        }
    }

    std::unique_ptr<TailFile> find_rotated(const TailState& state) {
        std::filesystem::path dir = config_.path.parent_path();
        if (dir.empty()) {
            dir = ".";
        }
        std::error_code ec;
        std::filesystem::directory_iterator it(dir, ec);
        int seen = 0;
        for (; !ec && it != std::filesystem::directory_iterator() && seen < kMaxDirEntries;
             it.increment(ec), ++seen) {
            struct stat st {};
            if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
                static_cast<std::uint64_t>(st.st_dev) != state.device ||
                static_cast<std::uint64_t>(st.st_ino) != state.inode) {
                continue;
            }
            int err = 0;
            auto f = open_file(it->path(), config_.max_frame, &err);
            if (f && f->inode == state.inode && file_size(f->fd.get()) >= state.offset &&
                head_matches(f->fd.get(), state.head_length, state.head_digest) &&
                seek(*f, state.offset)) {
                return f;
            }
            return nullptr;
        }
        return nullptr;
    }

    void run() {
        std::unique_lock lock(mu_);
        while (!stopping_) {
            lock.unlock();
            try {
                poll_once();
            } catch (const std::exception& e) {
                stats_.record_error(std::string("file input failed: ") + e.what());
            }
            lock.lock();
            cv_.wait_for(lock, config_.poll_interval, [this] { return stopping_.load(); });
        }
        lock.unlock();
        save(true);
    }

    void poll_once() {
        if (old_) {
            read_all(*old_);
            if (Clock::now() - old_->last_data >= config_.rotation_grace) {
                finish_old();
            }
        }
        if (!cur_) {
            int err = 0;
            cur_ = open_file(config_.path, config_.max_frame, &err);  // a new file: from 0
            if (!cur_ && err != ENOENT) {
                note_once("cannot read " + config_.path.string() + ": " + errno_text(err));
            }
        } else {
            struct stat st {};
            if (::stat(config_.path.c_str(), &st) == 0 &&
                (static_cast<std::uint64_t>(st.st_dev) != cur_->device ||
                 static_cast<std::uint64_t>(st.st_ino) != cur_->inode)) {
                rotate();
            } else {
                check_truncation(*cur_);
            }
            // A path that is gone (renamed away, not yet recreated) keeps the open file.
        }
        if (cur_) {
            read_all(*cur_);
        }
        save(false);
    }

    void rotate() {
        read_all(*cur_);
        if (old_) {
            finish_old();  // rotated twice within the grace: the older one is done
        }
        old_ = std::move(cur_);
        old_->last_data = Clock::now();
        stats_.rotations.fetch_add(1, std::memory_order_relaxed);
        int err = 0;
        cur_ = open_file(config_.path, config_.max_frame, &err);
    }

    void finish_old() {
        read_all(*old_);
        if (auto rest = old_->lines.take_rest()) {
            deliver(*rest);
        }
        sink_->flush(index_);
        stats_.oversize.fetch_add(old_->lines.take_oversize(), std::memory_order_relaxed);
        old_.reset();
    }

    void check_truncation(TailFile& f) {
        bool truncated = file_size(f.fd.get()) < f.read_pos;
        if (!truncated && !f.head.empty()) {
            truncated = read_head(f.fd.get(), f.head.size()) != f.head;
        }
        if (truncated) {
            stats_.truncations.fetch_add(1, std::memory_order_relaxed);
            seek(f, 0);
        }
    }

    void read_all(TailFile& f) {
        while (!stopping_) {
            ssize_t n = ::read(f.fd.get(), buffer_.data(), buffer_.size());
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno != EAGAIN) {
                    note_once("reading " + config_.path.string() + ": " + errno_text(errno));
                }
                break;
            }
            if (n == 0) {
                break;
            }
            std::string_view chunk(buffer_.data(), static_cast<std::size_t>(n));
            note_head(f, f.read_pos, chunk);
            f.read_pos += chunk.size();
            f.last_data = Clock::now();
            f.lines.feed(chunk, [this](std::string_view line) { deliver(line); });
            sink_->flush(index_);  // accepted before the position moves past them
            stats_.oversize.fetch_add(f.lines.take_oversize(), std::memory_order_relaxed);
            if (&f == cur_.get()) {
                save(false);  // a long catch-up keeps its place as it goes
            }
        }
    }

    void deliver(std::string_view line) {
        sink_->on_line(index_, line, core::IpAddress{});
        stats_.frames.fetch_add(1, std::memory_order_relaxed);
        stats_.bytes.fetch_add(line.size(), std::memory_order_relaxed);
    }

    // Saves the position of the current file: at most every state_interval unless forced,
    // and only when it changed. Called only after the lines before it were accepted.
    void save(bool force) {
        if (state_file_.empty() || !cur_) {
            return;
        }
        TailState s{config_.path.string(),
                    cur_->device,
                    cur_->inode,
                    cur_->committed(),
                    static_cast<std::uint32_t>(cur_->head.size()),
                    head_digest(cur_->head)};
        if (saved_ && *saved_ == s) {
            return;
        }
        auto now = Clock::now();
        if (!force && now - last_save_ < config_.state_interval) {
            return;
        }
        last_save_ = now;
        if (auto ok = save_tail_state(state_file_, s); !ok) {
            note_once(ok.error().to_string());
            return;
        }
        saved_ = s;
    }

    // Counts an error, but remembers a repeating one only once (no error per poll).
    void note_once(std::string message) {
        if (message == last_note_) {
            return;
        }
        last_note_ = message;
        stats_.record_error(std::move(message));
    }

    InputStats stats_;
    std::filesystem::path state_file_;
    std::unique_ptr<TailFile> cur_;
    std::unique_ptr<TailFile> old_;  // rotated away, read until its grace ends
    std::vector<char> buffer_;
    std::optional<TailState> saved_;
    Clock::time_point last_save_{};
    std::string last_note_;
    LineSink* sink_ = nullptr;
    std::size_t index_ = 0;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::atomic<bool> stopping_{false};
};

// Lines from file descriptor 0 until end of input.
class StdinInput final : public Input {
public:
    explicit StdinInput(const InputConfig& config) : Input(config) {}
    ~StdinInput() override { stop(); }

    core::Result<void> bind() override {
        if (::fcntl(0, F_GETFD) < 0) {
            return core::fail(
                core::Error::io("input '" + config_.name + "': standard input is closed"));
        }
        return {};
    }

    core::Result<void> start(LineSink& sink, std::size_t index) override {
        if (thread_.joinable()) {
            return core::fail(core::Error::internal("input '" + config_.name + "' started twice"));
        }
        sink_ = &sink;
        index_ = index;
        thread_ = std::thread([this] { run(); });
        return {};
    }

    void stop() override {
        stopping_ = true;
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    InputStatsSnapshot stats() const override { return stats_.snapshot(); }
    bool finished() const override { return finished_; }

private:
    void run() {
        try {
            read_until_end();
        } catch (const std::exception& e) {
            stats_.record_error(std::string("stdin input failed: ") + e.what());
        }
    }

    void read_until_end() {
        LineSplitter lines(config_.max_frame);
        std::vector<char> buffer(kReadChunk);
        auto deliver = [this](std::string_view line) {
            sink_->on_line(index_, line, core::IpAddress{});
            stats_.frames.fetch_add(1, std::memory_order_relaxed);
            stats_.bytes.fetch_add(line.size(), std::memory_order_relaxed);
        };
        while (!stopping_) {
            // Poll so that stop() is noticed while stdin is quiet.
            pollfd p{0, POLLIN, 0};
            int ready = ::poll(&p, 1, 100);
            if (ready < 0 && errno != EINTR) {
                stats_.record_error("stdin: " + errno_text(errno));
                break;
            }
            if (ready <= 0) {
                continue;
            }
            ssize_t n = ::read(0, buffer.data(), buffer.size());
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) {
                    continue;
                }
                stats_.record_error("stdin: " + errno_text(errno));
                break;
            }
            if (n == 0) {
                if (auto rest = lines.take_rest()) {
                    deliver(*rest);
                }
                sink_->flush(index_);
                stats_.oversize.fetch_add(lines.take_oversize(), std::memory_order_relaxed);
                finished_ = true;
                return;
            }
            lines.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), deliver);
            sink_->flush(index_);
            stats_.oversize.fetch_add(lines.take_oversize(), std::memory_order_relaxed);
        }
        if (!stopping_) {
            finished_ = true;  // a read error: nothing more will come
        }
    }

    InputStats stats_;
    LineSink* sink_ = nullptr;
    std::size_t index_ = 0;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> finished_{false};
};

}  // namespace

std::unique_ptr<Input> make_tail_input(const InputConfig& config) {
    return std::make_unique<TailInput>(config);
}

std::unique_ptr<Input> make_stdin_input(const InputConfig& config) {
    return std::make_unique<StdinInput>(config);
}

}  // namespace cyberalarm::collector::detail
