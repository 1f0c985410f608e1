// Internal: the saved position of a file input, and how it is stored.
//
// A TailState says which file (device and inode, and a digest of its first bytes so that a
// reused inode number or a file rewritten in place is not mistaken for it) and how far into
// it every line has been accepted by the sink. It is stored as a small text file,
// <state_dir>/inputs/<name>.tail:
//
//   cyberalarm-tail-state 1
//   path /var/log/firewall.log
//   device 2049
//   inode 1835011
//   offset 123456
//   head 1024 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// "head" is the number of leading bytes the SHA-256 digest covers (at most 1024). The path
// is written with bytes outside printable ASCII, space and '%' as %XX (lower-case hex, as
// the digest; nothing else is escaped, so each state has exactly one text). The file is replaced
// atomically (written to a temporary file, synced, renamed over, directory synced), and is
// written only after the lines before `offset` were accepted. decode_tail_state() accepts
// exactly this form and nothing else.
//
// Thread safety: plain functions.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "core/unique_fd.h"

namespace cyberalarm::collector::detail {

inline constexpr std::size_t kTailHeadBytes = 1024;

using UniqueFd = core::UniqueFd;

// strerror() for an errno value, thread-safe.
std::string errno_text(int err);

struct TailState {
    std::string path;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t offset = 0;
    std::uint32_t head_length = 0;  // leading bytes covered by head_digest (<= kTailHeadBytes)
    std::array<std::uint8_t, 32> head_digest{};

    friend bool operator==(const TailState&, const TailState&) = default;
};

std::string encode_tail_state(const TailState& state);
core::Result<TailState> decode_tail_state(std::string_view text);

// SHA-256 of a file's first bytes.
std::array<std::uint8_t, 32> head_digest(std::string_view bytes);

// <state_dir>/inputs/<name>.tail, the name escaped so that it is one plain file name.
std::filesystem::path tail_state_file(const std::filesystem::path& state_dir,
                                      std::string_view input_name);
// nullopt when there is no state file yet.
core::Result<std::optional<TailState>> load_tail_state(const std::filesystem::path& file);
core::Result<void> save_tail_state(const std::filesystem::path& file, const TailState& state);

}  // namespace cyberalarm::collector::detail
