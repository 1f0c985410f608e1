#include "detect_setup.h"

#include <fmt/core.h>

#include <map>

#include "intel/importers.h"

namespace cyberalarm::app {

void add_detect_options(CLI::App& cmd, DetectOptions& opt) {
    cmd.add_option("--rules", opt.rules_dir,
                   "Directory of YAML rules, added to the built-in ones (same id replaces)");
    cmd.add_flag("--no-builtin-rules", opt.no_builtin, "Use only the rules from --rules");
    cmd.add_option("--intel", opt.intel_files,
                   "Threat-intel file (STIX 2.1, MISP JSON, CSV or a plain list); repeatable")
        ->allow_extra_args(false);
    cmd.add_option("--networks", opt.networks,
                   "The member's own networks, comma separated (default: private ranges)");
    cmd.add_option("--trusted", opt.trusted, "Trusted sources whose traffic is not analysed");
    cmd.add_option("--member", opt.member, "Member name to put in findings");
}

Detection make_detection(const DetectOptions& opt) {
    Detection d;
    std::vector<detect::Rule> rules;
    if (!opt.no_builtin) {
        auto builtin = detect::builtin_rules();
        if (!builtin) {
            fmt::print(stderr, "cyberalarm: built-in rules: {}\n", builtin.error().message());
            return d;
        }
        rules = std::move(*builtin);
    }
    if (!opt.rules_dir.empty()) {
        auto extra = detect::load_rules_dir(opt.rules_dir);
        if (!extra) {
            fmt::print(stderr, "cyberalarm: --rules: {}\n", extra.error().message());
            return d;
        }
        std::map<std::string, std::size_t> index;
        for (std::size_t i = 0; i < rules.size(); ++i) {
            index[rules[i].id] = i;
        }
        for (auto& r : *extra) {
            if (auto it = index.find(r.id); it != index.end()) {
                rules[it->second] = std::move(r);
            } else {
                rules.push_back(std::move(r));
            }
        }
    }
    if (rules.empty() && opt.intel_files.empty()) {
        fmt::print(stderr, "cyberalarm: no rules to run\n");
        return d;
    }
    detect::EngineOptions eo;
    eo.member = opt.member;
    for (auto [text, set, name] : {std::tuple{&opt.networks, &eo.internal, "--networks"},
                                   std::tuple{&opt.trusted, &eo.trusted, "--trusted"}}) {
        if (auto s = set->add_list(*text); !s) {
            fmt::print(stderr, "cyberalarm: {}: {}\n", name, s.error().to_string());
            return d;
        }
        set->seal();
    }
    if (!opt.intel_files.empty()) {
        d.intel = std::make_unique<intel::IntelSet>();
        for (const auto& f : opt.intel_files) {
            intel::ImportOptions io;
            io.origin = f;
            io.source = f;
            auto stats = intel::import_file(f, io, *d.intel);
            if (!stats) {
                fmt::print(stderr, "cyberalarm: --intel {}: {}\n", f, stats.error().to_string());
                return d;
            }
            fmt::print(stderr, "intel: {}: {} indicators ({}), {} skipped\n", f, stats->added,
                       intel::to_string(stats->format), stats->skipped);
        }
        d.intel->seal();
        eo.intel = d.intel.get();
    }
    d.engine = std::make_unique<detect::Engine>(std::move(rules), std::move(eo));
    return d;
}

}  // namespace cyberalarm::app
