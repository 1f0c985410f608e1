// The scanner's local vulnerability database and the matcher from identified products to CVEs.
//
// Records come from two public formats (vulndb_import.cpp): CVE JSON 5 (cvelistV5:
// containers.cna/adp.affected[] with version / lessThan / lessThanOrEqual / changes, and
// GitHub-style range strings ">= 7.0.0, < 7.2.6") and the NVD CVE API 2.0 object
// (configurations → nodes → cpeMatch with versionStart/End Including/Excluding, AND nodes
// whose non-vulnerable CPEs are platforms the product must run on). Both reduce to the same
// VersionRange, so the matcher has one rule. Records of the same CVE from both sources merge.
//
// On disk (docs/design/scanner.md, "Vulnerability database"): JSON Lines, a header line
// {"format":"cyberalarm-vulndb","version":1} then one record per line. Loading is total:
// any bytes give a database or an Error naming the line.
//
// Matching: a product is named by CPE-style keys "vendor:product" (lower case, spaces as
// '_') and by bare names for records that carry only a package name. Confidence:
//  - high: the upstream version lies in a structured range and the banner shows no
//    distribution revision;
//  - low: the same, but the banner shows a Debian/Ubuntu package revision (fixes are often
//    backported without changing the upstream version), or the record has no structured
//    data and the range was read from its description ("before 10.0").
// The reason text says which rule applied.
//
// Thread safety: a loaded VulnDb is immutable; match() may run concurrently.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "scan/version.h"

namespace cyberalarm::scan {

struct VersionRange {
    std::string vendor;   // normalised: lower case, spaces as '_'; "" when not given
    std::string product;  // normalised as vendor
    std::string exact;    // set: only this version ("-" = any, used with platforms)
    std::string start;    // "" = unbounded
    bool start_inclusive = true;
    std::string end;  // "" = unbounded
    bool end_inclusive = false;
    // "vendor:product:version" of platforms the product must run on (NVD AND nodes).
    std::vector<std::string> platforms;
    std::string source;  // "nvd" or "cve5"

    [[nodiscard]] bool contains(std::string_view version) const;
    [[nodiscard]] std::string describe() const;  // ">= 8.6, < 9.8"
};

struct VulnRecord {
    std::string id;  // "CVE-2024-6387"
    double cvss = 0;  // base score, 0 when no metric is given
    std::string cvss_vector;
    std::string summary;  // first English description
    std::vector<std::string> sources;
    std::vector<VersionRange> ranges;
};

// Keys that name an identified product in vulnerability records.
struct ProductKey {
    std::vector<std::string> cpes;   // "openbsd:openssh", "f5:nginx_open_source"
    std::vector<std::string> names;  // "openssh": CVE-5 packageName / product with no vendor
};

enum class Confidence : std::uint8_t { kLow, kMedium, kHigh };
std::string_view to_string(Confidence c);

struct VulnMatch {
    const VulnRecord* record = nullptr;  // points into the VulnDb; valid while it lives
    Confidence confidence = Confidence::kHigh;
    std::string reason;  // "9.2p1 is within >= 8.6, < 9.8 (nvd)…"
};

// Lower case with spaces as '_': how vendors and products are compared.
[[nodiscard]] std::string normalise_name(std::string_view s);

// Parses one record in either format (detected from its fields). An NVD feed document
// ({"vulnerabilities":[{"cve":…}]}) yields every record in it. kParse on malformed JSON,
// kUnsupported on JSON that is neither format.
[[nodiscard]] core::Result<std::vector<VulnRecord>> parse_vuln_json(std::string_view json);

class VulnDb {
public:
    static constexpr std::size_t kMaxFileBytes = std::size_t{512} << 20;

    // Adds a record, merging ranges, sources and missing fields into an existing one.
    void add(VulnRecord record);
    // Imports every *.json file under `dir` (recursively). Returns how many files were read;
    // a file that fails is an error naming it.
    [[nodiscard]] core::Result<std::size_t> import_dir(const std::filesystem::path& dir);
    [[nodiscard]] core::Status import_file(const std::filesystem::path& file);

    [[nodiscard]] std::string serialise() const;
    [[nodiscard]] static core::Result<VulnDb> parse(std::string_view text);
    [[nodiscard]] core::Status save(const std::filesystem::path& file) const;
    [[nodiscard]] static core::Result<VulnDb> load(const std::filesystem::path& file);

    // Every record whose ranges cover `version` of the product, best confidence first.
    [[nodiscard]] std::vector<VulnMatch> match(const ProductKey& product,
                                               std::string_view version,
                                               const DistroInfo& distro) const;

    [[nodiscard]] std::size_t size() const { return records_.size(); }
    [[nodiscard]] const VulnRecord* find(std::string_view id) const;

private:
    void index_ranges(std::size_t record, std::size_t first_range);

    std::vector<VulnRecord> records_;  // in the order first added
    std::unordered_map<std::string, std::size_t> index_;  // id → record
    // "vendor:product" (":product" without a vendor) → records with such a range, so a
    // match reads only its product's records, not the whole database.
    std::unordered_map<std::string, std::vector<std::size_t>> by_key_;
    std::vector<std::size_t> textual_;  // records added without ranges (description only)
};

}  // namespace cyberalarm::scan
