// Scrubber: the last check that a metadata field does not carry content (defence in depth
// behind the parsers, which should never put content in these fields in the first place).
//
// classify() looks at one field value and says whether, and why, it looks like something
// that must not leave the member's network: binary payload, free text, an e-mail address,
// a URL with a path or query, a credential ("password=…"), or a long run of base64-like
// encoded data. The checks are heuristics tuned so that real signature names — with spaces,
// digits, punctuation, bare paths ("/etc/passwd"), port numbers, AV names such as
// "W32/Netsky.p@MM" or "Trojan:Win32/Wacatac.B!ml" — pass untouched; the tests hold both the
// positives and these negatives. What the policy does with a rejected value (clear it, or
// replace it by a keyed hash) is in policy.h.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cyberalarm::privacy {

enum class ScrubReason : std::uint8_t {
    kNone,        // looks like metadata
    kBinary,      // control bytes or invalid UTF-8 in a run (payload)
    kTooLong,     // longer than any name or id: free text
    kEmail,       // local@domain.tld
    kUrl,         // scheme://host/path…, scheme://host?query, or a /path?name=value
    kCredential,  // password=…, user=…, token: …, or user:pass@ in a URL
    kEncoded,     // a long run of base64-like characters
    kNotAHash,    // user.hash that is not a hash (a parser put a name there)
};
inline constexpr std::size_t kScrubReasonCount = 8;

std::string_view to_string(ScrubReason r);

struct ScrubOptions {
    // A longer value is free text, not a name or an id. Signature names in the wild (ET Open,
    // Snort, vendor IPS) stay well under 200 bytes.
    std::size_t max_bytes = 256;
    // This many non-printable bytes in a row (C0 controls, DEL, bytes that are not valid
    // UTF-8) mark binary payload; so do twice as many in total. Tabs count as printable.
    std::size_t binary_run = 4;
    // A run of at least this many characters of the base64 alphabets (A-Z a-z 0-9 + / - _)
    // that mixes upper case, lower case and digits, changing between them at least every
    // other character as random data does (camel-case words and hex do not), is encoded data.
    std::size_t encoded_run = 32;
};

// The first reason `value` looks like content rather than metadata; kNone if it looks clean.
ScrubReason classify(std::string_view value, const ScrubOptions& options = {});

// For user.hash: kNone if `value` has the form the parsers and the policy write (hex digits,
// optionally after "hash:", at most 128 of them), else kNotAHash.
ScrubReason classify_hash(std::string_view value);

}  // namespace cyberalarm::privacy
