#include "collector/inputs_tail_state.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <system_error>
#include <vector>

namespace cyberalarm::collector::detail {

namespace {

constexpr std::string_view kMagic = "cyberalarm-tail-state 1";
constexpr std::size_t kMaxStateBytes = std::size_t{16} * 1024;
constexpr char kHex[] = "0123456789abcdef";

bool plain(unsigned char c) {
    return c > 0x20 && c < 0x7f && c != '%';
}

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (plain(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;  // upper case too: the text form has one spelling only
}

std::optional<std::string> unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '%') {
            if (i + 2 >= s.size()) {
                return std::nullopt;
            }
            int hi = hex_value(s[i + 1]);
            int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            auto decoded = static_cast<unsigned char>(hi * 16 + lo);
            if (plain(decoded)) {
                return std::nullopt;  // only what must be escaped is
            }
            out.push_back(static_cast<char>(decoded));
            i += 2;
        } else if (plain(c)) {
            out.push_back(static_cast<char>(c));
        } else {
            return std::nullopt;
        }
    }
    return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
    if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

core::Error corrupt(std::size_t line, const std::string& what) {
    return core::Error::corrupt("tail state: " + what).at_line(line);
}

// Takes the next "\n"-terminated line of `text`.
bool next_line(std::string_view* text, std::string_view* line) {
    std::size_t lf = text->find('\n');
    if (lf == std::string_view::npos) {
        return false;
    }
    *line = text->substr(0, lf);
    text->remove_prefix(lf + 1);
    return true;
}

// "key value" with the expected key.
std::optional<std::string_view> value_of(std::string_view line, std::string_view key) {
    if (line.size() <= key.size() + 1 || line.substr(0, key.size()) != key ||
        line[key.size()] != ' ') {
        return std::nullopt;
    }
    return line.substr(key.size() + 1);
}

}  // namespace

std::string errno_text(int err) {
    return std::error_code(err, std::system_category()).message();
}

std::string encode_tail_state(const TailState& s) {
    std::string out(kMagic);
    out += "\npath " + escape(s.path);
    out += "\ndevice " + std::to_string(s.device);
    out += "\ninode " + std::to_string(s.inode);
    out += "\noffset " + std::to_string(s.offset);
    out += "\nhead " + std::to_string(s.head_length) + " ";
    for (std::uint8_t b : s.head_digest) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    out += "\n";
    return out;
}

core::Result<TailState> decode_tail_state(std::string_view text) {
    if (text.size() > kMaxStateBytes) {
        return core::fail(corrupt(0, "file is too large"));
    }
    std::string_view line;
    if (!next_line(&text, &line) || line != kMagic) {
        return core::fail(corrupt(1, "not a cyberalarm tail state (version 1)"));
    }
    TailState s;
    std::optional<std::string_view> escaped_path;
    if (next_line(&text, &line)) {
        escaped_path = value_of(line, "path");
    }
    if (!escaped_path) {
        return core::fail(corrupt(2, "expected 'path <path>'"));
    }
    auto path = unescape(*escaped_path);
    if (!path) {
        return core::fail(corrupt(2, "bad escape in path"));
    }
    s.path = std::move(*path);
    struct Field {
        std::string_view key;
        std::uint64_t* out;
    };
    const Field fields[] = {{"device", &s.device}, {"inode", &s.inode}, {"offset", &s.offset}};
    std::size_t line_no = 3;
    for (const Field& f : fields) {
        std::optional<std::uint64_t> n;
        if (next_line(&text, &line)) {
            if (auto value = value_of(line, f.key)) {
                n = parse_u64(*value);
            }
        }
        if (!n) {
            return core::fail(corrupt(line_no, "expected '" + std::string(f.key) + " <number>'"));
        }
        *f.out = *n;
        ++line_no;
    }
    std::optional<std::string_view> head;
    if (next_line(&text, &line)) {
        head = value_of(line, "head");
    }
    std::size_t space = head ? head->find(' ') : std::string_view::npos;
    if (space == std::string_view::npos) {
        return core::fail(corrupt(line_no, "expected 'head <length> <sha256>'"));
    }
    auto length = parse_u64(head->substr(0, space));
    std::string_view hex = head->substr(space + 1);
    if (!length || *length > kTailHeadBytes || hex.size() != 64) {
        return core::fail(corrupt(line_no, "bad head length or digest"));
    }
    s.head_length = static_cast<std::uint32_t>(*length);
    for (std::size_t i = 0; i < 32; ++i) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return core::fail(corrupt(line_no, "bad head digest"));
        }
        s.head_digest[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    if (!text.empty()) {
        return core::fail(corrupt(line_no + 1, "unexpected data after the head line"));
    }
    return s;
}

std::array<std::uint8_t, 32> head_digest(std::string_view bytes) {
    std::array<std::uint8_t, 32> out{};
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, EVP_sha256(), nullptr);
    return out;
}

std::filesystem::path tail_state_file(const std::filesystem::path& state_dir,
                                      std::string_view input_name) {
    std::string name;
    for (char ch : input_name) {
        auto c = static_cast<unsigned char>(ch);
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || (c == '.' && !name.empty());
        if (keep) {
            name.push_back(ch);
        } else {
            name.push_back('%');
            name.push_back(kHex[c >> 4]);
            name.push_back(kHex[c & 0xf]);
        }
    }
    if (name.empty()) {
        name = "%";
    }
    return state_dir / "inputs" / (name + ".tail");
}

core::Result<std::optional<TailState>> load_tail_state(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
        int err = errno;
        if (err == ENOENT) {
            return std::optional<TailState>();
        }
        return core::fail(core::Error::io("cannot read " + file.string() + ": " + errno_text(err)));
    }
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return core::fail(
                core::Error::io("cannot read " + file.string() + ": " + errno_text(errno)));
        }
        if (n == 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxStateBytes) {
            break;  // decode refuses it
        }
    }
    auto state = decode_tail_state(text);
    if (!state) {
        return core::fail(std::move(state.error()).context(file.string()));
    }
    return std::optional<TailState>(std::move(*state));
}

core::Result<void> save_tail_state(const std::filesystem::path& file, const TailState& state) {
    std::string text = encode_tail_state(state);
    std::filesystem::path tmp = file;
    tmp += ".tmp";
    auto io_error = [&](const std::string& what, int err) {
        return core::fail(core::Error::io(what + " " + tmp.string() + ": " + errno_text(err)));
    };
    // O_NOFOLLOW: a link planted in the state directory cannot redirect the write.
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (fd.get() < 0) {
        return io_error("cannot create", errno);
    }
    std::string_view rest = text;
    while (!rest.empty()) {
        ssize_t n = ::write(fd.get(), rest.data(), rest.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_error("cannot write", errno);
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd.get()) != 0) {
        return io_error("cannot sync", errno);
    }
    if (::close(fd.release()) != 0) {
        return io_error("cannot close", errno);
    }
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        return io_error("cannot rename", errno);
    }
    // Make the rename itself durable.
    UniqueFd dir(::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) {
        ::fsync(dir.get());
    }
    return {};
}

}  // namespace cyberalarm::collector::detail
