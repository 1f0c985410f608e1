// LineReader over an in-memory file: lines bounded, every byte accounted for.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

#include "fuzz_common.h"
#include "parse/line_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    int fd = ::memfd_create("fuzz", 0);
    if (fd < 0) {
        return 0;
    }
    std::size_t off = 0;
    while (off < size) {
        ssize_t n = ::write(fd, data + off, size - off);
        if (n <= 0) {
            ::close(fd);
            return 0;
        }
        off += static_cast<std::size_t>(n);
    }
    ::lseek(fd, 0, SEEK_SET);
    constexpr std::size_t kMax = 300;
    parse::LineReader reader(fd, kMax, 512);
    std::string_view line;
    bool truncated = false;
    std::size_t lines = 0;
    while (true) {
        auto r = reader.next(&line, &truncated);
        if (!r || !*r) {
            break;
        }
        if (line.size() > kMax || ++lines > size + 1) {
            std::abort();
        }
    }
    ::close(fd);
    return 0;
}
