// Tenants (nation → region → force → member) and members' assets.
#include <algorithm>
#include <cctype>

#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::size_t kMaxNameChars = 200;

core::Status validate_name(std::string_view name) {
    std::size_t chars = 0;
    for (const char c : name) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7f) {
            return core::fail(
                core::Error::invalid_argument("name contains a control character").at_field("name"));
        }
        chars += (b & 0xc0) != 0x80 ? 1 : 0;  // count UTF-8 code points, not bytes
    }
    if (chars == 0 || chars > kMaxNameChars) {
        return core::fail(core::Error::invalid_argument("name must be 1 to 200 characters")
                              .at_field("name"));
    }
    return {};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

// Detection treats these networks as the member's own, so each entry must be a real CIDR.
core::Status validate_networks(const Tenant& t) {
    if (t.networks.empty()) {
        return {};
    }
    if (t.level != TenantLevel::kMember) {
        return core::fail(core::Error::invalid_argument("only a member has networks")
                              .at_field("networks"));
    }
    std::string_view rest = t.networks;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = trim(rest.substr(0, comma));
        if (!core::Cidr::parse(item)) {
            return core::fail(core::Error::invalid_argument(
                                  "'" + std::string(item) + "' is not an address or CIDR")
                                  .at_field("networks"));
        }
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return {};
}

core::Status validate_tenant(Connection& conn, const Tenant& t) {
    if (auto st = validate_name(t.name); !st) {
        return st;
    }
    if (auto st = validate_networks(t); !st) {
        return st;
    }
    if (t.level == TenantLevel::kNation) {
        if (t.parent != 0) {
            return core::fail(core::Error::invalid_argument("a nation has no parent")
                                  .at_field("parent"));
        }
        return {};
    }
    auto level =
        query_one<std::int64_t>(conn, "SELECT level FROM tenants WHERE id = ?", read_i64, "", t.parent);
    const auto wanted = static_cast<std::int64_t>(t.level) - 1;
    if (!level || *level != wanted) {
        if (!level && level.error().code() != core::ErrorCode::kNotFound) {
            return core::fail(std::move(level.error()));
        }
        return core::fail(core::Error::invalid_argument(
                              "parent " + std::to_string(t.parent) + " is not a " +
                              std::string(to_string(static_cast<TenantLevel>(wanted))))
                              .at_field("parent"));
    }
    return {};
}

core::Error sibling_exists(const Tenant& t) {
    return core::Error(core::ErrorCode::kAlreadyExists,
                       "a tenant named '" + t.name + "' already exists under parent " +
                           std::to_string(t.parent))
        .at_field("name");
}

}  // namespace

core::Result<Tenant> SqliteStore::create_tenant(Tenant tenant) {
    auto conn = pool_->writer();
    if (auto st = validate_tenant(*conn, tenant); !st) {
        return core::fail(std::move(st.error()));
    }
    tenant.created_ns = wall_clock_ns();
    auto st = conn->prepare(
        "INSERT INTO tenants (level, parent, name, sector, networks, created_ns) "
        "VALUES (?, nullif(?, 0), ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(tenant.level, tenant.parent, tenant.name, tenant.sector, tenant.networks,
                 tenant.created_ns);
    if (auto done = st->run(); !done) {
        if (done.error().code() == core::ErrorCode::kAlreadyExists) {
            return core::fail(sibling_exists(tenant));
        }
        return core::fail(std::move(done.error()));
    }
    tenant.id = conn->last_insert_rowid();
    return tenant;
}

core::Result<Tenant> SqliteStore::get_tenant(TenantId id) {
    return read_one<Tenant>(select_sql(kTenantColumns, "tenants", "WHERE id = ?"), read_tenant,
                            "tenant " + std::to_string(id) + " not found", id);
}

core::Result<std::vector<Tenant>> SqliteStore::list_tenants(std::optional<TenantId> parent) {
    // Without a parent: every tenant (-1 matches no parent, so the filter is off).
    return read_all<Tenant>(
        select_sql(kTenantColumns, "tenants",
                   "WHERE ?1 = -1 OR coalesce(parent, 0) = ?1 ORDER BY id"),
        read_tenant, parent.value_or(-1));
}

core::Status SqliteStore::update_tenant(const Tenant& tenant) {
    auto conn = pool_->writer();
    auto stored = query_one<Tenant>(*conn, select_sql(kTenantColumns, "tenants", "WHERE id = ?"),
                                    read_tenant, "tenant " + std::to_string(tenant.id) + " not found",
                                    tenant.id);
    if (!stored) {
        return core::fail(std::move(stored.error()));
    }
    if (stored->level != tenant.level || stored->parent != tenant.parent) {
        return core::fail(core::Error::invalid_argument(
                              "a tenant's level and parent cannot change; create a new tenant")
                              .at_field("parent"));
    }
    if (auto v = validate_tenant(*conn, tenant); !v) {
        return v;
    }
    auto done = execute(*conn, "UPDATE tenants SET name = ?, sector = ?, networks = ? WHERE id = ?",
                        tenant.name, tenant.sector, tenant.networks, tenant.id);
    if (!done && done.error().code() == core::ErrorCode::kAlreadyExists) {
        return core::fail(sibling_exists(tenant));
    }
    return done;
}

core::Result<std::vector<TenantId>> members_under_on(Connection& conn, TenantId tenant) {
    auto st = conn.prepare(
        "WITH RECURSIVE below(id, level) AS ("
        "  SELECT id, level FROM tenants WHERE id = ?"
        "  UNION ALL SELECT t.id, t.level FROM tenants t JOIN below b ON t.parent = b.id)"
        " SELECT id, level FROM below ORDER BY id");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(tenant);
    std::vector<TenantId> members;
    bool found = false;
    auto done = each_row(*st, [&](const Stmt& s) {
        found = true;
        if (s.i64(1) == static_cast<std::int64_t>(TenantLevel::kMember)) {
            members.push_back(s.i64(0));
        }
    });
    if (!done) {
        return core::fail(std::move(done.error()));
    }
    if (!found) {
        return core::fail(core::Error::not_found("tenant " + std::to_string(tenant) + " not found"));
    }
    return members;
}

core::Result<std::vector<TenantId>> SqliteStore::members_under(TenantId tenant) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    return members_under_on(**conn, tenant);
}

core::Result<TenantId> member_in_scope(Connection& conn, const std::string& sql, std::int64_t id,
                                       const Scope& scope, const std::string& missing) {
    auto member = query_one<TenantId>(conn, sql, read_i64, missing, id);
    if (member && !scope.allows(*member)) {
        return core::fail(core::Error::not_found(missing));
    }
    return member;
}

core::Status check_is_member(Connection& conn, TenantId member, std::string_view field) {
    auto level =
        query_one<std::int64_t>(conn, "SELECT level FROM tenants WHERE id = ?", read_i64, "", member);
    if (!level && level.error().code() != core::ErrorCode::kNotFound) {
        return core::fail(std::move(level.error()));
    }
    if (!level || *level != static_cast<std::int64_t>(TenantLevel::kMember)) {
        return core::fail(core::Error::invalid_argument("tenant " + std::to_string(member) +
                                                        " is not a member organisation")
                              .at_field(field));
    }
    return {};
}

core::Status check_member_visible(Connection& conn, const Scope& scope, TenantId member) {
    if (scope.allows(member)) {
        auto is_member = check_is_member(conn, member, "member");
        if (is_member || is_member.error().code() != core::ErrorCode::kInvalidArgument) {
            return is_member;  // a member in scope, or the database's own error
        }
    }
    return core::fail(core::Error::not_found("member " + std::to_string(member) + " not found"));
}

}  // namespace cyberalarm::store::sqlite
