// The collector's configuration reader: any text gives a configuration or an error naming
// file, line and key; never a crash, hang or exception escaping (yaml-cpp throws).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collector/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) {
        return 0;  // the loader refuses files over 1 MiB; keep iterations fast
    }
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto c = cyberalarm::collector::parse_config(text, "fuzz.yaml", "/nonexistent");
    if (!c && c.error().message().empty()) {
        std::abort();  // an error must say what was wrong
    }
    return 0;
}
