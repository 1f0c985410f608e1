// LineParser over a stream of lines (split at '\n'): detection caching, truncation,
// counters. The first byte chooses auto mode or a forced format.
#include <cstdlib>

#include "fuzz_common.h"
#include "parse/line_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    if (size == 0) {
        return 0;
    }
    auto formats = parse::all_formats();
    std::size_t choice = data[0] % (formats.size() + 1);
    const parse::Format* forced = choice == formats.size() ? nullptr : &formats[choice];
    parse::LineParser p(fuzz::context(), forced, 512);
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    core::Event e;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        auto line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        auto r = p.parse(line, e);
        if (r && *r == parse::Disposition::kEvent) {
            fuzz::check_event(e);
        }
    }
    const auto& s = p.stats();
    if (s.events + s.ignored + s.errors != s.lines) {
        std::abort();
    }
    return 0;
}
