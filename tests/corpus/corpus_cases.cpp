#include "corpus/corpus_cases.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "support/test_support.h"

namespace cyberalarm::test {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void flatten(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it->is_object()) {
            flatten(*it, key, out);
        } else if (it->is_string()) {
            out[key] = it->get<std::string>();
        } else if (it->is_number() || it->is_boolean()) {
            out[key] = it->dump();
        }
        // Arrays (related.ip, event.category …) are not compared field by field.
    }
}

std::vector<std::string> read_lines(const fs::path& p) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(p));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lines.push_back(line);
    }
    return lines;
}

void load_elastic(const std::string& vendor, const fs::path& log, std::vector<CorpusCase>& out) {
    fs::path expected_path = log.string() + "-expected.json";
    auto lines = read_lines(log);
    json expected = json::array();
    if (fs::exists(expected_path)) {
        auto doc = json::parse(read_file(expected_path), nullptr, false);
        if (!doc.is_discarded() && doc.contains("expected")) {
            expected = doc["expected"];
        }
    }
    // The expected documents follow the non-empty lines of the .log, in order.
    std::size_t doc = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].empty()) {
            continue;
        }
        CorpusCase c{vendor, log.filename().string(), i, lines[i], false, {}};
        if (doc < expected.size() && expected[doc].is_object()) {
            flatten(expected[doc], "", c.expected);
            c.has_expectation = true;
        }
        ++doc;
        out.push_back(std::move(c));
    }
}

// CrowdSec's field names for what we compare.
const std::map<std::string, std::string>& crowdsec_names() {
    static const std::map<std::string, std::string> kNames = {
        {"src_ip", "source.ip"},          {"source_ip", "source.ip"},
        {"dst_ip", "destination.ip"},     {"src_port", "source.port"},
        {"dst_port", "destination.port"}, {"proto", "network.transport"},
        {"action", "event.action"},
    };
    return kNames;
}

// One line of a CrowdSec parser.assert that we use:
//   results["STAGE"]["NODE"][I].Success == true|false
//   results["STAGE"]["NODE"][I].Evt.Parsed["KEY"] == "VALUE"   (or .Evt.Meta)
// Read by hand: GCC 12 warns falsely inside std::regex under -O2 with sanitizers.
struct Assertion {
    std::string stage;
    std::string node;
    std::size_t index = 0;
    bool is_success = false;
    bool success = false;
    std::string key;
    std::string value;
};

bool take_bracketed(std::string_view& s, std::string& out) {
    if (!s.starts_with("[\"")) {
        return false;
    }
    auto end = s.find("\"]", 2);
    if (end == std::string_view::npos) {
        return false;
    }
    out = std::string(s.substr(2, end - 2));
    s.remove_prefix(end + 2);
    return true;
}

std::optional<Assertion> parse_assertion(std::string_view s) {
    Assertion a;
    if (!s.starts_with("results")) {
        return std::nullopt;
    }
    s.remove_prefix(7);
    if (!take_bracketed(s, a.stage) || !take_bracketed(s, a.node) || !s.starts_with("[")) {
        return std::nullopt;
    }
    auto close = s.find(']');
    if (close == std::string_view::npos || close == 1) {
        return std::nullopt;
    }
    for (char c : s.substr(1, close - 1)) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        a.index = a.index * 10 + static_cast<std::size_t>(c - '0');
    }
    s.remove_prefix(close + 1);
    if (s == ".Success == true" || s == ".Success == false") {
        a.is_success = true;
        a.success = s.ends_with("true");
        return a;
    }
    for (std::string_view section : {".Evt.Parsed", ".Evt.Meta"}) {
        if (s.starts_with(section)) {
            s.remove_prefix(section.size());
            if (!take_bracketed(s, a.key) || !s.starts_with(" == \"") || !s.ends_with("\"") ||
                s.size() < 6) {
                return std::nullopt;
            }
            a.value = std::string(s.substr(5, s.size() - 6));
            return a;
        }
    }
    return std::nullopt;
}

void load_crowdsec(const std::string& vendor, const fs::path& log, std::vector<CorpusCase>& out) {
    auto lines = read_lines(log);
    std::vector<CorpusCase> cases;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!lines[i].empty()) {
            cases.push_back({vendor, log.filename().string(), i, lines[i], false, {}});
        }
    }
    // <prefix>__<name>.log pairs with <prefix>__parser.assert.
    std::string name = log.filename().string();
    auto sep = name.find("__", std::string("crowdsec__").size());
    fs::path assert_path = log.parent_path() / (name.substr(0, sep) + "__parser.assert");
    if (sep == std::string::npos || !fs::exists(assert_path)) {
        for (auto& c : cases) {
            out.push_back(std::move(c));
        }
        return;
    }
    // Index i of a node in stage k counts the events that entered stage k, which are the
    // events that succeeded in stage k-1 (the first stage sees every line). So map each
    // stage's indices to line positions through the previous stage's successes.
    std::vector<Assertion> asserts;
    for (const auto& line : read_lines(assert_path)) {
        if (auto a = parse_assertion(line)) {
            asserts.push_back(std::move(*a));
        }
    }
    std::map<std::string, std::set<std::size_t>> succeeded;  // stage → indices
    std::set<std::string> stages;
    for (const auto& a : asserts) {
        stages.insert(a.stage);
        if (a.is_success && a.success) {
            succeeded[a.stage].insert(a.index);
        }
    }
    std::map<std::string, std::vector<std::size_t>> entering;  // stage → case positions
    std::vector<std::size_t> current(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        current[i] = i;
    }
    for (const auto& stage : stages) {  // "s00-raw" < "s01-parse" < "s02-enrich"
        entering[stage] = current;
        if (auto it = succeeded.find(stage); it != succeeded.end()) {
            std::vector<std::size_t> next;
            for (std::size_t idx : it->second) {
                if (idx < current.size()) {
                    next.push_back(current[idx]);
                }
            }
            current = next;
        }
    }
    // Group the field assertions by (stage, node, index), then place each group on a line.
    std::map<std::tuple<std::string, std::string, std::size_t>, std::map<std::string, std::string>>
        groups;
    for (const auto& a : asserts) {
        if (a.is_success || a.stage == "s00-raw") {
            continue;
        }
        auto it = crowdsec_names().find(a.key);
        if (it != crowdsec_names().end()) {
            groups[{a.stage, a.node, a.index}][it->second] = a.value;
        }
    }
    // Which stage gates the next is not always clear from the asserts (a stage may hold
    // several parser nodes), so the positional guess is checked against the line itself:
    // the addresses and ports the peer extracted must appear in it, else the line that
    // holds them all is taken.
    auto holds = [](const std::string& line, const std::map<std::string, std::string>& fields) {
        for (const char* f : {"source.ip", "destination.ip", "source.port", "destination.port"}) {
            auto it = fields.find(f);
            if (it != fields.end() && line.find(it->second) == std::string::npos) {
                return false;
            }
        }
        return true;
    };
    for (const auto& [where, fields] : groups) {
        const auto& [stage, node, index] = where;
        const auto& positions = entering[stage];
        std::optional<std::size_t> pos;
        if (index < positions.size() && holds(cases[positions[index]].line, fields)) {
            pos = positions[index];
        } else {
            for (std::size_t i = 0; i < cases.size(); ++i) {
                if (holds(cases[i].line, fields)) {
                    pos = i;
                    break;
                }
            }
        }
        if (!pos) {
            continue;
        }
        // Groups come in stage order; an earlier stage's value wins, because later stages
        // may see forked events (a line that two parser nodes accepted) and drift.
        for (const auto& [k, v] : fields) {
            cases[*pos].expected.emplace(k, v);
        }
        cases[*pos].has_expectation = true;
    }
    for (auto& c : cases) {
        out.push_back(std::move(c));
    }
}

void load_sekoia(const std::string& vendor, const fs::path& p, std::vector<CorpusCase>& out) {
    auto doc = json::parse(read_file(p), nullptr, false);
    if (doc.is_discarded() || !doc.contains("input")) {
        return;
    }
    const auto& input = doc["input"];
    if (!input.contains("message") || !input["message"].is_string()) {
        return;
    }
    CorpusCase c{vendor, p.filename().string(), 0, input["message"].get<std::string>(), false, {}};
    if (doc.contains("expected") && doc["expected"].is_object()) {
        flatten(doc["expected"], "", c.expected);
        c.has_expectation = true;
    }
    out.push_back(std::move(c));
}

}  // namespace

std::vector<CorpusCase> load_vendor_cases(const fs::path& vendor_dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(vendor_dir)) {
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::string vendor = vendor_dir.filename().string();
    std::vector<CorpusCase> out;
    for (const auto& f : files) {
        std::string name = f.filename().string();
        if (name.starts_with("elastic__") && name.ends_with(".log")) {
            load_elastic(vendor, f, out);
        } else if (name.starts_with("crowdsec__") && name.ends_with(".log")) {
            load_crowdsec(vendor, f, out);
        } else if (name.starts_with("sekoia__") && name.ends_with(".json")) {
            load_sekoia(vendor, f, out);
        }
    }
    return out;
}

}  // namespace cyberalarm::test
