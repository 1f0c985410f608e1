// Helpers shared by the spool tests: opening with test-sized options, deterministic
// payloads, and raw access to segment files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "spool/internal/format.h"
#include "spool/spool.h"

namespace cyberalarm::spool::test {

// Small segments so that tests rotate; no fsync so that tests are fast.
inline Options small_options() {
    Options o;
    o.segment_bytes = 4096;
    o.max_bytes = 1u << 20;
    o.fsync = FsyncPolicy::kNever;
    o.max_record_bytes = 1024;
    return o;
}

// A payload that says which record it is, of `size` bytes (at least 12).
inline std::string payload(std::uint64_t n, std::size_t size = 100) {
    std::string s = "rec-" + std::to_string(n) + "-";
    while (s.size() < size) {
        s.push_back(static_cast<char>('a' + (n + s.size()) % 26));
    }
    s.resize(size);
    return s;
}

inline std::unique_ptr<Spool> open_ok(const std::filesystem::path& dir, const Options& o) {
    auto s = Spool::open(dir, o);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
    return s ? std::move(*s) : nullptr;
}

// Every record after `after`, in one call.
inline std::vector<Record> read_all(Spool& s, std::uint64_t after = 0) {
    auto r = s.read(after, SIZE_MAX, SIZE_MAX);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
    return r ? std::move(*r) : std::vector<Record>{};
}

inline std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (internal::parse_segment_file_name(e.path().filename().string())) {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void spit(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace cyberalarm::spool::test
