#include "scan/vulndb.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

namespace cyberalarm::scan {

using Json = nlohmann::json;
using core::Error;
using core::fail;

namespace {
constexpr int kFormatVersion = 1;
constexpr const char* kFormatName = "cyberalarm-vulndb";
}  // namespace

std::string_view to_string(Confidence c) {
    switch (c) {
        case Confidence::kLow:
            return "low";
        case Confidence::kMedium:
            return "medium";
        case Confidence::kHigh:
            return "high";
    }
    return "low";
}

std::string normalise_name(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        out.push_back(c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

bool VersionRange::contains(std::string_view version) const {
    if (!exact.empty()) {
        return exact == "-" || compare_versions(version, exact) == 0;
    }
    if (!start.empty()) {
        int c = compare_versions(version, start);
        if (c < 0 || (c == 0 && !start_inclusive)) {
            return false;
        }
    }
    if (!end.empty()) {
        int c = compare_versions(version, end);
        if (c > 0 || (c == 0 && !end_inclusive)) {
            return false;
        }
    }
    return true;
}

std::string VersionRange::describe() const {
    if (!exact.empty()) {
        return exact == "-" ? std::string("any version") : "= " + exact;
    }
    std::string out;
    if (!start.empty()) {
        out = (start_inclusive ? ">= " : "> ") + start;
    }
    if (!end.empty()) {
        out += (out.empty() ? "" : ", ") + std::string(end_inclusive ? "<= " : "< ") + end;
    }
    return out.empty() ? std::string("any version") : out;
}

// ---- building -------------------------------------------------------------------------------

namespace {

bool same_range(const VersionRange& a, const VersionRange& b) {
    return a.vendor == b.vendor && a.product == b.product && a.exact == b.exact &&
           a.start == b.start && a.start_inclusive == b.start_inclusive && a.end == b.end &&
           a.end_inclusive == b.end_inclusive && a.platforms == b.platforms &&
           a.source == b.source;
}

}  // namespace

void VulnDb::index_ranges(std::size_t record, std::size_t first_range) {
    const VulnRecord& r = records_[record];
    for (std::size_t k = first_range; k < r.ranges.size(); ++k) {
        std::vector<std::size_t>& list = by_key_[r.ranges[k].vendor + ":" + r.ranges[k].product];
        if (list.empty() || list.back() != record) {
            list.push_back(record);
        }
    }
}

void VulnDb::add(VulnRecord record) {
    auto it = index_.find(record.id);
    if (it == index_.end()) {
        std::size_t at = records_.size();
        index_.emplace(record.id, at);
        if (record.ranges.empty()) {
            textual_.push_back(at);
        }
        records_.push_back(std::move(record));
        index_ranges(at, 0);
        return;
    }
    VulnRecord& have = records_[it->second];
    std::size_t first_new = have.ranges.size();
    if (have.cvss == 0 && record.cvss > 0) {
        have.cvss = record.cvss;
        have.cvss_vector = record.cvss_vector;
    }
    if (have.summary.empty()) {
        have.summary = record.summary;
    }
    for (std::string& s : record.sources) {
        if (std::find(have.sources.begin(), have.sources.end(), s) == have.sources.end()) {
            have.sources.push_back(std::move(s));
        }
    }
    for (VersionRange& r : record.ranges) {
        bool dup = std::any_of(have.ranges.begin(), have.ranges.end(),
                               [&r](const VersionRange& h) { return same_range(h, r); });
        if (!dup) {
            have.ranges.push_back(std::move(r));
        }
    }
    index_ranges(it->second, first_new);
}

const VulnRecord* VulnDb::find(std::string_view id) const {
    auto it = index_.find(std::string(id));
    return it == index_.end() ? nullptr : &records_[it->second];
}

namespace {

core::Result<std::string> read_all(const std::filesystem::path& file, std::size_t limit) {
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    if (ec) {
        return fail(Error::io("cannot read " + file.string() + ": " + ec.message()));
    }
    if (size > limit) {
        return fail(Error::exhausted(file.string() + " is larger than " +
                                     std::to_string(limit) + " bytes"));
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(Error::io("cannot open " + file.string()));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

core::Status VulnDb::import_file(const std::filesystem::path& file) {
    auto text = read_all(file, kMaxFileBytes);
    if (!text) {
        return fail(text.error());
    }
    auto records = parse_vuln_json(*text);
    if (!records) {
        return fail(Error(records.error()).context("importing " + file.string()));
    }
    for (VulnRecord& r : *records) {
        add(std::move(r));
    }
    return {};
}

core::Result<std::size_t> VulnDb::import_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".json") {
            files.push_back(it->path());
        }
    }
    if (ec) {
        return fail(Error::io("reading " + dir.string() + ": " + ec.message()));
    }
    std::sort(files.begin(), files.end());  // the same database whatever the directory order
    for (const auto& f : files) {
        if (auto st = import_file(f); !st) {
            return fail(st.error());
        }
    }
    return files.size();
}

// ---- file format ----------------------------------------------------------------------------

namespace {

Json range_json(const VersionRange& r) {
    // Both flags always: a flag on an absent bound must survive a save and load too.
    Json j = {{"vendor", r.vendor},
              {"product", r.product},
              {"source", r.source},
              {"start_inclusive", r.start_inclusive},
              {"end_inclusive", r.end_inclusive}};
    if (!r.exact.empty()) {
        j["exact"] = r.exact;
    }
    if (!r.start.empty()) {
        j["start"] = r.start;
    }
    if (!r.end.empty()) {
        j["end"] = r.end;
    }
    if (!r.platforms.empty()) {
        j["platforms"] = r.platforms;
    }
    return j;
}

std::string get_string(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool get_bool(const Json& j, const char* key, bool fallback) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::vector<std::string> get_strings(const Json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it != j.end() && it->is_array()) {
        for (const Json& s : *it) {
            if (s.is_string()) {
                out.push_back(s.get<std::string>());
            }
        }
    }
    return out;
}

core::Result<VulnRecord> record_from_json(const Json& j) {
    if (!j.is_object()) {
        return fail(Error::parse("record is not an object"));
    }
    VulnRecord r;
    r.id = get_string(j, "id");
    if (r.id.rfind("CVE-", 0) != 0) {
        return fail(Error::parse("record without a CVE id", "id"));
    }
    if (auto it = j.find("cvss"); it != j.end() && it->is_number()) {
        r.cvss = std::clamp(it->get<double>(), 0.0, 10.0);
    }
    r.cvss_vector = get_string(j, "vector");
    r.summary = get_string(j, "summary");
    r.sources = get_strings(j, "sources");
    if (auto it = j.find("ranges"); it != j.end() && it->is_array()) {
        for (const Json& rj : *it) {
            if (!rj.is_object()) {
                return fail(Error::parse("range is not an object", "ranges"));
            }
            VersionRange v;
            v.vendor = get_string(rj, "vendor");
            v.product = get_string(rj, "product");
            v.source = get_string(rj, "source");
            v.exact = get_string(rj, "exact");
            v.start = get_string(rj, "start");
            v.start_inclusive = get_bool(rj, "start_inclusive", true);
            v.end = get_string(rj, "end");
            v.end_inclusive = get_bool(rj, "end_inclusive", false);
            v.platforms = get_strings(rj, "platforms");
            r.ranges.push_back(std::move(v));
        }
    }
    return r;
}

}  // namespace

std::string VulnDb::serialise() const {
    std::string out = Json{{"format", kFormatName}, {"version", kFormatVersion},
                           {"records", records_.size()}}
                          .dump() +
                      "\n";
    for (const VulnRecord& r : records_) {
        Json ranges = Json::array();
        for (const VersionRange& v : r.ranges) {
            ranges.push_back(range_json(v));
        }
        Json j = {{"id", r.id},           {"cvss", r.cvss},       {"vector", r.cvss_vector},
                  {"summary", r.summary}, {"sources", r.sources}, {"ranges", ranges}};
        // Replacement instead of throwing on invalid UTF-8 in a summary.
        out += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    }
    return out;
}

core::Result<VulnDb> VulnDb::parse(std::string_view text) {
    VulnDb db;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        if (line.empty()) {
            continue;
        }
        Json j = Json::parse(line.begin(), line.end(), nullptr, false);
        if (j.is_discarded()) {
            return fail(Error::parse("not valid JSON").at_line(line_no));
        }
        if (line_no == 1) {
            if (!j.is_object() || get_string(j, "format") != kFormatName ||
                j.value("version", Json()).is_number_integer() == false ||
                j["version"].get<std::int64_t>() != kFormatVersion) {
                return fail(Error::unsupported("not a cyberalarm-vulndb version 1 file"));
            }
            continue;
        }
        auto r = record_from_json(j);
        if (!r) {
            return fail(Error(r.error()).at_line(line_no));
        }
        db.add(std::move(*r));
    }
    if (line_no == 0) {
        return fail(Error::parse("empty vulnerability database"));
    }
    return db;
}

core::Status VulnDb::save(const std::filesystem::path& file) const {
    std::filesystem::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << serialise();
        out.flush();
        if (!out) {
            return fail(Error::io("cannot write " + tmp.string()));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        return fail(Error::io("cannot rename " + tmp.string() + ": " + ec.message()));
    }
    return {};
}

core::Result<VulnDb> VulnDb::load(const std::filesystem::path& file) {
    auto text = read_all(file, kMaxFileBytes);
    if (!text) {
        return fail(text.error());
    }
    auto db = parse(*text);
    if (!db) {
        return fail(Error(db.error()).context("loading " + file.string()));
    }
    return db;
}

}  // namespace cyberalarm::scan
