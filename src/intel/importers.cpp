// Format detection and the file entry point; the importers themselves are in stix.cpp,
// misp.cpp and text_import.cpp.
#include "intel/importers.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include "intel/internal/import_common.h"

namespace cyberalarm::intel {

std::string_view to_string(FeedFormat f) {
    switch (f) {
        case FeedFormat::kAuto:
            return "auto";
        case FeedFormat::kStix21:
            return "stix21";
        case FeedFormat::kMisp:
            return "misp";
        case FeedFormat::kCsv:
            return "csv";
        case FeedFormat::kList:
            return "list";
    }
    return "unknown";
}

std::string_view to_string(SkipReason r) {
    switch (r) {
        case SkipReason::kUnsupportedType:
            return "unsupported indicator type";
        case SkipReason::kUnsupportedPattern:
            return "unsupported pattern";
        case SkipReason::kBadValue:
            return "bad value";
        case SkipReason::kBadField:
            return "bad field";
        case SkipReason::kNotForDetection:
            return "not for detection";
        case SkipReason::kLineTooLong:
            return "line too long";
    }
    return "unknown";
}

FeedFormat detect_format(std::string_view content) {
    if (content.substr(0, 3) == "\xEF\xBB\xBF") {
        content.remove_prefix(3);
    }
    auto first = content.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return FeedFormat::kList;
    }
    if (content[first] == '{' || content[first] == '[') {
        // MISP exports name their events and attributes with capitals; STIX never does.
        std::string_view head = content.substr(0, 64 * 1024);
        if (head.find("\"Event\"") != std::string_view::npos ||
            head.find("\"Attribute\"") != std::string_view::npos) {
            return FeedFormat::kMisp;
        }
        return FeedFormat::kStix21;
    }
    // The first line that is not a comment decides between a CSV header and a list entry.
    std::size_t pos = 0;
    while (pos < content.size()) {
        auto nl = content.find('\n', pos);
        std::string_view line = content.substr(pos, nl == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : nl - pos);
        pos = nl == std::string_view::npos ? content.size() : nl + 1;
        line = internal::trim(line);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (line.find_first_of(",;\t") == std::string_view::npos) {
            return FeedFormat::kList;
        }
        // A header names its columns; the CSV importer decides whether one is a value column.
        Indicator probe;
        std::string_view first_field = line.substr(0, line.find_first_of(",;\t"));
        return internal::parse_value(first_field, probe) == internal::ValueKind::kNone
                   ? FeedFormat::kCsv
                   : FeedFormat::kList;
    }
    return FeedFormat::kList;
}

core::Result<ImportStats> import_text(std::string_view text, const ImportOptions& options,
                                      IntelSet& set) {
    FeedFormat f = options.format == FeedFormat::kAuto ? detect_format(text) : options.format;
    switch (f) {
        case FeedFormat::kStix21:
            return import_stix21(text, options, set);
        case FeedFormat::kMisp:
            return import_misp(text, options, set);
        case FeedFormat::kCsv:
            return import_csv(text, options, set);
        case FeedFormat::kAuto:
        case FeedFormat::kList:
            break;
    }
    return import_list(text, options, set);
}

core::Result<ImportStats> import_file(const std::string& path, const ImportOptions& options,
                                      IntelSet& set) {
    ImportOptions opts = options;
    opts.origin = path;
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return core::fail(core::Error::io("cannot read: " + ec.message()).context(path));
    }
    if (size > opts.max_input_bytes) {
        return core::fail(core::Error::exhausted("file of " + std::to_string(size) +
                                                 " bytes is over the import limit of " +
                                                 std::to_string(opts.max_input_bytes))
                              .context(path));
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                      &std::fclose);
    if (!f) {
        return core::fail(core::Error::io("cannot open").context(path));
    }
    // Read at most the limit even if the file grew since it was measured.
    std::string text(static_cast<std::size_t>(size), '\0');
    std::size_t got = std::fread(text.data(), 1, text.size(), f.get());
    if (got != text.size() && std::ferror(f.get()) != 0) {
        return core::fail(core::Error::io("read failed").context(path));
    }
    text.resize(got);
    return import_text(text, opts, set);
}

}  // namespace cyberalarm::intel
