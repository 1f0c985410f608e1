#include "fuzz_common.h"

#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "core/ecs_json.h"
#include "core/event_codec.h"

namespace cyberalarm::fuzz {

const parse::ParseContext& context() {
    static const parse::ParseContext kContext = [] {
        parse::ParseContext ctx;
        ctx.reference_ns = std::int64_t{1700000000} * core::kNanosPerSecond;
        ctx.hash_key.fill(0x5a);
        return ctx;
    }();
    return kContext;
}

void check_event(const core::Event& event) {
    std::string wire;
    core::encode_event(event, wire);
    std::size_t used = 0;
    auto back = core::decode_event(std::as_bytes(std::span(wire.data(), wire.size())), &used);
    if (!back || used != wire.size() || !(*back == event)) {
        std::fprintf(stderr, "event does not round-trip through the binary codec\n");
        std::abort();
    }
    // ECS JSON: what we write must read back, and writing that again must give the same
    // text (invalid UTF-8 is replaced on the first write, so compare from there).
    std::string json = core::to_ecs_json(event);
    auto parsed = core::from_ecs_json(json);
    if (!parsed) {
        std::fprintf(stderr, "ECS JSON we wrote does not read back: %s\n%s\n",
                     parsed.error().to_string().c_str(), json.c_str());
        std::abort();
    }
    if (core::to_ecs_json(*parsed) != json) {
        std::fprintf(stderr, "ECS JSON is not a fixpoint:\n%s\n", json.c_str());
        std::abort();
    }
}

}  // namespace cyberalarm::fuzz
