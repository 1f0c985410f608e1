// The file input's saved position (a file on disk that anyone with access to the state
// directory could have edited): the decoder must refuse or accept without crashing, and
// whatever it accepts must encode back to exactly the same text.
#include <cstdlib>
#include <string>

#include "collector/inputs_tail_state.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::collector::detail;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto state = decode_tail_state(text);
    if (!state) {
        return 0;
    }
    if (state->head_length > kTailHeadBytes) {
        std::abort();
    }
    std::string again = encode_tail_state(*state);
    auto back = decode_tail_state(again);
    if (!back || !(*back == *state)) {
        std::abort();
    }
    // The text form is canonical: what was accepted is exactly what is written.
    if (again != text) {
        std::abort();
    }
    return 0;
}
