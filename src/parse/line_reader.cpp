#include "parse/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cyberalarm::parse {

LineReader::LineReader(int fd, std::size_t max_line_bytes, std::size_t buffer_bytes)
    : fd_(fd), max_line_(max_line_bytes), buf_(std::max(buffer_bytes, max_line_bytes + 1)) {}

core::Result<bool> LineReader::fill() {
    if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    while (end_ < buf_.size()) {
        ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return core::fail(core::Error::io(std::string("read failed: ") + std::strerror(errno)));
        }
        if (n == 0) {
            eof_ = true;
            break;
        }
        end_ += static_cast<std::size_t>(n);
        break;
    }
    return true;
}

core::Result<bool> LineReader::next(std::string_view* line, bool* truncated) {
    *truncated = false;
    while (true) {
        const char* start = buf_.data() + begin_;
        std::size_t avail = end_ - begin_;
        const void* nl = std::memchr(start, '\n', avail);
        if (nl != nullptr) {
            auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
            begin_ += len + 1;
            if (skipping_) {
                skipping_ = false;
                continue;
            }
            ++line_number_;
            if (len > 0 && start[len - 1] == '\r') {
                --len;
            }
            if (len > max_line_) {
                len = max_line_;
                *truncated = true;
            }
            *line = std::string_view(start, len);
            return true;
        }
        if (avail > max_line_ && !skipping_) {
            // Over-long line: hand out its first max_line bytes, skip the rest.
            ++line_number_;
            *line = std::string_view(start, max_line_);
            *truncated = true;
            skipping_ = true;
            begin_ = end_;  // the returned view stays valid: fill() only moves data on next call
            return true;
        }
        if (skipping_) {
            begin_ = end_;
        }
        if (eof_) {
            if (avail == 0 || skipping_) {
                return false;
            }
            ++line_number_;
            begin_ = end_;
            std::size_t len = avail;
            if (start[len - 1] == '\r') {
                --len;
            }
            *line = std::string_view(start, len);
            return true;
        }
        auto r = fill();
        if (!r) {
            return core::fail(r.error());
        }
    }
}

}  // namespace cyberalarm::parse
