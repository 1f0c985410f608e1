// Where an internet address is: country and network operator (ASN), read from local MaxMind
// DB files (GeoLite2/GeoIP2 Country or City, and ASN; or any .mmdb with the same fields).
// Nothing is fetched: without a configured database the report says nothing about countries.
//
// Built with libmaxminddb when it is found at configure time; without it, open() returns
// kUnavailable ("built without libmaxminddb").
//
// Thread safety: lookups on one GeoLookup are safe from many threads (the database is
// memory-mapped read-only).
#pragma once

#include <memory>
#include <string>

#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::report {

struct GeoInfo {
    std::string country_code;  // "DE"; "" unknown
    std::string country;       // "Germany" (English name); "" unknown
    std::uint32_t asn = 0;     // 0 unknown
    std::string as_org;        // "Deutsche Telekom AG"

    [[nodiscard]] bool empty() const { return country_code.empty() && asn == 0; }
    // "Germany · AS3320 Deutsche Telekom AG", or whichever half is known.
    [[nodiscard]] std::string describe() const;
};

class GeoLookup {
public:
    // Either path may be empty (that half is then unknown); at least one must be given.
    // A file that is not a MaxMind DB is kInvalidArgument naming it.
    [[nodiscard]] static core::Result<std::unique_ptr<GeoLookup>> open(
        const std::string& country_db, const std::string& asn_db);
    ~GeoLookup();
    GeoLookup(const GeoLookup&) = delete;
    GeoLookup& operator=(const GeoLookup&) = delete;

    // Unknown fields stay empty; an address in neither database gives an empty GeoInfo.
    [[nodiscard]] GeoInfo lookup(const core::IpAddress& ip) const;

    struct Impl;

private:
    explicit GeoLookup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::report
