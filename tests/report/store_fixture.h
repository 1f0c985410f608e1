// A real SQLite store in a temporary directory with a small tenant tree, and helpers to fill
// it with events, findings and scanner results for report tests.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "store/store.h"
#include "support/test_support.h"

namespace cyberalarm::report::test {

inline constexpr std::int64_t kSec = 1'000'000'000;
inline constexpr std::int64_t kDay = 86400 * kSec;
// Monday 2026-11-16 00:00 UTC: the start of the "current" week in these tests.
inline constexpr std::int64_t kWeekStart = 1'794'787'200 * kSec;

struct Tree {
    store::Tenant nation, region, force1, force2;
    std::vector<store::Tenant> members;  // force1: 0, 1; force2: 2
};

class StoreFixture {
public:
    StoreFixture();
    store::Store& store() { return *store_; }
    const Tree& tree() const { return tree_; }
    const std::filesystem::path& dir() const { return dir_.path(); }

    // A member under `force` with a collector "col-<id>".
    store::Tenant add_member(const store::Tenant& force, std::string name, std::string sector);
    void events(const store::Tenant& member, const std::vector<core::Event>& events);
    void finding(const store::Tenant& member, std::string id, detect::FindingKind kind,
                 core::Severity severity, std::int64_t last_seen_ns, std::string title = "");
    void scan_result(const store::Tenant& member, store::ScanResult result);

private:
    cyberalarm::test::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    Tree tree_;
    std::uint64_t seq_ = 0;
};

core::Event make_event(std::int64_t time_ns, std::string_view src, std::string_view dst,
                       std::uint16_t port, core::Action action = core::Action::kDeny);

// Text of a PDF through poppler's pdftotext; "" (and a test failure) if it cannot parse it.
// nullopt when pdftotext is not installed.
std::optional<std::string> pdf_text(const std::filesystem::path& dir, const std::string& pdf);

}  // namespace cyberalarm::report::test
