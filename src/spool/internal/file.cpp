#include "spool/internal/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace cyberalarm::spool::internal {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::array<std::uint8_t, 8> kCursorMagic = {'C', 'A', 'S', 'P', 'A', 'C', 'K', 1};

core::ErrorCode code_for(int err) {
    switch (err) {
        case ENOSPC:
        case EDQUOT:
            return core::ErrorCode::kResourceExhausted;
        case EACCES:
        case EPERM:
        case EROFS:
            return core::ErrorCode::kPermissionDenied;
        case ENOENT:
            return core::ErrorCode::kNotFound;
        default:
            return core::ErrorCode::kIo;
    }
}

}  // namespace

core::Error os_error(std::string_view what, const std::filesystem::path& path, int err) {
    std::string msg(what);
    msg += ' ';
    msg += path.string();
    msg += ": ";
    msg += std::strerror(err);
    return core::Error(code_for(err), std::move(msg));
}

core::Result<Fd> open_file(const std::filesystem::path& path, int flags, unsigned mode) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) {
        return core::fail(os_error("cannot open", path, errno));
    }
    return Fd(fd);
}

core::Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return core::fail(os_error("cannot stat", path, errno));
    }
    return static_cast<std::uint64_t>(st.st_size);
}

core::Result<void> sync_dir(const std::filesystem::path& dir) {
    auto fd = open_file(dir, O_RDONLY | O_DIRECTORY);
    if (!fd) {
        return core::fail(std::move(fd.error()));
    }
    if (::fsync(fd->get()) != 0) {
        return core::fail(os_error("cannot fsync directory", dir, errno));
    }
    return {};
}

std::span<const std::byte> FileSource::view(std::uint64_t offset, std::size_t n) {
    if (offset >= limit_) {
        return {};
    }
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, limit_ - offset));
    if (offset >= base_ && offset + n <= base_ + buf_.size()) {
        return std::span<const std::byte>(buf_).subspan(static_cast<std::size_t>(offset - base_),
                                                        n);
    }
    auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(std::max(n, kReadChunk), limit_ - offset));
    buf_.resize(want);
    base_ = offset;
    std::size_t got = 0;
    while (got < want) {
        ssize_t r = ::pread(fd_, buf_.data() + got, want - got, static_cast<off_t>(offset + got));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            error_ = errno;
            break;
        }
        if (r == 0) {
            break;
        }
        got += static_cast<std::size_t>(r);
    }
    buf_.resize(got);
    return std::span<const std::byte>(buf_).first(std::min(n, got));
}

core::Result<std::uint64_t> read_cursor(const std::filesystem::path& dir) {
    auto path = dir / kCursorFile;
    auto fd = open_file(path, O_RDONLY);
    if (!fd) {
        if (fd.error().code() == core::ErrorCode::kNotFound) {
            return std::uint64_t{0};
        }
        return core::fail(std::move(fd.error()));
    }
    std::array<std::byte, kCursorBytes + 1> buf{};
    std::size_t got = 0;
    while (got < buf.size()) {
        ssize_t r = ::read(fd->get(), buf.data() + got, buf.size() - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return core::fail(os_error("cannot read", path, errno));
        }
        if (r == 0) {
            break;
        }
        got += static_cast<std::size_t>(r);
    }
    auto bytes = std::span<const std::byte>(buf);
    bool ok = got == kCursorBytes &&
              std::equal(kCursorMagic.begin(), kCursorMagic.end(), bytes.begin(),
                         [](std::uint8_t a, std::byte b) { return std::byte{a} == b; });
    std::uint64_t seq = 0;
    std::uint32_t crc = 0;
    for (int i = 0; i < 8; ++i) {
        seq |= static_cast<std::uint64_t>(bytes[8 + i]) << (8 * i);
    }
    for (int i = 0; i < 4; ++i) {
        crc |= static_cast<std::uint32_t>(bytes[16 + i]) << (8 * i);
    }
    if (!ok || crc != crc32(0, bytes.first(16))) {
        return core::fail(
            core::Error::corrupt("acknowledgement cursor " + path.string() + " is damaged"));
    }
    return seq;
}

core::Result<void> write_cursor(const std::filesystem::path& dir, std::uint64_t acked_seq) {
    std::array<std::byte, kCursorBytes> buf{};
    for (std::size_t i = 0; i < kCursorMagic.size(); ++i) {
        buf[i] = std::byte{kCursorMagic[i]};
    }
    for (int i = 0; i < 8; ++i) {
        buf[8 + i] = static_cast<std::byte>(acked_seq >> (8 * i));
    }
    std::uint32_t crc = crc32(0, std::span<const std::byte>(buf).first(16));
    for (int i = 0; i < 4; ++i) {
        buf[16 + i] = static_cast<std::byte>(crc >> (8 * i));
    }
    auto tmp = dir / kCursorTmpFile;
    auto fail_with = [&](std::string_view what, int err) {
        ::unlink(tmp.c_str());
        return core::fail(os_error(what, tmp, err));
    };
    {
        auto fd = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC);
        if (!fd) {
            return core::fail(std::move(fd.error()));
        }
        std::size_t done = 0;
        while (done < buf.size()) {
            ssize_t r = ::write(fd->get(), buf.data() + done, buf.size() - done);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                return fail_with("cannot write", r < 0 ? errno : ENOSPC);
            }
            done += static_cast<std::size_t>(r);
        }
        if (::fsync(fd->get()) != 0) {
            return fail_with("cannot fsync", errno);
        }
    }
    if (::rename(tmp.c_str(), (dir / kCursorFile).c_str()) != 0) {
        return fail_with("cannot rename", errno);
    }
    return sync_dir(dir);
}

}  // namespace cyberalarm::spool::internal
