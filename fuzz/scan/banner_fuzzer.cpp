// Banner and probe-answer extraction with the shipped probe file, distribution hints, and
// version ordering (antisymmetric and reflexive on any pair of strings).
#include <cstdlib>

#include "fuzz_common.h"
#include "scan/probes.h"
#include "scan/version.h"

namespace {

const cyberalarm::scan::ProbeSet& probes() {
    static const cyberalarm::scan::ProbeSet set = [] {
        auto p = cyberalarm::scan::ProbeSet::load(CA_FUZZ_PROBES);
        if (!p) {
            std::abort();  // the shipped file must load
        }
        return std::move(*p);
    }();
    return set;
}

int sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::scan;
    std::string_view s(reinterpret_cast<const char*>(data), size);
    for (const Probe& p : probes().probes()) {
        if (auto id = ProbeSet::match(p, s)) {
            (void)split_distro(id->extra);
        }
    }
    (void)printable(s, 64);
    std::size_t cut = s.find('\n');
    std::string_view a = s.substr(0, cut);
    std::string_view b = cut == std::string_view::npos ? std::string_view() : s.substr(cut + 1);
    if (compare_versions(a, a) != 0 || sign(compare_versions(a, b)) != -sign(compare_versions(b, a))) {
        std::abort();
    }
    return 0;
}
