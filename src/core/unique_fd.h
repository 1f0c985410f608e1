// UniqueFd: the one owner of a POSIX file descriptor (files, sockets), closed when it dies.
//
// Thread safety: a move-only value; not shared.
#pragma once

#include <unistd.h>

#include <utility>

namespace cyberalarm::core {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    [[nodiscard]] int get() const { return fd_; }
    [[nodiscard]] bool valid() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    // Closes the descriptor held (if any) and takes `fd`.
    void reset(int fd = -1) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }
    // Closes now and reports close()'s result (it can carry a delayed write error).
    int close() { return valid() ? ::close(release()) : 0; }

private:
    int fd_ = -1;
};

}  // namespace cyberalarm::core
