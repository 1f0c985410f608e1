// Importers: threat-intel feeds (STIX 2.1 bundles, MISP events, CSV with a header, plain
// lists) into an IntelSet.
//
// Every importer is total: any bytes give either indicators and ImportStats, or a typed
// core::Error naming the origin (file), the line or byte offset and the reason. They never
// throw, never crash, and allocate in proportion to the input, capped by ImportOptions.
// An import is all-or-nothing: on error nothing is added to the set.
//
// Entries the importer understands but cannot use (a file hash, a URL, an AND pattern, an
// attribute not flagged for detection) are skipped and counted by reason, not errors.
//
// The caller seals the set after its imports (IntelSet::seal()).
//
// Thread safety: pure functions; the IntelSet passed in must not be shared while importing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "intel/intel_set.h"

namespace cyberalarm::intel {

enum class FeedFormat : std::uint8_t { kAuto, kStix21, kMisp, kCsv, kList };

std::string_view to_string(FeedFormat f);

struct ImportOptions {
    // Source recorded on indicators whose feed does not name one (CSV without a source
    // column, plain lists, STIX without a resolvable created_by_ref, MISP without Orgc).
    std::string source = "intel";
    // Confidence (0..100) for indicators whose feed does not give one.
    int confidence = 50;
    // Name used in error messages, usually the file name; import_file() sets it.
    std::string origin = "<input>";
    // Indicators one import may add; more is a kResourceExhausted error (bounds memory).
    std::size_t max_indicators = 5'000'000;
    // Largest input accepted; bigger is a kResourceExhausted error. JSON documents are
    // held as a tree, several times their size, while they are read.
    std::size_t max_input_bytes = std::size_t{256} << 20;
    // Format of the input; kAuto detects it from the content (import_file only).
    FeedFormat format = FeedFormat::kAuto;
    // MISP: import only attributes with to_ids set, as MISP itself exports for IDSes.
    bool require_to_ids = true;
};

enum class SkipReason : std::uint8_t {
    kUnsupportedType,     // an indicator kind we do not match on (hash, URL, e-mail …)
    kUnsupportedPattern,  // STIX pattern with AND, NOT, FOLLOWEDBY or qualifiers
    kBadValue,            // not an address, prefix or domain name
    kBadField,            // a timestamp or confidence that does not parse
    kNotForDetection,     // MISP to_ids false or deleted, STIX revoked, wrong pattern_type
    kLineTooLong,
};
inline constexpr std::size_t kSkipReasonCount = 6;

std::string_view to_string(SkipReason r);

struct ImportStats {
    FeedFormat format = FeedFormat::kAuto;  // the format actually read
    std::size_t added = 0;
    std::size_t skipped = 0;
    std::array<std::size_t, kSkipReasonCount> skipped_by{};
    // The first few skips, "line 12: not an address or domain: 'foo'", for the administrator.
    std::vector<std::string> examples;

    [[nodiscard]] std::size_t skipped_for(SkipReason r) const {
        return skipped_by[static_cast<std::size_t>(r)];
    }
};

[[nodiscard]] core::Result<ImportStats> import_stix21(std::string_view json,
                                                      const ImportOptions& options, IntelSet& set);
[[nodiscard]] core::Result<ImportStats> import_misp(std::string_view json,
                                                    const ImportOptions& options, IntelSet& set);
[[nodiscard]] core::Result<ImportStats> import_csv(std::string_view text,
                                                   const ImportOptions& options, IntelSet& set);
[[nodiscard]] core::Result<ImportStats> import_list(std::string_view text,
                                                    const ImportOptions& options, IntelSet& set);

// Guesses the format of a feed from its first bytes: JSON with "Event"/"Attribute" is MISP,
// other JSON is STIX; text whose first line names a value column is CSV, else a list.
[[nodiscard]] FeedFormat detect_format(std::string_view content);

// Imports `text` in options.format, or the detected format when that is kAuto.
[[nodiscard]] core::Result<ImportStats> import_text(std::string_view text,
                                                    const ImportOptions& options, IntelSet& set);

// Reads a file (at most options.max_input_bytes) and imports it as import_text() does.
// options.origin is replaced by the path in errors.
[[nodiscard]] core::Result<ImportStats> import_file(const std::string& path,
                                                    const ImportOptions& options, IntelSet& set);

}  // namespace cyberalarm::intel
