// CSV and plain-list importers, and format detection.
#include "fuzz_common.h"
#include "intel_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view s(reinterpret_cast<const char*>(data), size);
    (void)intel::detect_format(s);
    intel::IntelSet csv;
    fuzz::check_intel(intel::import_csv(s, fuzz::intel_options(), csv), csv, size);
    intel::IntelSet list;
    fuzz::check_intel(intel::import_list(s, fuzz::intel_options(), list), list, size);
    return 0;
}
