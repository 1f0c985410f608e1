// Auto-detection over every registered format: each probe and each parser on every input.
#include <cstdlib>

#include "fuzz_common.h"
#include "parse/line_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto msg = parse::parse_syslog(line, fuzz::context().reference_ns);
    for (const auto& f : parse::all_formats()) {
        int c = f.probe(msg);
        if (c < 0 || c > 100) {
            std::abort();
        }
        core::Event e;
        auto r = f.parse(msg, fuzz::context(), e);
        if (r && *r == parse::Disposition::kEvent) {
            fuzz::check_event(e);
        }
    }
    return 0;
}
