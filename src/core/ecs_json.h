// ECS JSON lines: an Event as one JSON object with Elastic Common Schema field names
// (`@timestamp`, `source.ip`, `destination.port`, `network.transport`, `event.action`,
// `rule.name`, `observer.*` …), nested, without a trailing newline. Fields that are not
// set are left out.
//
// Thread safety: EcsWriter is not shared; make one per thread.
#pragma once

#include <string>

#include "core/event.h"
#include "core/result.h"

namespace cyberalarm::core {

class EcsWriter {
public:
    EcsWriter();
    ~EcsWriter();
    EcsWriter(const EcsWriter&) = delete;
    EcsWriter& operator=(const EcsWriter&) = delete;

    // Appends the JSON object for `event` to `out`.
    void append(const Event& event, std::string& out);

private:
    struct Impl;
    Impl* impl_;  // owned; pimpl keeps RapidJSON out of this header
};

// Convenience: one event to a fresh string.
std::string to_ecs_json(const Event& event);

// Reads an ECS JSON object written by EcsWriter back into an Event (for tests, replay and
// `cyberalarm detect` over stored JSON). Unknown fields are ignored.
[[nodiscard]] Result<Event> from_ecs_json(std::string_view json);

}  // namespace cyberalarm::core
