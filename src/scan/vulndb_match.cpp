// VulnDb::match: structured ranges first, the description's "before X" only for records
// that carry no ranges at all. Confidence rules are in vulndb.h.
#include <re2/re2.h>

#include <algorithm>

#include "scan/vulndb.h"

namespace cyberalarm::scan {
namespace {

bool keyed(const VersionRange& r, const ProductKey& p) {
    if (!r.vendor.empty()) {
        std::string key = r.vendor + ":" + r.product;
        return std::find(p.cpes.begin(), p.cpes.end(), key) != p.cpes.end();
    }
    return std::find(p.names.begin(), p.names.end(), r.product) != p.names.end();
}

// "debian:debian_linux:12.0" is met by a Debian 12 banner; "-"/"*" versions by any release.
bool platform_met(const std::string& platform, const DistroInfo& distro) {
    if (distro.name.empty()) {
        return false;
    }
    std::size_t a = platform.find(':');
    std::size_t b = a == std::string::npos ? a : platform.find(':', a + 1);
    if (b == std::string::npos) {
        return false;
    }
    std::string product = platform.substr(a + 1, b - a - 1);
    std::string version = platform.substr(b + 1);
    if (product.find(distro.name) == std::string::npos) {
        return false;
    }
    if (version == "*" || version == "-") {
        return true;
    }
    std::string major = version.substr(0, version.find('.'));
    return !distro.release.empty() && (version == distro.release || major == distro.release);
}

bool platforms_met(const VersionRange& r, const DistroInfo& distro) {
    if (r.platforms.empty()) {
        return true;
    }
    return std::any_of(r.platforms.begin(), r.platforms.end(),
                       [&distro](const std::string& p) { return platform_met(p, distro); });
}

std::string backport_note(const DistroInfo& distro, const std::string& id) {
    return "; the banner shows " + distro.name + " package revision " + distro.revision + ": " +
           distro.name +
           " backports security fixes without changing the upstream version, so this match "
           "rests on the upstream version alone and the package may already be fixed (check "
           "the " +
           distro.name + " security tracker for " + id + ")";
}

// "<name> before 10.0", "<name> through 3.8.4", "<name> prior to 1.6.22" in a description.
bool text_range(const std::string& summary, const ProductKey& product, VersionRange& out) {
    for (const std::string& name : product.names) {
        RE2 pattern("(?i)\\b" + RE2::QuoteMeta(name) +
                    R"(\b[^.;]{0,80}?\b(before|prior to|through|up to)\s+(?:version\s+)?v?(\d+(?:\.\d+)*[a-z0-9]*))");
        std::string op;
        std::string version;
        if (pattern.ok() && RE2::PartialMatch(summary, pattern, &op, &version)) {
            out.end = version;
            out.end_inclusive = op == "through" || op == "up to";
            out.source = "description";
            return true;
        }
    }
    return false;
}

}  // namespace

std::vector<VulnMatch> VulnDb::match(const ProductKey& product, std::string_view version,
                                     const DistroInfo& distro) const {
    std::vector<VulnMatch> out;
    if (version.empty()) {
        return out;
    }
    std::string v(version);
    for (const VulnRecord& rec : records_) {
        const VersionRange* hit = nullptr;
        for (const VersionRange& r : rec.ranges) {
            if (keyed(r, product) && platforms_met(r, distro) && r.contains(v) &&
                (r.exact != "-" || !r.platforms.empty())) {
                hit = &r;
                break;
            }
        }
        VulnMatch m;
        m.record = &rec;
        if (hit != nullptr) {
            m.confidence = distro.name.empty() ? Confidence::kHigh : Confidence::kLow;
            m.reason = v + " is within " + hit->describe() + " (" + hit->source + " record)";
        } else if (VersionRange text; rec.ranges.empty() && text_range(rec.summary, product, text)) {
            if (!text.contains(v)) {
                continue;
            }
            m.confidence = Confidence::kLow;
            m.reason = v + " is within " + text.describe() +
                       " as read from the description (the record has no structured ranges)";
        } else {
            continue;
        }
        if (!distro.name.empty()) {
            m.reason += backport_note(distro, rec.id);
        }
        out.push_back(std::move(m));
    }
    std::stable_sort(out.begin(), out.end(), [](const VulnMatch& a, const VulnMatch& b) {
        if (a.confidence != b.confidence) {
            return a.confidence > b.confidence;
        }
        return a.record->cvss > b.record->cvss;
    });
    return out;
}

}  // namespace cyberalarm::scan
