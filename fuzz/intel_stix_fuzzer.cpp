// STIX 2.1 importer: any bytes give indicators or an error, and what is imported can be
// sealed and looked up.

#include "fuzz_common.h"
#include "intel_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view s(reinterpret_cast<const char*>(data), size);
    intel::IntelSet set;
    auto r = intel::import_stix21(s, fuzz::intel_options(), set);
    fuzz::check_intel(r, set, size);
    return 0;
}
