// The server's configuration reader: any text gives a configuration or an error naming the
// file, line and key; never a crash, hang or exception escaping (yaml-cpp throws). Secret
// files are not read here (read_secrets = false).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) {
        return 0;  // the loader refuses files over 1 MiB; keep iterations fast
    }
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto c = cyberalarm::server::parse_config(text, "fuzz.yaml", "/nonexistent", false);
    if (!c && c.error().message().find("fuzz.yaml") == std::string::npos) {
        std::abort();  // every error names the file
    }
    return 0;
}
