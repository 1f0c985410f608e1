// The compact binary form of an Event, for the spool and the wire.
//
// Layout (version 1), all integers little-endian or LEB128 varints:
//   u8 version (=1)
//   varint present-bits, varint string-bits (which of the 13 strings follow)
//   zigzag-varint time_ns
//   u8 family, 4|16 bytes src ip (family 0: nothing), same for dst
//   u8 transport, direction, action, category, severity, outcome
//   then each optional numeric field whose presence bit is set, in Field order, as varint
//   then each string whose bit is set: varint length, bytes
// Decoding checks every length against the remaining input and rejects unknown versions,
// so a corrupt record gives an Error, never an over-read. docs/design/event-codec.md
// describes it in prose.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "core/event.h"
#include "core/result.h"

namespace cyberalarm::core {

inline constexpr std::uint8_t kEventCodecVersion = 1;

// Appends the encoding of `event` to `out`.
void encode_event(const Event& event, std::string& out);

// Decodes one event from the start of `in`; on success sets *consumed to the bytes used.
[[nodiscard]] Result<Event> decode_event(std::span<const std::byte> in, std::size_t* consumed);

}  // namespace cyberalarm::core
