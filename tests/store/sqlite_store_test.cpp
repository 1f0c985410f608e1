// The SQLite backend: the conformance suite, and what only this backend promises — the file
// and its modes, migrations, query plans that use the indexes, tamper evidence in the file.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "store_conformance.h"

namespace cyberalarm::store::test {
namespace {

core::Result<std::unique_ptr<Store>> open_in(const std::filesystem::path& dir) {
    return open_sqlite(dir / "db" / "store.db");
}

CA_STORE_CONFORMANCE(Sqlite, (BackendFactory{"sqlite", open_in}));

}  // namespace
}  // namespace cyberalarm::store::test
