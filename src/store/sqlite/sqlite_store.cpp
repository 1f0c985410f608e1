// open_sqlite: the file and directory checks, the connections, the migrations; and the
// scope helpers every method file uses.
#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "store/sqlite/internal/migrations.h"
#include "core/unique_fd.h"
#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store {

namespace {

namespace fs = std::filesystem;

using Fd = core::UniqueFd;

core::Error os_error(const std::string& what, const fs::path& path, int err) {
    std::string message = what + " " + path.string() + ": " + std::strerror(err);
    if (err == EACCES || err == EPERM) {
        return core::Error(core::ErrorCode::kPermissionDenied, std::move(message));
    }
    return core::Error::io(std::move(message));
}

// Creates the missing directories above the database, each 0700: the database holds
// member and police data, and nobody else on the machine has reason to list it.
core::Status make_parent_dirs(const fs::path& dir) {
    std::vector<fs::path> missing;
    for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path()) {
            break;
        }
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
            return core::fail(os_error("cannot create directory", *it, errno));
        }
    }
    return {};
}

// Creates the database file 0600 if missing (before SQLite does, with the umask's mode), and
// refuses one that group or others may open.
core::Status check_database_file(const fs::path& path) {
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
        return core::fail(os_error("cannot open database file", path, errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return core::fail(os_error("cannot stat database file", path, errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return core::fail(core::Error::invalid_argument("database path " + path.string() +
                                                        " is not a regular file"));
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return core::fail(core::Error(
            core::ErrorCode::kPermissionDenied,
            "database file " + path.string() + " may be read or written by group or others (mode " +
                mode + "); it holds member and police data: chmod 600 it, then start again"));
    }
    return {};
}

}  // namespace

core::Result<std::unique_ptr<Store>> open_sqlite(const fs::path& path,
                                                 const SqliteOptions& options) {
    if (path.empty() || path.filename().empty()) {
        return core::fail(core::Error::invalid_argument("database path is empty or a directory")
                              .at_field("path"));
    }
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (auto st = make_parent_dirs(dir); !st) {
        return core::fail(std::move(st.error()));
    }
    if (auto st = check_database_file(path); !st) {
        return core::fail(std::move(st.error()));
    }
    sqlite::ConnectionOptions conn_options;
    conn_options.busy_timeout_ms = options.busy_timeout_ms;
    conn_options.cache_kib = options.cache_kib;
    conn_options.fsync = options.fsync;
    auto pool = sqlite::Pool::open(path.string(), conn_options, options.read_connections);
    if (!pool) {
        return core::fail(std::move(pool.error()));
    }
    int version = 0;
    {
        auto writer = (*pool)->writer();
        auto migrated = sqlite::migrate(*writer, sqlite::wall_clock_ns());
        if (!migrated) {
            return core::fail(std::move(migrated.error()).context("opening " + path.string()));
        }
        version = *migrated;
    }
    return std::make_unique<sqlite::SqliteStore>(path.string(), options, std::move(*pool),
                                                 version);
}

namespace sqlite {

std::int64_t wall_clock_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

SqliteStore::SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Pool> pool,
                         int schema_version)
    : path_(std::move(path)),
      options_(options),
      pool_(std::move(pool)),
      schema_version_(schema_version) {}

core::Result<std::vector<TenantId>> SqliteStore::scope_members(Connection& conn,
                                                               const Scope& scope,
                                                               std::optional<TenantId> member) {
    if (member) {
        return scope.allows(*member) ? std::vector<TenantId>{*member} : std::vector<TenantId>{};
    }
    if (!scope.all_members) {
        return scope.members;
    }
    auto st = conn.prepare("SELECT id FROM tenants WHERE level = 3 ORDER BY id");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    return collect<TenantId>(*st, [](const Stmt& s) { return s.i64(0); });
}

core::Status SqliteStore::check_tenant_visible(Connection& conn, const Scope& scope,
                                               TenantId tenant) {
    auto members = members_under_on(conn, tenant);
    if (!members) {
        return core::fail(std::move(members.error()));
    }
    if (scope.all_members) {
        return {};
    }
    const bool covered =
        !members->empty() && std::all_of(members->begin(), members->end(),
                                         [&](TenantId m) { return scope.allows(m); });
    if (!covered) {
        return core::fail(core::Error::not_found("tenant " + std::to_string(tenant) + " not found"));
    }
    return {};
}

}  // namespace sqlite
}  // namespace cyberalarm::store
