// Users, grants and API tokens. Not scope-filtered: the access layer decides who may
// manage whom; the store keeps the records consistent (roles sit at the right tenant level,
// tokens always expire, e-mail addresses have one spelling).
#include <cctype>

#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::size_t kSha256Hex = 64;
constexpr std::size_t kMaxEmail = 254;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// The tenant level each role belongs at; nullopt for the operator, who may sit anywhere.
std::optional<TenantLevel> level_for(Role role) {
    switch (role) {
        case Role::kMemberViewer:
        case Role::kMemberAdmin:
            return TenantLevel::kMember;
        case Role::kForceAnalyst:
            return TenantLevel::kForce;
        case Role::kRegionAnalyst:
            return TenantLevel::kRegion;
        case Role::kNationalAnalyst:
            return TenantLevel::kNation;
        case Role::kOperator:
            return std::nullopt;
    }
    return std::nullopt;
}

core::Status validate_user(Connection& conn, User& user) {
    user.email = lower(user.email);
    const auto at = user.email.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == user.email.size() ||
        user.email.size() > kMaxEmail) {
        return core::fail(core::Error::invalid_argument("not an e-mail address").at_field("email"));
    }
    const auto wanted = level_for(user.role);
    if (!wanted && user.tenant == 0) {
        return {};
    }
    auto level = query_one<std::int64_t>(conn, "SELECT level FROM tenants WHERE id = ?", read_i64, "",
                                         user.tenant);
    if (!level || (wanted && *level != static_cast<std::int64_t>(*wanted))) {
        return core::fail(core::Error::invalid_argument(
                              "role " + std::string(to_string(user.role)) + " needs a " +
                              (wanted ? std::string(to_string(*wanted)) : std::string("known")) +
                              " tenant")
                              .at_field("tenant"));
    }
    return {};
}

core::Error email_taken() {
    return core::Error(core::ErrorCode::kAlreadyExists, "a user with this e-mail already exists")
        .at_field("email");
}

core::Status validate_scopes(std::string_view scopes) {
    std::size_t start = 0;
    bool any = false;
    while (start <= scopes.size()) {
        const std::size_t space = std::min(scopes.find(' ', start), scopes.size());
        const std::string_view word = scopes.substr(start, space - start);
        if (!word.empty()) {
            if (word != "read" && word != "write" && word != "admin") {
                return core::fail(core::Error::invalid_argument(
                                      "unknown scope '" + std::string(word) +
                                      "' (read, write, admin)")
                                      .at_field("scopes"));
            }
            any = true;
        }
        start = space + 1;
    }
    if (!any) {
        return core::fail(core::Error::invalid_argument("a token needs at least one scope")
                              .at_field("scopes"));
    }
    return {};
}

core::Error bad_api_token() {
    return core::Error(core::ErrorCode::kUnauthenticated,
                       "API token is not valid (unknown, revoked or expired)");
}

core::Status check_user_exists(Connection& conn, UserId id, std::string_view field) {
    auto found = query_one<std::int64_t>(conn, "SELECT id FROM users WHERE id = ?", read_i64, "", id);
    if (!found && found.error().code() == core::ErrorCode::kNotFound) {
        return core::fail(
            core::Error::invalid_argument("user " + std::to_string(id) + " not found")
                .at_field(field));
    }
    return found ? core::Status{} : core::fail(std::move(found.error()));
}

}  // namespace

core::Result<User> SqliteStore::create_user(User user) {
    auto conn = pool_->writer();
    if (auto st = validate_user(*conn, user); !st) {
        return core::fail(std::move(st.error()));
    }
    if (user.created_ns == 0) {
        user.created_ns = wall_clock_ns();
    }
    auto st = conn->prepare(
        "INSERT INTO users (tenant, role, email, display_name, password_hash, totp_secret, "
        "created_ns, last_login_ns, disabled_ns) VALUES (nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(user.tenant, user.role, user.email, user.display_name, user.password_hash,
                 user.totp_secret, user.created_ns, user.last_login_ns, user.disabled_ns);
    if (auto done = st->run(); !done) {
        if (done.error().code() == core::ErrorCode::kAlreadyExists) {
            return core::fail(email_taken());
        }
        return core::fail(std::move(done.error()));
    }
    user.id = conn->last_insert_rowid();
    return user;
}

core::Result<User> SqliteStore::get_user(UserId id) {
    return read_one<User>(select_sql(kUserColumns, "users", "WHERE id = ?"), read_user,
                          "user " + std::to_string(id) + " not found", id);
}

core::Result<User> SqliteStore::find_user_by_email(std::string_view email) {
    return read_one<User>(select_sql(kUserColumns, "users", "WHERE email = ?"), read_user,
                          "no user with this e-mail", lower(email));
}

core::Result<std::vector<User>> SqliteStore::list_users(std::optional<TenantId> tenant) {
    return read_all<User>(select_sql(kUserColumns, "users",
                                     "WHERE ?1 = -1 OR coalesce(tenant, 0) = ?1 ORDER BY id"),
                          read_user, tenant.value_or(-1));
}

core::Status SqliteStore::update_user(const User& user) {
    User u = user;
    auto conn = pool_->writer();
    if (auto st = validate_user(*conn, u); !st) {
        return st;
    }
    auto st = conn->prepare(
        "UPDATE users SET tenant = nullif(?, 0), role = ?, email = ?, display_name = ?, "
        "password_hash = ?, totp_secret = ?, last_login_ns = ?, disabled_ns = ? WHERE id = ?");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(u.tenant, u.role, u.email, u.display_name, u.password_hash, u.totp_secret,
                 u.last_login_ns, u.disabled_ns, u.id);
    if (auto done = st->run(); !done) {
        if (done.error().code() == core::ErrorCode::kAlreadyExists) {
            return core::fail(email_taken());
        }
        return done;
    }
    return changed_one(*conn, "user " + std::to_string(u.id) + " not found");
}

core::Result<Grant> SqliteStore::create_grant(Grant grant) {
    if (grant.purpose.empty()) {
        return core::fail(core::Error::invalid_argument("a grant states its purpose")
                              .at_field("purpose"));
    }
    if (grant.created_ns == 0) {
        grant.created_ns = wall_clock_ns();
    }
    if (grant.expires_ns <= grant.created_ns) {
        return core::fail(core::Error::invalid_argument("a grant must expire after it is made")
                              .at_field("expires_ns"));
    }
    auto conn = pool_->writer();
    if (auto st = check_user_exists(*conn, grant.user, "user"); !st) {
        return core::fail(std::move(st.error()));
    }
    if (auto st = check_is_member(*conn, grant.member, "member"); !st) {
        return core::fail(std::move(st.error()));
    }
    auto st = conn->prepare("INSERT INTO grants (" + std::string(kGrantColumns).substr(4) +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(grant.user, grant.member, grant.purpose, grant.granted_by, grant.created_ns,
                 grant.expires_ns, grant.revoked_ns, grant.last_used_ns);
    if (auto done = st->run(); !done) {
        return core::fail(std::move(done.error()));
    }
    grant.id = conn->last_insert_rowid();
    return grant;
}

core::Result<std::vector<Grant>> SqliteStore::list_grants(std::optional<UserId> user) {
    return read_all<Grant>(
        select_sql(kGrantColumns, "grants", "WHERE ?1 = -1 OR user_id = ?1 ORDER BY id"),
        read_grant, user.value_or(-1));
}

core::Status SqliteStore::revoke_grant(std::int64_t id, std::int64_t now_ns) {
    auto conn = pool_->writer();
    return revoke_row(*conn, "grants", id, now_ns, "grant " + std::to_string(id) + " not found");
}

core::Status SqliteStore::touch_grant(std::int64_t id, std::int64_t now_ns) {
    auto conn = pool_->writer();
    if (auto done = execute(*conn, "UPDATE grants SET last_used_ns = max(last_used_ns, ?) WHERE id = ?",
                            now_ns, id);
        !done) {
        return done;
    }
    return changed_one(*conn, "grant " + std::to_string(id) + " not found");
}

core::Result<ApiToken> SqliteStore::create_api_token(ApiToken token) {
    auto hash = normalise_hex(token.token_hash, kSha256Hex);
    if (!hash) {
        return core::fail(core::Error::invalid_argument("token_hash must be a hex SHA-256")
                              .at_field("token_hash"));
    }
    token.token_hash = std::move(*hash);
    if (auto st = validate_scopes(token.scopes); !st) {
        return core::fail(std::move(st.error()));
    }
    if (token.created_ns == 0) {
        token.created_ns = wall_clock_ns();
    }
    if (token.expires_ns <= token.created_ns) {
        return core::fail(core::Error::invalid_argument("API tokens always expire; set expires_ns")
                              .at_field("expires_ns"));
    }
    auto conn = pool_->writer();
    if (auto st = check_user_exists(*conn, token.user, "user"); !st) {
        return core::fail(std::move(st.error()));
    }
    auto st = conn->prepare("INSERT INTO api_tokens (" + std::string(kApiTokenColumns).substr(4) +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(token.user, token.token_hash, token.label, token.scopes, token.created_ns,
                 token.expires_ns, token.revoked_ns, token.last_used_ns);
    if (auto done = st->run(); !done) {
        if (done.error().code() == core::ErrorCode::kAlreadyExists) {
            return core::fail(core::Error(core::ErrorCode::kAlreadyExists, "token already exists")
                                  .at_field("token_hash"));
        }
        return core::fail(std::move(done.error()));
    }
    token.id = conn->last_insert_rowid();
    return token;
}

core::Result<ApiToken> SqliteStore::find_api_token(std::string_view token_hash,
                                                   std::int64_t now_ns) {
    auto hash = normalise_hex(token_hash, kSha256Hex);
    if (!hash) {
        return core::fail(bad_api_token());
    }
    core::Result<ApiToken> token = core::fail(bad_api_token());
    {
        auto conn = pool_->reader();
        if (!conn) {
            return core::fail(std::move(conn.error()));
        }
        // A disabled user's tokens stop working with the user.
        auto st = (*conn)->prepare(select_sql(
            kApiTokenColumns, "api_tokens t",
            "WHERE token_hash = ? AND revoked_ns = 0 AND expires_ns > ? AND NOT EXISTS "
            "(SELECT 1 FROM users u WHERE u.id = t.user_id AND u.disabled_ns <> 0)"));
        if (!st) {
            return core::fail(std::move(st.error()));
        }
        st->bind_all(*hash, now_ns);
        token = one<ApiToken>(*st, read_api_token, "");
    }
    if (!token) {
        return token.error().code() == core::ErrorCode::kNotFound ? core::fail(bad_api_token())
                                                                   : token;
    }
    if (token->last_used_ns != 0 &&
        now_ns - token->last_used_ns < options_.api_token_touch_interval_ns) {
        return token;
    }
    auto conn = pool_->writer();
    if (auto done = execute(*conn,
                            "UPDATE api_tokens SET last_used_ns = max(last_used_ns, ?) WHERE id = ?",
                            now_ns, token->id);
        !done) {
        return core::fail(std::move(done.error()));
    }
    token->last_used_ns = std::max(token->last_used_ns, now_ns);
    return token;
}

core::Result<std::vector<ApiToken>> SqliteStore::list_api_tokens(std::optional<UserId> user) {
    return read_all<ApiToken>(
        select_sql(kApiTokenColumns, "api_tokens", "WHERE ?1 = -1 OR user_id = ?1 ORDER BY id"),
        read_api_token, user.value_or(-1));
}

core::Status SqliteStore::revoke_api_token(std::int64_t id, std::int64_t now_ns) {
    auto conn = pool_->writer();
    return revoke_row(*conn, "api_tokens", id, now_ns, "API token " + std::to_string(id) + " not found");
}

}  // namespace cyberalarm::store::sqlite
