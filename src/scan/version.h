// Version strings as services reveal them and as vulnerability records state them.
//
// compare_versions orders upstream versions ("9.2p1", "1.22.1", "10.11.6") and full Debian
// versions ("1:9.2p1-2+deb12u3") with the dpkg algorithm: an optional epoch, then the
// upstream part and the revision compared piecewise (runs of digits numerically, other runs
// character by character with letters before punctuation and '~' before everything, even
// the end). That one rule gets OpenSSH's portable suffix right ("9.8p1" > "9.8") as well as
// Debian revisions ("2+deb12u3" > "2+deb12u2").
//
// split_distro recognises the package revision that Debian and Ubuntu add to banners
// ("OpenSSH_9.2p1 Debian-2+deb12u3", "10.11.6-MariaDB-0+deb12u1"): when it shows, the
// distribution may have backported fixes without changing the upstream version, so CVE
// matches against the upstream version lose confidence (vulndb.h).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cyberalarm::scan {

// <0, 0, >0 as a is older than, the same as, or newer than b. Total on any input.
[[nodiscard]] int compare_versions(std::string_view a, std::string_view b);

// What a banner says about the distribution's packaging of a product.
struct DistroInfo {
    std::string name;      // "debian", "ubuntu" ("" when the banner shows none)
    std::string revision;  // package revision as shown: "2+deb12u3", "0+deb12u1", "3ubuntu0.10"
    std::string release;   // "12" from "deb12u3", "22.04" when shown; "" unknown
};

// Reads distribution hints from the text after a version ("Debian-2+deb12u3",
// "-0+deb12u1", "Ubuntu-3ubuntu0.10"). Empty DistroInfo when there are none.
[[nodiscard]] DistroInfo split_distro(std::string_view text);

}  // namespace cyberalarm::scan
