// CIDR list files: the member's internal networks and trusted sources, one address or
// prefix per line.
//
//   # office and VPN pools
//   192.0.2.0/24
//   2001:db8:10::/48   # branch
//   198.51.100.7       (a bare address is a /32 or /128)
//
// Blank lines and '#' comments (whole-line or trailing) are ignored; spaces, tabs, a final
// line without a newline, CRLF line ends and a UTF-8 byte order mark are accepted. Host bits
// below the prefix are cleared ("192.0.2.7/24" is 192.0.2.0/24), as core::Cidr::parse does.
// Anything else is an error naming the origin (file), the line and the offending text
// (quoted, non-printable bytes escaped, cut at 64 bytes): two entries on one line, a bad
// address or prefix length, a line longer than max_line_bytes, a NUL byte (a binary file),
// more than max_entries entries, more than max_bytes in all. A list is all-or-nothing.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "core/cidr_set.h"
#include "core/result.h"

namespace cyberalarm::privacy {

struct CidrListOptions {
    // An entry with a comment fits easily; a longer line means a wrong or binary file.
    std::size_t max_line_bytes = 1024;
    // Entries accepted; more is a kResourceExhausted error.
    std::size_t max_entries = 1'000'000;
    // Largest file accepted; bigger is a kResourceExhausted error (load_cidr_file only).
    std::size_t max_bytes = std::size_t{64} << 20;
};

// Parses the text of a list. `origin` (a file name) is put in front of error messages.
// Returns a sealed set.
[[nodiscard]] core::Result<core::CidrSet> parse_cidr_list(std::string_view text,
                                                          std::string_view origin,
                                                          const CidrListOptions& options = {});

// Reads and parses a list file; the file name is the origin. kNotFound if it does not
// exist, kIo if it cannot be read, kInvalidArgument if it is not a regular file.
[[nodiscard]] core::Result<core::CidrSet> load_cidr_file(const std::filesystem::path& path,
                                                         const CidrListOptions& options = {});

}  // namespace cyberalarm::privacy
