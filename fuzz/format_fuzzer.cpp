// The generic format fuzzer, instantiated once per registered format (CA_FUZZ_FORMAT).
#include <cstdlib>

#include "fuzz_common.h"
#include "parse/parser.h"
#include "parse/syslog.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    static const parse::Format* format = parse::find_format(CA_FUZZ_FORMAT);
    if (format == nullptr) {
        std::abort();
    }
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto msg = parse::parse_syslog(line, fuzz::context().reference_ns);
    int confidence = format->probe(msg);
    if (confidence < 0 || confidence > 100) {
        std::abort();
    }
    core::Event event;
    auto r = format->parse(msg, fuzz::context(), event);
    if (r && *r == parse::Disposition::kEvent) {
        fuzz::check_event(event);
    }
    return 0;
}
