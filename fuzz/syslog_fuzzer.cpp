// Syslog header splitting: every view must lie inside the input.
#include <cstdlib>

#include "fuzz_common.h"
#include "parse/syslog.h"

namespace {

void inside(std::string_view outer, std::string_view part) {
    if (part.empty()) {
        return;
    }
    if (part.data() < outer.data() || part.data() + part.size() > outer.data() + outer.size()) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto m = parse::parse_syslog(line, fuzz::context().reference_ns);
    for (auto part :
         {m.hostname, m.app_name, m.procid, m.msgid, m.structured_data, m.content, m.msg}) {
        inside(line, part);
    }
    (void)parse::header_time_utc(m, fuzz::context().tz);
    return 0;
}
