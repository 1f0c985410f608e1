// Threat intelligence: indicators (addresses, prefixes, domains) with their source,
// confidence and lifetime, and IntelSet, the read-optimised set detection looks addresses up
// in. Importers for STIX 2.1, MISP, CSV and plain lists fill an IntelSet (importers.h).
//
// Build an IntelSet with add() calls, then seal() once; lookups are valid only after seal()
// and must be fast (≥10M lookups/s against a million indicators: bench/intel_bench.cpp).
// Where prefixes overlap, the most specific one that is live at the given time wins.
//
// Thread safety: after seal(), any number of threads may call the const functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::intel {

enum class IndicatorType : std::uint8_t { kAddress, kPrefix, kDomain };

struct Indicator {
    IndicatorType type = IndicatorType::kAddress;
    core::Cidr prefix;          // kAddress (a /32 or /128) and kPrefix
    std::string domain;         // kDomain, lower-case, no trailing dot
    std::string source;         // feed or organisation it came from
    int confidence = 50;        // 0..100
    std::int64_t first_seen_ns = 0;
    std::int64_t last_seen_ns = 0;
    std::int64_t expires_ns = 0;  // 0 = does not expire
    std::string label;            // short description ("Emotet C2", "scanner")
};

class IntelSet {
public:
    IntelSet();
    ~IntelSet();
    IntelSet(IntelSet&&) noexcept;
    IntelSet& operator=(IntelSet&&) noexcept;

    void add(Indicator indicator);
    void seal();

    // The most specific live indicator covering `ip` at time `at_ns` (0 = ignore expiry), or
    // nullptr. The pointer stays valid while the set lives.
    [[nodiscard]] const Indicator* match(const core::IpAddress& ip, std::int64_t at_ns) const;
    // A domain indicator equal to `domain` or a parent of it ("a.evil.example" matches
    // "evil.example"), or nullptr.
    [[nodiscard]] const Indicator* match_domain(std::string_view domain, std::int64_t at_ns) const;

    [[nodiscard]] std::size_t size() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::intel
