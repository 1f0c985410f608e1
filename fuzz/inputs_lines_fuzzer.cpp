// Newline framing of tailed files and stdin (collector/inputs_lines.h): fed in chunks whose
// sizes come from the input, every line handed on is within the bound and holds no LF, the
// bytes held stay bounded, and "fed - pending" only moves forward and always sits just
// after an LF (or at a point where an over-long line was cut), which is what the saved file
// position relies on.
#include <cstdlib>
#include <string>

#include "collector/inputs_lines.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::collector::detail;
    constexpr std::size_t kMax = 64;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    LineSplitter lines(kMax);
    std::size_t fed = 0;
    std::size_t committed = 0;
    std::size_t handed = 0;
    auto check = [&](std::string_view line) {
        if (line.empty() || line.size() > kMax || line.find('\n') != std::string_view::npos) {
            std::abort();
        }
        ++handed;
    };
    while (fed < size) {
        std::size_t chunk = std::min<std::size_t>(1 + data[fed] % 97, size - fed);
        lines.feed(input.substr(fed, chunk), check);
        fed += chunk;
        if (lines.pending() > kMax + 1 || lines.pending() > fed) {
            std::abort();
        }
        std::size_t now = fed - lines.pending();
        if (now < committed) {
            std::abort();
        }
        committed = now;
    }
    if (auto rest = lines.take_rest()) {
        check(*rest);
    }
    // Never more lines than LFs plus one.
    std::size_t lfs = 0;
    for (char c : input) {
        lfs += c == '\n';
    }
    if (handed > lfs + 1) {
        std::abort();
    }
    return 0;
}
