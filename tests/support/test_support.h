// Helpers shared by tests: paths to the project and the shared corpus, temp dirs.
#pragma once

#include <filesystem>
#include <string>

namespace cyberalarm::test {

// <repo>/
std::filesystem::path source_dir();
// ../shared/corpus beside the repository (or $CA_SHARED_CORPUS); empty if absent.
std::filesystem::path corpus_dir();
// Reads a whole file; throws std::runtime_error if it cannot.
std::string read_file(const std::filesystem::path& path);

// A fresh directory removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace cyberalarm::test

// Skips the current test with a clear message when the shared corpus is absent.
#define CA_REQUIRE_CORPUS()                                                                  \
    do {                                                                                     \
        if (::cyberalarm::test::corpus_dir().empty()) {                                      \
            GTEST_SKIP() << "shared corpus not found (expected ../shared/corpus beside the " \
                            "repository, or set CA_SHARED_CORPUS)";                          \
        }                                                                                    \
    } while (0)
