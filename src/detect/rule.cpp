#include "detect/rule.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "core/time.h"

namespace cyberalarm::detect {

namespace {

struct FieldName {
    Field field;
    std::string_view name;
};

constexpr std::array<FieldName, 16> kFieldNames = {{
    {Field::kSourceIp, "source.ip"},
    {Field::kDestinationIp, "destination.ip"},
    {Field::kSourcePort, "source.port"},
    {Field::kDestinationPort, "destination.port"},
    {Field::kTransport, "network.transport"},
    {Field::kAction, "event.action"},
    {Field::kCategory, "event.category"},
    {Field::kOutcome, "event.outcome"},
    {Field::kDirection, "network.direction"},
    {Field::kRuleId, "rule.id"},
    {Field::kRuleName, "rule.name"},
    {Field::kUserHash, "user.hash"},
    {Field::kObserverName, "observer.name"},
    {Field::kEventCode, "event.code"},
    {Field::kAppProtocol, "network.protocol"},
    {Field::kFormat, "event.module"},
}};

bool is_address(Field f) {
    return f == Field::kSourceIp || f == Field::kDestinationIp;
}
bool is_port(Field f) {
    return f == Field::kSourcePort || f == Field::kDestinationPort;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Errors from the YAML layer carry the line (1-based) of the offending node.
core::Error at(const YAML::Node& node, std::string_view origin, std::string message) {
    // A missing key gives an invalid node, whose Mark() would throw.
    auto line = node ? static_cast<std::uint64_t>(node.Mark().line + 1) : 0;
    return core::Error::invalid_argument(std::string(origin) + ":" + std::to_string(line) + ": " +
                                         std::move(message))
        .at_line(line);
}

std::vector<std::string> scalars(const YAML::Node& node) {
    std::vector<std::string> out;
    if (!node) {
        return out;
    }
    if (node.IsSequence()) {
        for (const auto& v : node) {
            if (v.IsScalar()) {
                out.push_back(v.as<std::string>());
            } else {
                out.emplace_back();  // marks a non-scalar entry for the caller to refuse
            }
        }
    } else if (node.IsScalar()) {
        out.push_back(node.as<std::string>());
    }
    return out;
}

core::Result<Condition> parse_condition(const std::string& name, const YAML::Node& values,
                                        std::string_view origin) {
    auto field = field_from_name(name);
    if (!field) {
        return core::fail(at(values, origin, "unknown event field '" + name + "'"));
    }
    Condition c;
    c.field = *field;
    auto list = scalars(values);
    if (list.empty()) {
        return core::fail(
            at(values, origin, "field '" + name + "' needs a value or a list of values"));
    }
    for (const auto& v : list) {
        if (v.empty()) {
            return core::fail(at(values, origin, "empty or non-scalar value for '" + name + "'"));
        }
        if (is_address(c.field)) {
            auto cidr = core::Cidr::parse(v);
            if (!cidr) {
                return core::fail(at(values, origin, "'" + v + "' is not an address or prefix"));
            }
            c.addresses.add(*cidr);
        } else if (is_port(c.field)) {
            auto dash = v.find('-');
            unsigned lo = 0;
            unsigned hi = 0;
            auto num = [](std::string_view s, unsigned& out) {
                auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
                return ec == std::errc() && end == s.data() + s.size() && out <= 65535;
            };
            bool ok = dash == std::string::npos
                          ? num(v, lo) && num(v, hi)
                          : num(std::string_view(v).substr(0, dash), lo) &&
                                num(std::string_view(v).substr(dash + 1), hi) && lo <= hi;
            if (!ok) {
                return core::fail(at(values, origin, "'" + v + "' is not a port or port range"));
            }
            c.ports.emplace_back(static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi));
        } else {
            c.words.push_back(lower(v));
        }
    }
    c.addresses.seal();
    return c;
}

core::Status parse_conditions(const YAML::Node& node, std::string_view origin,
                              std::vector<Condition>& out) {
    if (!node) {
        return {};
    }
    if (!node.IsMap()) {
        return core::fail(at(node, origin, "expected a map of event field: value(s)"));
    }
    for (const auto& kv : node) {
        auto c = parse_condition(kv.first.as<std::string>(), kv.second, origin);
        if (!c) {
            return core::fail(c.error());
        }
        out.push_back(std::move(*c));
    }
    return {};
}

core::Result<Rule> parse_rule(const YAML::Node& node, std::string_view origin) {
    static const std::set<std::string> kKeys = {
        "id",       "kind",     "severity",  "title",  "advice",      "match",   "match_not",
        "group_by", "distinct", "threshold", "window", "description", "sequence"};
    if (!node.IsMap()) {
        return core::fail(at(node, origin, "a rule must be a map"));
    }
    for (const auto& kv : node) {
        auto key = kv.first.as<std::string>();
        if (!kKeys.count(key)) {
            return core::fail(at(kv.first, origin, "unknown rule key '" + key + "'"));
        }
    }
    Rule r;
    r.origin = std::string(origin) + ":" + std::to_string(node.Mark().line + 1);
    auto required = [&](const char* key) -> core::Result<std::string> {
        if (!node[key] || !node[key].IsScalar()) {
            return core::fail(at(node, origin, std::string("rule needs '") + key + "'"));
        }
        return node[key].as<std::string>();
    };
    auto id = required("id");
    if (!id) {
        return core::fail(id.error());
    }
    r.id = *id;
    auto kind = required("kind");
    if (!kind) {
        return core::fail(kind.error());
    }
    auto k = finding_kind_from_string(*kind);
    if (!k) {
        return core::fail(at(node["kind"], origin, "unknown kind '" + *kind + "'"));
    }
    r.kind = *k;
    if (node["severity"]) {
        auto s = lower(node["severity"].as<std::string>());
        bool found = false;
        for (auto sev : {core::Severity::kInfo, core::Severity::kLow, core::Severity::kMedium,
                         core::Severity::kHigh, core::Severity::kCritical}) {
            if (core::to_string(sev) == s) {
                r.severity = sev;
                found = true;
            }
        }
        if (!found) {
            return core::fail(at(node["severity"], origin, "unknown severity '" + s + "'"));
        }
    }
    r.title = node["title"] ? node["title"].as<std::string>() : "";
    r.advice = node["advice"] ? node["advice"].as<std::string>() : "";
    if (auto s = parse_conditions(node["match"], origin, r.match); !s) {
        return core::fail(s.error());
    }
    if (auto s = parse_conditions(node["match_not"], origin, r.match_not); !s) {
        return core::fail(s.error());
    }
    for (const auto& name : scalars(node["group_by"])) {
        auto f = field_from_name(name);
        if (!f) {
            return core::fail(
                at(node["group_by"], origin, "unknown group_by field '" + name + "'"));
        }
        r.group_by.push_back(*f);
    }
    if (r.group_by.size() > 3) {
        return core::fail(at(node["group_by"], origin, "group_by takes at most 3 fields"));
    }
    if (node["distinct"]) {
        auto f = field_from_name(node["distinct"].as<std::string>());
        if (!f) {
            return core::fail(at(node["distinct"], origin, "unknown distinct field"));
        }
        r.distinct = *f;
    }
    if (node["sequence"]) {
        const YAML::Node& steps = node["sequence"];
        if (!steps.IsSequence() || steps.size() < 2 || steps.size() > 8) {
            return core::fail(at(steps, origin, "sequence needs a list of 2 to 8 steps"));
        }
        if (r.distinct) {
            return core::fail(
                at(steps, origin, "a rule takes either sequence or distinct, not both"));
        }
        for (const auto& step : steps) {
            if (!step.IsMap() || !step["match"]) {
                return core::fail(at(step, origin, "each sequence step needs 'match'"));
            }
            SequenceStep st;
            if (auto c = parse_conditions(step["match"], origin, st.match); !c) {
                return core::fail(c.error());
            }
            if (step["min"]) {
                auto text = step["min"].as<std::string>();
                auto [e, err] = std::from_chars(text.data(), text.data() + text.size(), st.min);
                if (err != std::errc() || e != text.data() + text.size() || st.min == 0 ||
                    st.min > 100000) {
                    return core::fail(
                        at(step["min"], origin, "min must be a whole number from 1 to 100000"));
                }
            }
            r.sequence.push_back(std::move(st));
        }
    }
    auto threshold = node["threshold"] ? node["threshold"].as<std::string>() : "1";
    auto [end, ec] =
        std::from_chars(threshold.data(), threshold.data() + threshold.size(), r.threshold);
    if (ec != std::errc() || end != threshold.data() + threshold.size() || r.threshold == 0 ||
        r.threshold > 1'000'000) {
        return core::fail(
            at(node["threshold"], origin, "threshold must be a whole number from 1 to 1000000"));
    }
    auto window = required("window");
    if (!window) {
        return core::fail(window.error());
    }
    auto w = parse_duration(*window);
    if (!w) {
        return core::fail(at(node["window"], origin, w.error().message()));
    }
    r.window_ns = *w;
    return r;
}

}  // namespace

std::optional<Field> field_from_name(std::string_view name) {
    for (const auto& f : kFieldNames) {
        if (f.name == name) {
            return f.field;
        }
    }
    return std::nullopt;
}

std::string_view field_word(const core::Event& e, Field f) {
    switch (f) {
        case Field::kTransport:
            return core::to_string(e.transport);
        case Field::kAction:
            return core::to_string(e.action);
        case Field::kCategory:
            return core::to_string(e.category);
        case Field::kOutcome:
            return core::to_string(e.outcome);
        case Field::kDirection:
            return core::to_string(e.direction);
        case Field::kRuleId:
            return e.rule_id;
        case Field::kRuleName:
            return e.rule_name;
        case Field::kUserHash:
            return e.user_hash;
        case Field::kObserverName:
            return e.observer_name;
        case Field::kEventCode:
            return e.event_code;
        case Field::kAppProtocol:
            return e.app_protocol;
        case Field::kFormat:
            return e.format;
        default:
            return {};
    }
}

std::string_view field_name(Field field) {
    for (const auto& f : kFieldNames) {
        if (f.field == field) {
            return f.name;
        }
    }
    return "?";
}

bool Condition::matches(const core::Event& e) const {
    if (is_address(field)) {
        return addresses.contains(field == Field::kSourceIp ? e.src_ip : e.dst_ip);
    }
    if (is_port(field)) {
        bool has = field == Field::kSourcePort ? e.has(core::Event::kSrcPort)
                                               : e.has(core::Event::kDstPort);
        if (!has) {
            return false;
        }
        std::uint16_t p = field == Field::kSourcePort ? e.src_port : e.dst_port;
        return std::any_of(ports.begin(), ports.end(),
                           [p](const auto& r) { return p >= r.first && p <= r.second; });
    }
    std::string_view v = field_word(e, field);
    for (const auto& w : words) {
        if (v.size() == w.size() && std::equal(v.begin(), v.end(), w.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == b;
            })) {
            return true;
        }
    }
    return false;
}

bool Rule::selects(const core::Event& e) const {
    for (const auto& c : match) {
        if (!c.matches(e)) {
            return false;
        }
    }
    for (const auto& c : match_not) {
        if (c.matches(e)) {
            return false;
        }
    }
    return true;
}

bool Rule::step_matches(std::size_t step, const core::Event& e) const {
    const auto& conds = sequence[step].match;
    return std::all_of(conds.begin(), conds.end(),
                       [&](const Condition& c) { return c.matches(e); });
}

core::Result<std::int64_t> parse_duration(std::string_view text) {
    if (text.size() < 2) {
        return core::fail(core::Error::invalid_argument(
            "duration '" + std::string(text) + "' needs a number and a unit (s, m, h, d)"));
    }
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    std::int64_t unit = 0;
    switch (text.back()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            break;
    }
    if (ec != std::errc() || end != text.data() + text.size() - 1 || unit == 0 || n <= 0 ||
        n > 366 * 86400 / unit) {
        return core::fail(
            core::Error::invalid_argument("duration '" + std::string(text) +
                                          "' is not like 90s, 10m, 2h or 1d (at most a year)"));
    }
    return n * unit * core::kNanosPerSecond;
}

core::Result<std::vector<Rule>> load_rules(std::string_view yaml, std::string_view origin) {
    YAML::Node doc;
    try {
        doc = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        return core::fail(core::Error::invalid_argument(std::string(origin) + ":" +
                                                        std::to_string(e.mark.line + 1) +
                                                        ": not valid YAML: " + e.msg)
                              .at_line(static_cast<std::uint64_t>(e.mark.line + 1)));
    }
    if (!doc.IsMap() || !doc["rules"] || !doc["rules"].IsSequence()) {
        return core::fail(core::Error::invalid_argument(std::string(origin) +
                                                        ": expected a top-level 'rules:' list"));
    }
    std::vector<Rule> rules;
    std::set<std::string> ids;
    try {
        for (const auto& node : doc["rules"]) {
            auto r = parse_rule(node, origin);
            if (!r) {
                return core::fail(r.error());
            }
            if (!ids.insert(r->id).second) {
                return core::fail(at(node, origin, "duplicate rule id '" + r->id + "'"));
            }
            rules.push_back(std::move(*r));
        }
    } catch (const YAML::Exception& e) {
        // A scalar where a map was expected and the like.
        return core::fail(core::Error::invalid_argument(
            std::string(origin) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg));
    }
    return rules;
}

core::Result<std::vector<Rule>> load_rules_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return core::fail(
            core::Error::not_found("rules directory '" + dir.string() + "' not found"));
    }
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
            files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<Rule> all;
    std::set<std::string> ids;
    for (const auto& f : files) {
        std::ifstream in(f);
        std::stringstream ss;
        ss << in.rdbuf();
        auto rules = load_rules(ss.str(), f.string());
        if (!rules) {
            return core::fail(rules.error());
        }
        for (auto& r : *rules) {
            if (!ids.insert(r.id).second) {
                return core::fail(
                    core::Error::invalid_argument(r.origin + ": duplicate rule id '" + r.id + "'"));
            }
            all.push_back(std::move(r));
        }
    }
    return all;
}

core::Result<std::vector<Rule>> builtin_rules() {
    return load_rules(builtin_rules_yaml(), "builtin.yaml");
}

}  // namespace cyberalarm::detect
