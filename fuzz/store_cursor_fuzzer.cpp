// Pagination cursors come back from API clients: decode_cursor must refuse or accept any
// text without over-reading, and whatever it accepts must be bound to its fingerprint and
// re-encode to a cursor that decodes to the same position.
//
// Input: the cursor text. The fingerprint is the one the text itself claims (its hex part
// before the first '.'), so that accepted inputs are common enough to exercise the rest.
#include <charconv>
#include <cstdlib>
#include <string_view>

#include "fuzz_common.h"
#include "store/store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::uint64_t claimed = 0;
    const std::string_view hex = text.substr(0, text.find('.'));
    std::from_chars(hex.data(), hex.data() + hex.size(), claimed, 16);
    auto key = store::decode_cursor(text, claimed);
    if (!key) {
        if (key.error().code() != core::ErrorCode::kInvalidArgument) {
            std::abort();
        }
        return 0;
    }
    if (store::decode_cursor(text, claimed + 1)) {
        std::abort();  // a cursor must not fit another query
    }
    const std::string again = store::encode_cursor(claimed, *key);
    auto round = store::decode_cursor(again, claimed);
    if (!round || round->time_ns != key->time_ns || round->id != key->id ||
        round->text_id != key->text_id) {
        std::abort();
    }
    return 0;
}
