// cyberalarm: one-shot work on files (parse, detect, analyze) and administration.
#include <cstdio>
#include <exception>

#include "commands.h"

int main(int argc, char** argv) {
    CLI::App app{"cyberalarm: gateway metadata into findings, without reading content"};
    app.require_subcommand(1);
    auto parse_cmd = cyberalarm::app::add_parse_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        for (auto* sub : app.get_subcommands()) {
            if (sub->get_name() == "parse") {
                return parse_cmd();
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cyberalarm: %s\n", e.what());
        return 2;
    }
    return 2;
}
