// LineReader: newline framing of a file or stdin, in large reads, with a bound on line
// length so that memory stays flat whatever the input. "\n" and "\r\n" both end a line;
// a final line without a newline is returned too. A line longer than the bound is returned
// cut at the bound, with `truncated` set, and the rest of it is skipped.
//
// Thread safety: one reader per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cyberalarm::parse {

class LineReader {
public:
    // fd is borrowed and not closed.
    LineReader(int fd, std::size_t max_line_bytes, std::size_t buffer_bytes = 1 << 20);

    // Next line into *line (valid until the next call). false at end of input; an I/O
    // error is returned as Error.
    [[nodiscard]] core::Result<bool> next(std::string_view* line, bool* truncated);
    [[nodiscard]] std::uint64_t line_number() const { return line_number_; }

private:
    core::Result<bool> fill();

    int fd_;
    std::size_t max_line_;
    std::vector<char> buf_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    bool skipping_ = false;  // discarding the rest of an over-long line
    std::uint64_t line_number_ = 0;
};

}  // namespace cyberalarm::parse
