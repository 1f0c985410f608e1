#include "privacy/key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <system_error>

#include "core/unique_fd.h"

namespace cyberalarm::privacy {

namespace {

// Larger than any key file; a bigger file is not a key (and is not read whole).
constexpr std::size_t kMaxKeyFileBytes = 4096;

using Fd = core::UniqueFd;

std::string errno_text(int err) {
    return std::system_category().message(err);
}

core::Error io_error(const std::filesystem::path& path, std::string_view what, int err) {
    return core::Error::io(std::string(what) + " " + path.string() + ": " + errno_text(err));
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

core::Result<Key> parse_key(std::string_view contents) {
    Key key{};
    if (contents.size() == key.size()) {
        for (std::size_t i = 0; i < key.size(); ++i) {
            key[i] = static_cast<std::uint8_t>(contents[i]);
        }
        return key;
    }
    constexpr std::size_t kHexDigits = 2 * std::tuple_size_v<Key>;
    std::size_t end = contents.size();
    while (end > 0 && is_space(contents[end - 1])) {
        --end;
    }
    if (end != kHexDigits) {
        return core::fail(core::Error::parse("a key is 32 raw bytes or 64 hex digits; this has " +
                                             std::to_string(contents.size()) + " bytes"));
    }
    for (std::size_t i = 0; i < key.size(); ++i) {
        int hi = hex_value(contents[2 * i]);
        int lo = hex_value(contents[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            OPENSSL_cleanse(key.data(), key.size());
            return core::fail(
                core::Error::parse("a 64-character key must be hex digits only", {}, 2 * i));
        }
        key[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return key;
}

core::Result<Key> load_key_file(const std::filesystem::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        int err = errno;
        if (err == ENOENT) {
            return core::fail(core::Error::not_found("key file " + path.string() + " not found"));
        }
        return core::fail(io_error(path, "cannot open key file", err));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return core::fail(io_error(path, "cannot stat key file", errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return core::fail(
            core::Error::invalid_argument("key file " + path.string() + " is not a regular file"));
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8] = {'0'};
        auto [end, ec] = std::to_chars(mode + 1, mode + sizeof mode,
                                       static_cast<unsigned>(st.st_mode & 07777), 8);
        return core::fail(
            core::Error(core::ErrorCode::kPermissionDenied,
                        "key file " + path.string() + " has mode " + std::string(mode, end) +
                            ", so group or others may read it; run chmod 600 " + path.string()));
    }
    std::string contents(kMaxKeyFileBytes + 1, '\0');
    std::size_t got = 0;
    while (got < contents.size()) {
        ssize_t n = ::read(fd.get(), contents.data() + got, contents.size() - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            OPENSSL_cleanse(contents.data(), contents.size());
            return core::fail(io_error(path, "cannot read key file", err));
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    auto key = got > kMaxKeyFileBytes
                   ? core::Result<Key>(core::fail(core::Error::parse("file is too large")))
                   : parse_key(std::string_view(contents.data(), got));
    OPENSSL_cleanse(contents.data(), contents.size());
    if (!key) {
        return core::fail(std::move(key.error()).context("key file " + path.string()));
    }
    return key;
}

core::Result<Key> write_new_key_file(const std::filesystem::path& path) {
    // O_EXCL: never replace a key (nor follow a planted symlink); 0600 from the start so the
    // key is never readable by others, whatever the umask.
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
        int err = errno;
        if (err == EEXIST) {
            return core::fail(core::Error(
                core::ErrorCode::kAlreadyExists,
                "key file " + path.string() + " already exists; it is never overwritten"));
        }
        return core::fail(io_error(path, "cannot create key file", err));
    }
    auto fail_and_remove = [&](core::Error e) {
        ::unlink(path.c_str());
        return core::fail(std::move(e));
    };
    Key key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        return fail_and_remove(core::Error::internal("OpenSSL's random generator failed"));
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::array<char, 2 * std::tuple_size_v<Key> + 1> text{};
    for (std::size_t i = 0; i < key.size(); ++i) {
        text[2 * i] = kHex[key[i] >> 4];
        text[2 * i + 1] = kHex[key[i] & 0xf];
    }
    text.back() = '\n';
    bool written = ::fchmod(fd.get(), 0600) == 0 && write_all(fd.get(), text.data(), text.size()) &&
                   ::fsync(fd.get()) == 0;
    int err = errno;
    OPENSSL_cleanse(text.data(), text.size());
    if (!written) {
        OPENSSL_cleanse(key.data(), key.size());
        return fail_and_remove(io_error(path, "cannot write key file", err));
    }
    if (fd.close() != 0) {
        err = errno;
        OPENSSL_cleanse(key.data(), key.size());
        return fail_and_remove(io_error(path, "cannot write key file", err));
    }
    // The new directory entry must survive a crash too.
    std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
        err = errno;
        OPENSSL_cleanse(key.data(), key.size());
        return fail_and_remove(io_error(dir, "cannot flush directory", err));
    }
    return key;
}

}  // namespace cyberalarm::privacy
