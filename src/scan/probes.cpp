#include "scan/probes.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <set>
#include <sstream>

namespace cyberalarm::scan {

using core::Error;
using core::fail;

namespace {

constexpr std::size_t kMaxProbeFileBytes = 1 << 20;

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

core::Result<std::string> from_hex(std::string_view text, const std::string& where) {
    std::string out;
    int high = -1;
    for (char c : text) {
        if (c == ' ') {
            continue;
        }
        int v = hex_value(c);
        if (v < 0) {
            return fail(Error::parse("send_hex has a non-hex character", where));
        }
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<char>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) {
        return fail(Error::parse("send_hex has an odd number of digits", where));
    }
    return out;
}

// Highest $N a template refers to.
int max_group(const std::string& tpl) {
    int n = 0;
    for (std::size_t i = 0; i + 1 < tpl.size(); ++i) {
        if (tpl[i] == '$' && tpl[i + 1] >= '1' && tpl[i + 1] <= '9') {
            n = std::max(n, tpl[i + 1] - '0');
        }
    }
    return n;
}

std::string scalar(const YAML::Node& n, const char* key) {
    YAML::Node v = n[key];
    return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

std::vector<std::string> strings(const YAML::Node& n, const char* key) {
    std::vector<std::string> out;
    YAML::Node v = n[key];
    if (v && v.IsSequence()) {
        for (const YAML::Node& s : v) {
            if (s.IsScalar()) {
                out.push_back(s.as<std::string>());
            }
        }
    }
    return out;
}

core::Result<std::vector<std::uint16_t>> ports(const YAML::Node& n, const char* key,
                                                const std::string& where) {
    std::vector<std::uint16_t> out;
    for (const std::string& s : strings(n, key)) {
        char* end = nullptr;
        long v = std::strtol(s.c_str(), &end, 10);
        if (end == s.c_str() || *end != '\0' || v < 1 || v > 65535) {
            return fail(Error::parse("bad port '" + s + "'", where));
        }
        out.push_back(static_cast<std::uint16_t>(v));
    }
    return out;
}

core::Result<MatchRule> parse_rule(const YAML::Node& m, const std::string& where) {
    if (!m.IsMap()) {
        return fail(Error::parse("a match must be a mapping", where));
    }
    MatchRule r;
    r.pattern_text = scalar(m, "pattern");
    r.service = scalar(m, "service");
    if (r.pattern_text.empty() || r.service.empty()) {
        return fail(Error::parse("a match needs a pattern and a service", where));
    }
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_dot_nl(true);
    o.set_log_errors(false);
    auto re = std::make_shared<RE2>(r.pattern_text, o);
    if (!re->ok()) {
        return fail(Error::parse("pattern does not compile: " + re->error(), where));
    }
    r.product = scalar(m, "product");
    r.version = scalar(m, "version");
    r.extra = scalar(m, "extra");
    for (const std::string* t : {&r.service, &r.product, &r.version, &r.extra}) {
        if (max_group(*t) > re->NumberOfCapturingGroups()) {
            return fail(Error::parse("template '" + *t + "' names a group the pattern lacks", where));
        }
    }
    for (const std::string& c : strings(m, "cpe")) {
        r.key.cpes.push_back(normalise_name(c));
    }
    for (const std::string& c : strings(m, "names")) {
        r.key.names.push_back(normalise_name(c));
    }
    r.pattern = std::move(re);
    return r;
}

core::Result<Probe> parse_probe(const YAML::Node& p, std::size_t index) {
    std::string where = "probes[" + std::to_string(index) + "]";
    if (!p.IsMap()) {
        return fail(Error::parse("a probe must be a mapping", where));
    }
    Probe probe;
    probe.name = scalar(p, "name");
    if (probe.name.empty()) {
        return fail(Error::parse("a probe needs a name", where));
    }
    where += " (" + probe.name + ")";
    if (p["send_hex"]) {
        auto bytes = from_hex(scalar(p, "send_hex"), where);
        if (!bytes) {
            return fail(bytes.error());
        }
        probe.payload = std::move(*bytes);
    } else if (p["send"]) {
        probe.payload = scalar(p, "send");
    } else {
        return fail(Error::parse("a probe needs send or send_hex", where));
    }
    auto pl = ports(p, "ports", where);
    if (!pl) {
        return fail(pl.error());
    }
    probe.ports = std::move(*pl);
    probe.tls = p["tls"] && p["tls"].IsScalar() && p["tls"].as<std::string>() == "true";
    YAML::Node matches = p["matches"];
    if (!matches || !matches.IsSequence() || matches.size() == 0) {
        return fail(Error::parse("a probe needs at least one match", where));
    }
    for (std::size_t k = 0; k < matches.size(); ++k) {
        auto rule = parse_rule(matches[k], where + ".matches[" + std::to_string(k) + "]");
        if (!rule) {
            return fail(rule.error());
        }
        probe.matches.push_back(std::move(*rule));
    }
    return probe;
}

int bounded_int(const YAML::Node& n, const char* key, int fallback, int lo, int hi) {
    std::string s = scalar(n, key);
    if (s.empty()) {
        return fallback;
    }
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    return end != s.c_str() && *end == '\0' ? static_cast<int>(std::clamp<long>(v, lo, hi))
                                            : fallback;
}

core::Status parse_document(const YAML::Node& root, ProbeSettings& settings,
                            std::vector<Probe>& probes) {
    if (!root.IsMap() || scalar(root, "format") != "cyberalarm-probes" ||
        scalar(root, "version") != "1") {
        return fail(Error::unsupported("not a cyberalarm-probes version 1 file"));
    }
    if (YAML::Node s = root["settings"]; s && s.IsMap()) {
        settings.banner_wait_ms = bounded_int(s, "banner_wait_ms", 1200, 50, 30000);
        settings.probe_wait_ms = bounded_int(s, "probe_wait_ms", 1200, 50, 30000);
        settings.idle_ms = bounded_int(s, "idle_ms", 250, 10, 10000);
        settings.max_response_bytes =
            static_cast<std::size_t>(bounded_int(s, "max_response_bytes", 32768, 256, 1 << 20));
        auto tp = ports(s, "tls_ports", "settings");
        if (!tp) {
            return fail(tp.error());
        }
        settings.tls_ports = std::move(*tp);
    }
    YAML::Node list = root["probes"];
    if (!list || !list.IsSequence()) {
        return fail(Error::parse("no probes list", "probes"));
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto p = parse_probe(list[i], i);
        if (!p) {
            return fail(p.error());
        }
        if (!names.insert(p->name).second) {
            return fail(Error::parse("probe name '" + p->name + "' is used twice", "probes"));
        }
        probes.push_back(std::move(*p));
    }
    return {};
}

std::string expand(const std::string& tpl, const std::vector<std::string>& groups) {
    std::string out;
    for (std::size_t i = 0; i < tpl.size(); ++i) {
        if (tpl[i] == '$' && i + 1 < tpl.size() && tpl[i + 1] >= '1' && tpl[i + 1] <= '9') {
            std::size_t g = static_cast<std::size_t>(tpl[i + 1] - '1');
            if (g < groups.size()) {
                out += groups[g];
            }
            ++i;
        } else {
            out.push_back(tpl[i]);
        }
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\r')) {
        out.pop_back();
    }
    return out;
}

}  // namespace

core::Result<ProbeSet> ProbeSet::parse(std::string_view yaml) {
    if (yaml.size() > kMaxProbeFileBytes) {
        return fail(Error::exhausted("probe file larger than 1 MiB"));
    }
    ProbeSet set;
    try {
        YAML::Node root = YAML::Load(std::string(yaml));
        auto st = parse_document(root, set.settings_, set.probes_);
        if (!st) {
            return fail(st.error());
        }
    } catch (const std::exception& e) {
        // yaml-cpp reports syntax errors by throwing; this is start-up configuration.
        return fail(Error::parse(std::string("probe file is not valid YAML: ") + e.what()));
    }
    return set;
}

core::Result<ProbeSet> ProbeSet::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(Error::not_found("cannot open probe file " + file.string()));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    auto set = parse(ss.str());
    if (!set) {
        return fail(Error(set.error()).context(file.string()));
    }
    return set;
}

std::filesystem::path ProbeSet::default_path() {
    if (const char* env = std::getenv("CYBERALARM_SCAN_PROBES"); env != nullptr && *env != 0) {
        return env;
    }
    return CA_SCAN_DEFAULT_PROBES;
}

std::vector<const Probe*> ProbeSet::ordered_for(std::uint16_t port) const {
    std::vector<const Probe*> first;
    std::vector<const Probe*> rest;
    for (const Probe& p : probes_) {
        if (p.payload.empty()) {
            continue;
        }
        bool listed = std::find(p.ports.begin(), p.ports.end(), port) != p.ports.end();
        (listed ? first : rest).push_back(&p);
    }
    first.insert(first.end(), rest.begin(), rest.end());
    return first;
}

const Probe* ProbeSet::greeting() const {
    for (const Probe& p : probes_) {
        if (p.payload.empty()) {
            return &p;
        }
    }
    return nullptr;
}

std::optional<Identity> ProbeSet::match(const Probe& probe, std::string_view response) {
    for (const MatchRule& rule : probe.matches) {
        int n = rule.pattern->NumberOfCapturingGroups();
        std::vector<re2::StringPiece> pieces(static_cast<std::size_t>(n) + 1);
        if (!rule.pattern->Match(re2::StringPiece(response.data(), response.size()), 0,
                                 response.size(), RE2::UNANCHORED, pieces.data(), n + 1)) {
            continue;
        }
        std::vector<std::string> groups;
        for (int g = 1; g <= n; ++g) {
            const re2::StringPiece& sp = pieces[static_cast<std::size_t>(g)];
            groups.emplace_back(sp.data() == nullptr ? std::string() : std::string(sp.data(), sp.size()));
        }
        Identity id;
        id.service = expand(rule.service, groups);
        id.product = expand(rule.product, groups);
        id.version = expand(rule.version, groups);
        id.extra = expand(rule.extra, groups);
        id.distro = split_distro(id.extra);
        id.key = rule.key;
        id.probe = probe.name;
        return id;
    }
    return std::nullopt;
}

std::string printable(std::string_view bytes, std::size_t max) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        if (out.size() >= max) {
            out += "…";
            break;
        }
        if (c >= 0x20 && c < 0x7f) {
            out.push_back(static_cast<char>(c));
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

}  // namespace cyberalarm::scan
