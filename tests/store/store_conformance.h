// A conformance suite for Store backends: the behaviour store.h promises (tenancy rules,
// scope isolation, pagination, tokens, ingest counters, findings upsert, the audit chain,
// retention, durability across reopen), written once against the interface so that every
// backend runs the same tests. A backend instantiates it with a factory:
//
//   CA_STORE_CONFORMANCE(Sqlite, (BackendFactory{"sqlite", open_fn}));
//
// The factory opens (or reopens) the backend's data under the given directory; calling it
// twice with the same directory must reach the same data.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "core/event.h"
#include "core/result.h"
#include "store/store.h"
#include "support/test_support.h"

namespace cyberalarm::store::test {

struct BackendFactory {
    std::string backend;
    std::function<core::Result<std::unique_ptr<Store>>(const std::filesystem::path& dir)> open;

    static std::string name(const ::testing::TestParamInfo<BackendFactory>& info) {
        return info.param.backend;
    }
    friend void PrintTo(const BackendFactory& f, std::ostream* os) { *os << f.backend; }
};

// nation → region → force F1 → members A, B; force F2 → member C.
struct Tenants {
    Tenant nation, region, force1, force2, a, b, c;
};

class StoreConformance : public ::testing::TestWithParam<BackendFactory> {
protected:
    void SetUp() override;
    // Closes the store and opens it again on the same directory.
    void reopen();

    // Creates the standard tree above and a collector per member ("col-a", "col-b", "col-c").
    Tenants make_tree();

    cyberalarm::test::TempDir dir_;
    std::unique_ptr<Store> store_;
};

// Member A's scope against member B's data: the tree, 30 events for each of A and B, and a
// finding "shared-id" for A and "b-only" for B.
class StoreIsolation : public StoreConformance {
protected:
    void SetUp() override;
    Tenants t_;
    Scope a_;
};

// Instantiates every conformance test for one backend.
#define CA_STORE_CONFORMANCE(prefix, factory)                                              \
    INSTANTIATE_TEST_SUITE_P(prefix, StoreConformance, ::testing::Values(factory),         \
                             ::cyberalarm::store::test::BackendFactory::name);             \
    INSTANTIATE_TEST_SUITE_P(prefix, StoreIsolation, ::testing::Values(factory),           \
                             ::cyberalarm::store::test::BackendFactory::name)

// An event at `time_ns` from `src` to `dst`:`port`, with the given category and action.
core::Event make_event(std::int64_t time_ns, std::string_view src, std::string_view dst,
                       std::uint16_t port, core::Category category = core::Category::kFirewall,
                       core::Action action = core::Action::kDeny);

}  // namespace cyberalarm::store::test
