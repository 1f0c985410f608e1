// Importers: NVD CVE API 2.0 objects and CVE JSON 5 records → VulnRecord (vulndb.h).
// Untrusted input: every field is checked for type before use; nothing throws.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "scan/vulndb.h"

namespace cyberalarm::scan {
namespace {

using Json = nlohmann::json;
using core::Error;
using core::fail;

std::string str(const Json& j, const char* key) {
    if (!j.is_object()) {
        return {};
    }
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json* member(const Json& j, const char* key) {
    if (!j.is_object()) {
        return nullptr;
    }
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

const Json* array(const Json& j, const char* key) {
    const Json* m = member(j, key);
    return m != nullptr && m->is_array() ? m : nullptr;
}

std::string english(const Json& j) {
    const Json* d = array(j, "descriptions");
    if (d == nullptr) {
        return {};
    }
    for (const Json& e : *d) {
        std::string lang = str(e, "lang");
        if (lang == "en" || lang.rfind("en-", 0) == 0) {
            return str(e, "value");
        }
    }
    return {};
}

// ---- CPE 2.3 --------------------------------------------------------------------------------

// Splits a CPE 2.3 formatted string on unescaped ':' and drops the escapes.
std::vector<std::string> cpe_fields(std::string_view cpe) {
    std::vector<std::string> out(1);
    for (std::size_t i = 0; i < cpe.size() && out.size() <= 13; ++i) {
        if (cpe[i] == '\\' && i + 1 < cpe.size()) {
            out.back().push_back(cpe[++i]);
        } else if (cpe[i] == ':') {
            out.emplace_back();
        } else {
            out.back().push_back(cpe[i]);
        }
    }
    return out;
}

struct Cpe {
    std::string vendor, product, version;  // version "*" any, "-" not applicable
};

std::optional<Cpe> parse_cpe(std::string_view text) {
    std::vector<std::string> f = cpe_fields(text);
    if (f.size() < 6 || f[0] != "cpe" || f[1] != "2.3") {
        return std::nullopt;
    }
    Cpe c{normalise_name(f[3]), normalise_name(f[4]), f[5]};
    const std::string& update = f.size() > 6 ? f[6] : std::string();
    // OpenSSH's portable releases appear as version "8.5", update "p1".
    if (c.version != "*" && c.version != "-" && !update.empty() && update != "*" &&
        update != "-") {
        c.version += update;
    }
    return c;
}

VersionRange range_from_cpe_match(const Json& m, const Cpe& cpe) {
    VersionRange r;
    r.vendor = cpe.vendor;
    r.product = cpe.product;
    r.source = "nvd";
    if (cpe.version != "*") {
        r.exact = cpe.version;
        return r;
    }
    if (std::string s = str(m, "versionStartIncluding"); !s.empty()) {
        r.start = s;
    } else if (std::string x = str(m, "versionStartExcluding"); !x.empty()) {
        r.start = x;
        r.start_inclusive = false;
    }
    if (std::string e = str(m, "versionEndExcluding"); !e.empty()) {
        r.end = e;
    } else if (std::string i = str(m, "versionEndIncluding"); !i.empty()) {
        r.end = i;
        r.end_inclusive = true;
    }
    return r;
}

// One configuration: vulnerable CPEs become ranges; in an AND configuration the
// non-vulnerable CPEs of its other nodes are the platforms those ranges need.
void nvd_configuration(const Json& config, std::vector<VersionRange>& out) {
    const Json* nodes = array(config, "nodes");
    if (nodes == nullptr) {
        return;
    }
    bool conjunction = str(config, "operator") == "AND";
    std::vector<VersionRange> found;
    std::vector<std::string> platforms;
    for (const Json& node : *nodes) {
        if (const Json* neg = member(node, "negate"); neg != nullptr && neg->is_boolean() &&
                                                       neg->get<bool>()) {
            continue;  // "everything except": not something a banner can confirm
        }
        const Json* matches = array(node, "cpeMatch");
        if (matches == nullptr) {
            continue;
        }
        for (const Json& m : *matches) {
            auto cpe = parse_cpe(str(m, "criteria"));
            if (!cpe) {
                continue;
            }
            const Json* vuln = member(m, "vulnerable");
            if (vuln != nullptr && vuln->is_boolean() && vuln->get<bool>()) {
                found.push_back(range_from_cpe_match(m, *cpe));
            } else {
                platforms.push_back(cpe->vendor + ":" + cpe->product + ":" + cpe->version);
            }
        }
    }
    for (VersionRange& r : found) {
        if (conjunction) {
            r.platforms = platforms;
        }
        out.push_back(std::move(r));
    }
}

double nvd_score(const Json& cve, std::string& vector) {
    const Json* metrics = member(cve, "metrics");
    if (metrics == nullptr || !metrics->is_object()) {
        return 0;
    }
    for (const char* key : {"cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2"}) {
        const Json* list = array(*metrics, key);
        if (list == nullptr || list->empty()) {
            continue;
        }
        // The primary (NVD's own) score when there is one, else the first.
        const Json* pick = &list->front();
        for (const Json& m : *list) {
            if (str(m, "type") == "Primary") {
                pick = &m;
                break;
            }
        }
        const Json* data = member(*pick, "cvssData");
        const Json* score = data != nullptr ? member(*data, "baseScore") : nullptr;
        if (score != nullptr && score->is_number()) {
            vector = str(*data, "vectorString");
            return std::clamp(score->get<double>(), 0.0, 10.0);
        }
    }
    return 0;
}

VulnRecord parse_nvd(const Json& cve) {
    VulnRecord r;
    r.id = str(cve, "id");
    r.summary = english(cve);
    r.sources = {"nvd"};
    r.cvss = nvd_score(cve, r.cvss_vector);
    if (const Json* configs = array(cve, "configurations")) {
        for (const Json& c : *configs) {
            nvd_configuration(c, r.ranges);
        }
    }
    return r;
}

// ---- CVE JSON 5 -----------------------------------------------------------------------------

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

// ">= 7.0.0, < 7.2.6", "< 6.2.17", "= 1.2": GitHub advisories' range syntax. False if
// `text` is not in it.
bool parse_range_string(std::string_view text, VersionRange& r) {
    if (text.empty() || (text.front() != '<' && text.front() != '>' && text.front() != '=')) {
        return false;
    }
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t comma = text.find(',', pos);
        std::string part = trim(text.substr(pos, comma == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : comma - pos));
        pos = comma == std::string_view::npos ? text.size() : comma + 1;
        std::size_t op_len = part.size() > 1 && part[1] == '=' ? 2 : 1;
        std::string op = part.substr(0, op_len);
        std::string v = trim(std::string_view(part).substr(std::min(op_len, part.size())));
        if (v.empty()) {
            return false;
        }
        if (op == ">=" || op == ">") {
            r.start = v;
            r.start_inclusive = op == ">=";
        } else if (op == "<=" || op == "<") {
            r.end = v;
            r.end_inclusive = op == "<=";
        } else if (op == "=" || op == "==") {
            r.exact = v;
        } else {
            return false;
        }
    }
    return true;
}

bool unbounded(const std::string& v) { return v.empty() || v == "*" || v == "0"; }

// One versions[] entry with a range: the affected stretches once `changes` are applied.
void cve5_range(const Json& v, const VersionRange& base, std::vector<VersionRange>& out) {
    std::string status = str(v, "status");
    std::string start = str(v, "version");
    std::string end = str(v, "lessThan");
    bool end_inclusive = false;
    if (end.empty()) {
        end = str(v, "lessThanOrEqual");
        end_inclusive = true;
    }
    std::vector<std::pair<std::string, std::string>> changes;
    if (const Json* ch = array(v, "changes")) {
        for (const Json& c : *ch) {
            if (!str(c, "at").empty()) {
                changes.emplace_back(str(c, "at"), str(c, "status"));
            }
        }
    }
    std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) {
        return compare_versions(a.first, b.first) < 0;
    });
    // Walk the boundaries: [start, c1) status, [c1, c2) c1.status, … up to the end.
    std::string from = unbounded(start) ? std::string() : start;
    for (std::size_t k = 0; k <= changes.size(); ++k) {
        bool last = k == changes.size();
        if (status == "affected") {
            VersionRange r = base;
            r.start = from;
            if (last) {
                r.end = end == "*" ? std::string() : end;
                r.end_inclusive = end_inclusive;
            } else {
                r.end = changes[k].first;
            }
            out.push_back(std::move(r));
        }
        if (!last) {
            from = changes[k].first;
            status = changes[k].second;
        }
    }
}

void cve5_affected(const Json& a, std::vector<VersionRange>& out) {
    VersionRange base;
    base.source = "cve5";
    std::string vendor = str(a, "vendor");
    std::string product = str(a, "product");
    if (product.empty() || product == "n/a") {
        product = str(a, "packageName");
    }
    if (product.empty() || product == "n/a") {
        return;  // nothing a banner could be matched against
    }
    base.vendor = vendor == "n/a" ? std::string() : normalise_name(vendor);
    base.product = normalise_name(product);
    const Json* versions = array(a, "versions");
    if (versions == nullptr) {
        if (str(a, "defaultStatus") == "affected") {
            out.push_back(base);  // every version
        }
        return;
    }
    for (const Json& v : *versions) {
        bool ranged = !str(v, "lessThan").empty() || !str(v, "lessThanOrEqual").empty();
        if (ranged) {
            cve5_range(v, base, out);
            continue;
        }
        if (str(v, "status") != "affected") {
            continue;
        }
        VersionRange r = base;
        std::string version = str(v, "version");
        if (parse_range_string(version, r)) {
            out.push_back(std::move(r));
        } else if (!version.empty() && version != "n/a" && version != "*") {
            r.exact = version;
            out.push_back(std::move(r));
        }
    }
}

double cve5_score(const Json& container, std::string& vector) {
    const Json* metrics = array(container, "metrics");
    if (metrics == nullptr) {
        return 0;
    }
    for (const char* key : {"cvssV3_1", "cvssV3_0", "cvssV4_0", "cvssV2_0"}) {
        for (const Json& m : *metrics) {
            const Json* c = member(m, key);
            const Json* score = c != nullptr ? member(*c, "baseScore") : nullptr;
            if (score != nullptr && score->is_number()) {
                vector = str(*c, "vectorString");
                return std::clamp(score->get<double>(), 0.0, 10.0);
            }
        }
    }
    return 0;
}

VulnRecord parse_cve5(const Json& doc) {
    VulnRecord r;
    r.sources = {"cve5"};
    if (const Json* meta = member(doc, "cveMetadata")) {
        r.id = str(*meta, "cveId");
    }
    const Json* containers = member(doc, "containers");
    if (containers == nullptr) {
        return r;
    }
    std::vector<const Json*> all;
    if (const Json* cna = member(*containers, "cna"); cna != nullptr && cna->is_object()) {
        all.push_back(cna);
        r.summary = english(*cna);
    }
    if (const Json* adp = array(*containers, "adp")) {
        for (const Json& a : *adp) {
            all.push_back(&a);
        }
    }
    for (const Json* c : all) {
        if (r.cvss == 0) {
            r.cvss = cve5_score(*c, r.cvss_vector);
        }
        if (const Json* affected = array(*c, "affected")) {
            for (const Json& a : *affected) {
                cve5_affected(a, r.ranges);
            }
        }
    }
    return r;
}

bool valid_id(const std::string& id) { return id.rfind("CVE-", 0) == 0 && id.size() <= 32; }

}  // namespace

core::Result<std::vector<VulnRecord>> parse_vuln_json(std::string_view json) {
    Json doc = Json::parse(json.begin(), json.end(), nullptr, false);
    if (doc.is_discarded()) {
        return fail(Error::parse("not valid JSON"));
    }
    std::vector<VulnRecord> out;
    auto keep = [&out](VulnRecord r) -> core::Status {
        if (!valid_id(r.id)) {
            return fail(Error::parse("record without a CVE id", "id"));
        }
        out.push_back(std::move(r));
        return {};
    };
    if (member(doc, "cveMetadata") != nullptr) {
        auto st = keep(parse_cve5(doc));
        if (!st) {
            return fail(st.error());
        }
        return out;
    }
    if (const Json* list = array(doc, "vulnerabilities")) {
        for (const Json& item : *list) {
            const Json* cve = member(item, "cve");
            if (cve == nullptr) {
                continue;
            }
            if (auto st = keep(parse_nvd(*cve)); !st) {
                return fail(st.error());
            }
        }
        return out;
    }
    if (member(doc, "configurations") != nullptr || member(doc, "vulnStatus") != nullptr ||
        member(doc, "sourceIdentifier") != nullptr) {
        if (auto st = keep(parse_nvd(doc)); !st) {
            return fail(st.error());
        }
        return out;
    }
    return fail(Error::unsupported("neither a CVE JSON 5 record nor an NVD CVE object"));
}

}  // namespace cyberalarm::scan
