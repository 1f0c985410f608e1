// RFC 6587 deframing: feeds the input in chunks whose sizes come from the input itself, and
// checks that frames are bounded and the buffer stays bounded.
#include <cstdlib>

#include "fuzz_common.h"
#include "parse/framing.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    constexpr std::size_t kMax = 256;
    parse::Deframer d(kMax);
    std::size_t pos = 0;
    std::string_view frame;
    while (pos < size) {
        std::size_t chunk = 1 + data[pos] % 64;
        chunk = std::min(chunk, size - pos);
        d.feed(std::string_view(reinterpret_cast<const char*>(data) + pos, chunk));
        pos += chunk;
        while (d.next(&frame)) {
            if (frame.size() > kMax) {
                std::abort();
            }
        }
        if (d.buffered() > 2 * kMax + 64) {
            std::abort();
        }
    }
    while (d.finish(&frame)) {
        if (frame.size() > kMax) {
            std::abort();
        }
    }
    return 0;
}
