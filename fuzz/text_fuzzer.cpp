// The shared text helpers: key=value reading, CSV splitting, vocabulary mapping.
#include <array>
#include <cstdlib>

#include "fuzz_common.h"
#include "parse/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view s(reinterpret_cast<const char*>(data), size);
    std::string_view k;
    std::string_view v;
    std::size_t pairs = 0;
    for (char sep : {' ', ',', '\t', ';'}) {
        parse::KvReader kv(s, sep);
        while (kv.next(k, v)) {
            if (++pairs > size + 1) {
                std::abort();  // must make progress
            }
        }
    }
    std::array<std::string_view, 8> fields{};
    if (parse::split_csv(s, fields) > size + 1) {
        std::abort();
    }
    (void)parse::action_from_word(s);
    (void)parse::severity_from_word(s);
    (void)parse::to_port(s);
    return 0;
}
