// Shared checks for the fuzz targets: whatever a parser returns must survive the rest of
// the pipeline (ECS JSON, the binary codec round trip) unchanged.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/event.h"
#include "parse/parser.h"

namespace cyberalarm::fuzz {

// A fixed context: UTC, a fixed reference time, a fixed hash key.
const parse::ParseContext& context();

// Aborts (a fuzzer finding) if the event does not round-trip through the codec and ECS JSON.
void check_event(const core::Event& event);

}  // namespace cyberalarm::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
