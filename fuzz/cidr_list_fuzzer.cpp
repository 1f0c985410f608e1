// CIDR list parser (privacy/cidr_file.h): any bytes give a sealed set or an error naming a
// line that exists, in printable text; every entry a line holds is in the set.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "core/ip.h"
#include "fuzz_common.h"
#include "privacy/cidr_file.h"

namespace {

std::string_view entry_of(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    line = line.substr(0, line.find('#'));
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        line.remove_prefix(1);
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
    }
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    privacy::CidrListOptions options;
    options.max_line_bytes = 200;
    options.max_entries = 500;
    auto set = privacy::parse_cidr_list(text, "fuzz", options);
    auto lines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    if (!set) {
        const auto& e = set.error();
        if (e.message().empty() || e.line() == 0 || e.line() > lines) {
            std::abort();
        }
        // Bytes from the input are escaped: the message is safe to log.
        for (char c : e.message()) {
            if (c < 0x20 || c > 0x7e) {
                std::abort();
            }
        }
        return 0;
    }
    if (set->range_count() > std::min<std::uint64_t>(lines, options.max_entries)) {
        std::abort();
    }
    // Oracle: each entry, parsed on its own, is inside the set (first and last address).
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);
    }
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = std::min(text.find('\n', pos), text.size());
        std::string_view entry = entry_of(text.substr(pos, nl - pos));
        pos = nl + 1;
        if (entry.empty()) {
            continue;
        }
        auto cidr = core::Cidr::parse(entry);
        if (!cidr || !set->contains(cidr->base)) {
            std::abort();
        }
    }
    (void)set->contains(core::IpAddress::v4(0x0a000001));
    return 0;
}
