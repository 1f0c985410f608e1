// Key files for the privacy keys (the Crypto-PAn key, the keyed-hash key): 32 secret bytes,
// stored either raw (exactly 32 bytes) or as 64 hexadecimal characters with an optional
// trailing newline.
//
// A key file must be a regular file readable by its owner only: load_key_file() refuses a
// file that group or others may read or write (as ssh does with private keys), so a key
// that leaked to other local users is noticed instead of used. write_new_key_file() creates
// such a file from the operating system's random generator and never overwrites one.
//
// Errors never contain key material.
//
// Thread safety: free functions without shared state.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace cyberalarm::privacy {

using Key = std::array<std::uint8_t, 32>;

// Decodes a key file's contents: exactly 32 raw bytes, or 64 hex digits (either case)
// followed by nothing but whitespace. Anything else is a kParse error.
[[nodiscard]] core::Result<Key> parse_key(std::string_view contents);

// Reads and decodes a key file. kNotFound if it does not exist, kPermissionDenied if it is
// accessible to group or others, kInvalidArgument if it is not a regular file, kParse if
// its contents are not a key.
[[nodiscard]] core::Result<Key> load_key_file(const std::filesystem::path& path);

// Creates `path` with mode 0600 holding a new random key as 64 hex digits and a newline,
// flushed to disk, and returns the key. kAlreadyExists if the path exists (a key is never
// replaced silently: the pseudonyms made with it would stop matching).
[[nodiscard]] core::Result<Key> write_new_key_file(const std::filesystem::path& path);

}  // namespace cyberalarm::privacy
