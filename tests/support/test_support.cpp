#include "support/test_support.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cyberalarm::test {

std::filesystem::path source_dir() { return CA_SOURCE_DIR; }

std::filesystem::path corpus_dir() {
    if (const char* env = std::getenv("CA_SHARED_CORPUS"); env != nullptr && *env != '\0') {
        return std::filesystem::exists(env) ? std::filesystem::path(env) : std::filesystem::path();
    }
    std::filesystem::path p = std::filesystem::path(CA_SHARED_DIR) / "corpus";
    return std::filesystem::exists(p) ? p : std::filesystem::path();
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cyberalarm-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace cyberalarm::test
