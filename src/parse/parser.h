// The format parser interface and the format registry.
//
// A format parser is a pure function: one syslog-split line in, one Event (or a typed
// Error naming the reason, field and byte offset) out. No I/O, no logging, no global state.
// Each format also has a cheap probe that says how sure it is (0..100) that a line is its
// own; auto-detection picks the most confident. Formats are listed in one table
// (registry.cpp); each lives in its own file under formats/.
//
// Thread safety: parsers and probes are reentrant; the registry is immutable.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "core/time.h"
#include "parse/syslog.h"

namespace cyberalarm::parse {

// What a source's lines are read with.
struct ParseContext {
    core::TimeZone tz;                        // zone for stamps without one; default UTC
    std::int64_t reference_ns = 0;            // "now" for year inference; 0 = 1970 (set it!)
    std::array<std::uint8_t, 32> hash_key{};  // member's key for hashing user names
    std::string observer;                     // overrides the header host name when set
};

// A recognised line either becomes an Event, or is recognised but carries no security
// metadata (a configuration notice, a health report, a DHCP lease) and is counted as
// ignored — that is the metadata-only policy, not an error.
enum class Disposition : std::uint8_t { kEvent, kIgnored };

using ParseFn = core::Result<Disposition> (*)(const SyslogMessage& msg, const ParseContext& ctx,
                                              core::Event& out);
// 0 = not this format; 100 = certain. Must be cheap: it runs on every line in auto mode.
using ProbeFn = int (*)(const SyslogMessage& msg);

struct Format {
    std::string_view name;         // "iptables", "cisco_asa" … (used by --format)
    std::string_view description;  // one line for --help and docs
    ProbeFn probe;
    ParseFn parse;
};

// All registered formats, in table order.
std::span<const Format> all_formats();
// nullptr if no format has that name.
const Format* find_format(std::string_view name);

// Fills the fields every parser sets from the header: time (UTC via ctx.tz), observer name
// (ctx.observer, else the header host name) and `format`. Parsers call it first and then
// overwrite what the message itself says more precisely.
void apply_header(const SyslogMessage& msg, const ParseContext& ctx, std::string_view format,
                  core::Event& out);

// Keyed hash of an identity (user name, mailbox) for auth events: 16 bytes of BLAKE2b under
// ctx.hash_key, hex. The clear value never leaves the parser.
std::string hash_identity(const ParseContext& ctx, std::string_view identity);

}  // namespace cyberalarm::parse
