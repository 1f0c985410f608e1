// The binary event decoder must reject or accept any bytes without over-reading, and
// whatever it accepts must re-encode to something that decodes to the same event.
#include <cstdlib>
#include <span>

#include "core/event_codec.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
    while (!in.empty()) {
        std::size_t used = 0;
        auto e = core::decode_event(in, &used);
        if (!e) {
            break;
        }
        if (used == 0 || used > in.size()) {
            std::abort();
        }
        fuzz::check_event(*e);
        in = in.subspan(used);
    }
    return 0;
}
