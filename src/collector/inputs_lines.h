// Internal: newline framing for the file and stdin inputs, with a bound on line length and
// the byte accounting a saved file position needs.
//
// "\n" ends a line and a "\r" before it is dropped; empty lines are skipped. A line longer
// than max_line is handed on cut at max_line and counted, and the rest of it is skipped, so
// at most about max_line bytes are ever held. pending() is the number of bytes fed but not
// yet handed on (the start of an unfinished line): a reader that knows how many bytes it fed
// knows that everything before (fed - pending()) has been handed on or deliberately skipped.
//
// Thread safety: one splitter per reader.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cyberalarm::collector::detail {

class LineSplitter {
public:
    explicit LineSplitter(std::size_t max_line) : max_(max_line) {}

    // Feeds bytes; calls emit(std::string_view line) for each complete line, in order.
    // A line is valid only during the call.
    template <class Emit>
    void feed(std::string_view chunk, Emit&& emit);

    // End of input: the unterminated last line, if any (cut at max_line).
    std::optional<std::string> take_rest();
    // Forgets a pending line and any skip in progress (the file was truncated).
    void reset();

    [[nodiscard]] std::size_t pending() const { return pending_.size(); }
    // Lines cut at max_line since the last call.
    std::uint64_t take_oversize() { return std::exchange(oversize_, 0); }

private:
    // Strips "\r", cuts at max_line (counting it), and tells whether anything is left.
    bool finish_line(std::string_view* line);

    std::size_t max_;
    std::string pending_;    // an unfinished line, at most max_ + 1 bytes (room for "\r")
    bool skipping_ = false;  // discarding the rest of an over-long line
    std::uint64_t oversize_ = 0;
};

template <class Emit>
void LineSplitter::feed(std::string_view chunk, Emit&& emit) {
    while (!chunk.empty()) {
        std::size_t lf = chunk.find('\n');
        if (skipping_) {
            if (lf == std::string_view::npos) {
                return;
            }
            chunk.remove_prefix(lf + 1);
            skipping_ = false;
            continue;
        }
        if (lf == std::string_view::npos) {
            if (pending_.size() + chunk.size() <= max_ + 1) {
                pending_.append(chunk);
                return;
            }
            // Too long already: hand on the first max_ bytes and skip to the next LF.
            pending_.append(chunk.substr(0, max_ - std::min(max_, pending_.size())));
            ++oversize_;
            emit(std::string_view(pending_.data(), std::min(pending_.size(), max_)));
            pending_.clear();
            skipping_ = true;
            return;
        }
        std::string_view line = chunk.substr(0, lf);
        chunk.remove_prefix(lf + 1);
        if (!pending_.empty()) {
            std::size_t room = max_ + 1 - pending_.size();  // pending_ holds at most max_ + 1
            bool cut = line.size() > room;
            pending_.append(line.substr(0, room));
            line = pending_;
            if (cut) {
                ++oversize_;
                emit(line.substr(0, max_));
                pending_.clear();
                continue;
            }
        }
        if (finish_line(&line)) {
            emit(line);
        }
        pending_.clear();
    }
}

}  // namespace cyberalarm::collector::detail
