// VulnDb::match: structured ranges first, the description's "before X" only for records
// that carry no ranges at all. Confidence rules are in vulndb.h.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

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
// One pattern per product name, compiled once per match() call.
class TextRanges {
public:
    explicit TextRanges(const ProductKey& product) {
        for (const std::string& name : product.names) {
            auto re = std::make_unique<RE2>(
                "(?i)\\b" + RE2::QuoteMeta(name) +
                R"(\b[^.;]{0,80}?\b(before|prior to|through|up to)\s+(?:version\s+)?v?(\d+(?:\.\d+)*[a-z0-9]*))");
            if (re->ok()) {
                names_.push_back(name);
                patterns_.push_back(std::move(re));
            }
        }
    }

    bool find(const std::string& summary, VersionRange& out) const {
        for (std::size_t k = 0; k < patterns_.size(); ++k) {
            if (!contains_folded(summary, names_[k])) {
                continue;  // cheap test first: most descriptions name other products
            }
            std::string op;
            std::string version;
            if (RE2::PartialMatch(summary, *patterns_[k], &op, &version)) {
                out.end = version;
                out.end_inclusive = op == "through" || op == "up to";
                out.source = "description";
                return true;
            }
        }
        return false;
    }

private:
    static bool contains_folded(const std::string& text, const std::string& lower_name) {
        auto it = std::search(text.begin(), text.end(), lower_name.begin(), lower_name.end(),
                              [](char a, char b) {
                                  return std::tolower(static_cast<unsigned char>(a)) == b;
                              });
        return it != text.end();
    }

    std::vector<std::string> names_;
    std::vector<std::unique_ptr<RE2>> patterns_;
};

}  // namespace

std::vector<VulnMatch> VulnDb::match(const ProductKey& product, std::string_view version,
                                     const DistroInfo& distro) const {
    std::vector<VulnMatch> out;
    if (version.empty()) {
        return out;
    }
    std::string v(version);
    std::vector<std::size_t> candidates = textual_;
    auto take = [&](const std::string& key) {
        auto it = by_key_.find(key);
        if (it != by_key_.end()) {
            candidates.insert(candidates.end(), it->second.begin(), it->second.end());
        }
    };
    for (const std::string& cpe : product.cpes) {
        take(cpe);
    }
    for (const std::string& name : product.names) {
        take(":" + name);
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::optional<TextRanges> text_ranges;  // compiled only if a description must be read
    for (std::size_t index : candidates) {
        const VulnRecord& rec = records_[index];
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
        } else if (VersionRange text;
                   rec.ranges.empty() &&
                   (text_ranges ? *text_ranges : text_ranges.emplace(product)).find(rec.summary, text)) {
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
