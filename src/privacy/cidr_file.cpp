#include "privacy/cidr_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include "core/ip.h"

namespace cyberalarm::privacy {

namespace {

constexpr std::size_t kQuoteBytes = 64;

// 'text' for an error message: printable ASCII as is, anything else as \xNN, cut short.
std::string quote(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "'";
    for (std::size_t i = 0; i < std::min(s.size(), kQuoteBytes); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    out += s.size() > kQuoteBytes ? "...'" : "'";
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

core::Error bad_entry(std::string_view entry) {
    auto slash = entry.find('/');
    if (slash != std::string_view::npos && core::IpAddress::parse(entry.substr(0, slash))) {
        return core::Error::parse(quote(entry) +
                                  " has a bad prefix length (0-32 for IPv4, 0-128 for IPv6)");
    }
    return core::Error::parse(quote(entry) + " is not an IP address or prefix");
}

std::string errno_text(int err) {
    return std::system_category().message(err);
}

}  // namespace

core::Result<core::CidrSet> parse_cidr_list(std::string_view text, std::string_view origin,
                                            const CidrListOptions& options) {
    auto fail_at = [&](core::Error e, std::uint64_t line) {
        return core::fail(std::move(e).at_line(line).context(origin));
    };
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);
    }
    if (auto nul = text.find('\0'); nul != std::string_view::npos) {
        auto line = static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + nul, '\n'));
        return fail_at(core::Error::parse("a NUL byte: this is a binary file, not a list of "
                                          "addresses"),
                       line + 1);
    }
    core::CidrSet set;
    std::size_t entries = 0;
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        ++line_no;
        std::size_t nl = text.find('\n', pos);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.size() > options.max_line_bytes) {
            return fail_at(core::Error::exhausted(
                               "line is longer than " + std::to_string(options.max_line_bytes) +
                               " bytes: not a list of addresses? It starts " + quote(line)),
                           line_no);
        }
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        line = trim(line);
        if (line.empty()) {
            continue;
        }
        if (line.find_first_of(" \t") != std::string_view::npos) {
            return fail_at(
                core::Error::parse("expected one address or prefix per line, found " + quote(line)),
                line_no);
        }
        auto cidr = core::Cidr::parse(line);
        if (!cidr) {
            return fail_at(bad_entry(line), line_no);
        }
        if (++entries > options.max_entries) {
            return fail_at(core::Error::exhausted("more than " +
                                                  std::to_string(options.max_entries) + " entries"),
                           line_no);
        }
        set.add(*cidr);
    }
    set.seal();
    return set;
}

core::Result<core::CidrSet> load_cidr_file(const std::filesystem::path& path,
                                           const CidrListOptions& options) {
    const std::string name = path.string();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) {
            return core::fail(core::Error::not_found("address list " + name + " not found"));
        }
        return core::fail(core::Error::io("cannot open " + name + ": " + errno_text(err)));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return core::fail(core::Error::io("cannot stat " + name + ": " + errno_text(errno)));
    }
    if (!S_ISREG(st.st_mode)) {
        return core::fail(core::Error::invalid_argument(name + " is not a regular file"));
    }
    auto too_big = [&] {
        return core::fail(core::Error::exhausted(name + " is larger than " +
                                                 std::to_string(options.max_bytes) + " bytes"));
    };
    if (static_cast<std::uint64_t>(st.st_size) > options.max_bytes) {
        return too_big();
    }
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    for (;;) {
        if (got == text.size()) {
            // The file may have grown since fstat; read on, within the bound.
            if (text.size() > options.max_bytes) {
                return too_big();
            }
            text.resize(std::min(options.max_bytes + 1, std::max<std::size_t>(4096, 2 * got)));
        }
        ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return core::fail(core::Error::io("cannot read " + name + ": " + errno_text(errno)));
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    return parse_cidr_list(text, name, options);
}

}  // namespace cyberalarm::privacy
