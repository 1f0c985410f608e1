// The detection options shared by `detect` and `analyze`: rules, threat intel, the member's
// networks and trusted sources, and building an Engine from them.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "detect/engine.h"
#include "intel/intel_set.h"

namespace cyberalarm::app {

struct DetectOptions {
    std::string rules_dir;
    bool no_builtin = false;
    std::vector<std::string> intel_files;
    std::string networks;  // comma/space separated CIDRs
    std::string trusted;
    std::string member;
};

void add_detect_options(CLI::App& cmd, DetectOptions& opt);

struct Detection {
    std::unique_ptr<intel::IntelSet> intel;  // outlives the engine that borrows it
    std::unique_ptr<detect::Engine> engine;
};

// Loads rules and intel and builds the engine; prints the reason and returns nullopt-like
// (engine == nullptr) on a bad option or file.
Detection make_detection(const DetectOptions& opt);

}  // namespace cyberalarm::app
