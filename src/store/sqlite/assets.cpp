// Members' assets: the networks, domains and hosts the scanner may act on once verified.
#include <cctype>

#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::size_t kMaxHostName = 253;

// Networks are kept in canonical CIDR form and names in lower case, so that one asset has
// exactly one spelling and the UNIQUE constraint catches repeats.
core::Result<std::string> normalise_asset_value(AssetKind kind, std::string_view value) {
    if (kind == AssetKind::kNetwork) {
        auto cidr = core::Cidr::parse(value);
        if (!cidr) {
            return core::fail(core::Error::invalid_argument("'" + std::string(value) +
                                                            "' is not an address or CIDR")
                                  .at_field("value"));
        }
        return cidr->to_string();
    }
    std::string name;
    for (const char c : value) {
        const auto b = static_cast<unsigned char>(c);
        if (!std::isalnum(b) && c != '-' && c != '.') {
            return core::fail(core::Error::invalid_argument(
                                  "a domain or host name has only letters, digits, '-' and '.'")
                                  .at_field("value"));
        }
        name += static_cast<char>(std::tolower(b));
    }
    if (name.empty() || name.size() > kMaxHostName || name.front() == '.' ||
        name.find("..") != std::string::npos) {
        return core::fail(
            core::Error::invalid_argument("not a domain or host name").at_field("value"));
    }
    return name;
}

const std::string kAssetMember = "SELECT member FROM assets WHERE id = ?";

}  // namespace

core::Result<Asset> SqliteStore::add_asset(const Scope& scope, Asset asset) {
    auto conn = pool_->writer();
    if (auto st = check_member_visible(*conn, scope, asset.member); !st) {
        return core::fail(std::move(st.error()));
    }
    auto value = normalise_asset_value(asset.kind, asset.value);
    if (!value) {
        return core::fail(std::move(value.error()));
    }
    asset.value = std::move(*value);
    if (asset.created_ns == 0) {
        asset.created_ns = wall_clock_ns();
    }
    auto st = conn->prepare(
        "INSERT INTO assets (member, kind, value, verify_token, created_ns, verified_ns, "
        "verified_by) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(asset.member, asset.kind, asset.value, asset.verify_token, asset.created_ns,
                 asset.verified_ns, asset.verified_by);
    if (auto done = st->run(); !done) {
        if (done.error().code() == core::ErrorCode::kAlreadyExists) {
            return core::fail(core::Error(core::ErrorCode::kAlreadyExists,
                                          "asset '" + asset.value + "' is already registered")
                                  .at_field("value"));
        }
        return core::fail(std::move(done.error()));
    }
    asset.id = conn->last_insert_rowid();
    return asset;
}

core::Result<std::vector<Asset>> SqliteStore::list_assets(const Scope& scope, TenantId member) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    if (auto st = check_member_visible(**conn, scope, member); !st) {
        return core::fail(std::move(st.error()));
    }
    return query_all<Asset>(**conn, select_sql(kAssetColumns, "assets", "WHERE member = ? ORDER BY id"),
                            read_asset, member);
}

core::Status SqliteStore::mark_asset_verified(const Scope& scope, std::int64_t id,
                                              std::string_view how, std::int64_t now_ns) {
    if (how.empty()) {
        return core::fail(core::Error::invalid_argument("how the asset was verified is required")
                              .at_field("verified_by"));
    }
    auto conn = pool_->writer();
    const std::string missing = "asset " + std::to_string(id) + " not found";
    if (auto m = member_in_scope(*conn, kAssetMember, id, scope, missing); !m) {
        return core::fail(std::move(m.error()));
    }
    return execute(*conn, "UPDATE assets SET verified_ns = ?, verified_by = ? WHERE id = ?", now_ns,
                   how, id);
}

core::Status SqliteStore::delete_asset(const Scope& scope, std::int64_t id) {
    auto conn = pool_->writer();
    const std::string missing = "asset " + std::to_string(id) + " not found";
    if (auto m = member_in_scope(*conn, kAssetMember, id, scope, missing); !m) {
        return core::fail(std::move(m.error()));
    }
    return execute(*conn, "DELETE FROM assets WHERE id = ?", id);
}

}  // namespace cyberalarm::store::sqlite
