#include "collector/inputs_lines.h"

namespace cyberalarm::collector::detail {

bool LineSplitter::finish_line(std::string_view* line) {
    if (!line->empty() && line->back() == '\r') {
        line->remove_suffix(1);
    }
    if (line->size() > max_) {
        *line = line->substr(0, max_);
        ++oversize_;
    }
    return !line->empty();
}

std::optional<std::string> LineSplitter::take_rest() {
    if (skipping_ || pending_.empty()) {
        skipping_ = false;
        return std::nullopt;
    }
    std::string rest = std::move(pending_);
    pending_.clear();
    std::string_view line = rest;
    if (!finish_line(&line)) {
        return std::nullopt;
    }
    rest.resize(line.size());
    return rest;
}

void LineSplitter::reset() {
    pending_.clear();
    skipping_ = false;
}

}  // namespace cyberalarm::collector::detail
