// The probe file loader on any bytes; whatever loads is then run against the same bytes.
#include "fuzz_common.h"
#include "scan/probes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view s(reinterpret_cast<const char*>(data), size);
    auto set = cyberalarm::scan::ProbeSet::parse(s);
    if (set) {
        for (const auto& p : set->probes()) {
            (void)cyberalarm::scan::ProbeSet::match(p, s);
        }
    }
    return 0;
}
