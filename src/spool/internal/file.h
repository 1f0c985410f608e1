// Small POSIX helpers for the spool: an owning file descriptor, a buffered reader for the
// record cursor, and the durable acknowledgement cursor file.
//
// Thread safety: none of these objects is shared; functions are reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"
#include "spool/internal/format.h"

namespace cyberalarm::spool::internal {

using Fd = core::UniqueFd;

// "<what> <path>: <strerror(err)>" as an Error of the code errno suggests.
core::Error os_error(std::string_view what, const std::filesystem::path& path, int err);

[[nodiscard]] core::Result<Fd> open_file(const std::filesystem::path& path, int flags,
                                         unsigned mode = 0600);
[[nodiscard]] core::Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path);
// fsync on the directory, so that creations, renames and deletions in it are durable.
[[nodiscard]] core::Result<void> sync_dir(const std::filesystem::path& dir);

// Reads a file through pread in chunks, for a RecordCursor. Reads never go past `limit`
// bytes, so a damaged length can make it allocate no more than the file holds. After a read
// error it returns short views and failed() is true.
class FileSource final : public ByteSource {
public:
    FileSource(int fd, std::uint64_t limit) : fd_(fd), limit_(limit) {}
    std::span<const std::byte> view(std::uint64_t offset, std::size_t n) override;
    void set_limit(std::uint64_t limit) { limit_ = limit; }
    [[nodiscard]] bool failed() const { return error_ != 0; }
    [[nodiscard]] int error() const { return error_; }

private:
    int fd_;
    std::uint64_t limit_;
    std::uint64_t base_ = 0;
    std::vector<std::byte> buf_;
    int error_ = 0;
};

// The acknowledgement cursor: "CASPACK" + version byte, acked seq (u64 LE), CRC-32 of the
// first 16 bytes (u32 LE).
inline constexpr std::size_t kCursorBytes = 20;
inline constexpr const char* kCursorFile = "cursor";
inline constexpr const char* kCursorTmpFile = "cursor.tmp";

// The acked seq stored in dir/cursor: 0 when there is no cursor file; kCorrupt when it
// fails its check.
[[nodiscard]] core::Result<std::uint64_t> read_cursor(const std::filesystem::path& dir);
// Writes dir/cursor atomically and durably: cursor.tmp, fsync, rename, fsync of dir.
[[nodiscard]] core::Result<void> write_cursor(const std::filesystem::path& dir,
                                              std::uint64_t acked_seq);

}  // namespace cyberalarm::spool::internal
