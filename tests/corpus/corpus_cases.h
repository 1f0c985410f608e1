// Loads the shared firewall corpus (../shared/corpus/firewall/<vendor>/) into cases: one
// input line with the fields a peer parser extracted from it, flattened to ECS dotted names.
// Three file styles are understood (see the corpus MANIFEST.md): elastic pipeline tests
// (*.log + *.log-expected.json), CrowdSec hub tests (*.log + parser.assert) and SEKOIA
// intake tests (*.json with input.message and expected).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cyberalarm::test {

struct CorpusCase {
    std::string vendor;
    std::string file;   // file name of the input, for reports and quirk lists
    std::size_t index;  // 0-based line index within that file
    std::string line;
    bool has_expectation = false;                 // false: the peer kept nothing for this line
    std::map<std::string, std::string> expected;  // dotted ECS name → value as text
};

// Every case of one vendor folder, in file order.
std::vector<CorpusCase> load_vendor_cases(const std::filesystem::path& vendor_dir);

}  // namespace cyberalarm::test
