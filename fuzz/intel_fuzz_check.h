// Shared checks for the threat-intel importer fuzz targets.
#pragma once

#include <cstdlib>
#include <string_view>

#include "intel/importers.h"

namespace cyberalarm::fuzz {

inline const intel::ImportOptions& intel_options() {
    static const intel::ImportOptions options = [] {
        intel::ImportOptions o;
        o.max_indicators = 10'000;
        o.origin = "fuzz";
        return o;
    }();
    return options;
}

// Aborts (a fuzzer finding) if an import breaks its contract: an error with no message, more
// indicators than the limit or than the input could hold, stats that do not add up, or a set
// whose lookups disagree with its own indicators.
inline void check_intel(const core::Result<intel::ImportStats>& r, intel::IntelSet& set,
                        std::size_t input_size) {
    if (!r) {
        if (r.error().message().empty() || set.size() != 0) {
            std::abort();
        }
        return;
    }
    if (r->added != set.size() || r->added > intel_options().max_indicators ||
        r->added > input_size || r->examples.size() > 8) {
        std::abort();
    }
    std::size_t by_reason = 0;
    for (auto n : r->skipped_by) {
        by_reason += n;
    }
    if (by_reason != r->skipped) {
        std::abort();
    }
    set.seal();
    // Lookups on whatever was imported must be safe.
    (void)set.match(core::IpAddress::v4(0x01020304), 0);
    (void)set.match_domain("a.b.example", 1);
}

}  // namespace cyberalarm::fuzz
