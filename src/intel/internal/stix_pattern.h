// A reader for the part of the STIX 2.1 patterning language that names addresses and
// domains: comparisons such as [ipv4-addr:value = '198.51.100.1'], ISSUBSET and IN forms,
// joined by OR. Anything else is reported, never guessed at.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "intel/importers.h"

namespace cyberalarm::intel::internal {

struct PatternValue {
    enum class Object : std::uint8_t { kIpv4, kIpv6, kDomain, kAnyIp };
    Object object = Object::kAnyIp;
    std::string value;
};

struct PatternSkip {
    SkipReason reason;
    std::string why;
};

struct PatternResult {
    std::vector<PatternValue> values;
    std::vector<PatternSkip> skips;
    // Set when the whole pattern cannot be matched on one value (AND, NOT, FOLLOWEDBY) or
    // does not parse: values is then empty.
    bool rejected = false;
};

PatternResult read_stix_pattern(std::string_view pattern);

}  // namespace cyberalarm::intel::internal
