// The CVE JSON 5 / NVD importers and the database file format: what imports must survive a
// save and load unchanged, and any bytes must load or fail cleanly.
#include <cstdlib>

#include "fuzz_common.h"
#include "scan/vulndb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::scan;
    std::string_view s(reinterpret_cast<const char*>(data), size);
    if (auto records = parse_vuln_json(s)) {
        VulnDb db;
        for (VulnRecord& r : *records) {
            db.add(std::move(r));
        }
        std::string text = db.serialise();
        auto back = VulnDb::parse(text);
        if (!back || back->serialise() != text) {
            std::abort();
        }
        ProductKey any{{"openbsd:openssh", "f5:nginx"}, {"openssh", "nginx"}};
        (void)db.match(any, "9.2p1", split_distro("Debian-2+deb12u3"));
    }
    if (auto db = VulnDb::parse(s)) {
        (void)db->serialise();
    }
    return 0;
}
