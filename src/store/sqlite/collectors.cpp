// Collectors and their one-time enrollment tokens.
#include <cctype>

#include "store/sqlite/internal/rows.h"
#include "store/sqlite/internal/sqlite_store_impl.h"

namespace cyberalarm::store::sqlite {

namespace {

constexpr std::size_t kMaxCollectorId = 128;
constexpr std::size_t kSha256Hex = 64;

// The id becomes a certificate's common name and appears in paths and logs: keep it to a
// conservative alphabet.
core::Status validate_collector_id(std::string_view id) {
    const bool ok = !id.empty() && id.size() <= kMaxCollectorId &&
                    std::all_of(id.begin(), id.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                               c == '_' || c == '.' || c == ':';
                    });
    if (!ok) {
        return core::fail(core::Error::invalid_argument(
                              "collector id must be 1 to 128 letters, digits, '-', '_', '.', ':'")
                              .at_field("id"));
    }
    return {};
}

core::Error unauthenticated_token() {
    // One message for unknown, used, expired and revoked: a caller learns nothing about
    // which tokens exist.
    return core::Error(core::ErrorCode::kUnauthenticated,
                       "enrollment token is not valid (unknown, used, expired or revoked)");
}

}  // namespace

core::Result<Collector> collector_on(Connection& conn, std::string_view id) {
    return query_one<Collector>(conn, select_sql(kCollectorColumns, "collectors", "WHERE id = ?"),
                                read_collector, "collector '" + std::string(id) + "' not found", id);
}

core::Status SqliteStore::create_collector(const Collector& collector) {
    if (auto st = validate_collector_id(collector.id); !st) {
        return st;
    }
    auto conn = pool_->writer();
    if (auto st = check_is_member(*conn, collector.member, "member"); !st) {
        return st;
    }
    auto st = conn->prepare(
        "INSERT INTO collectors (id, member, name, cert_serial, cert_not_after_ns, created_ns) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    const std::int64_t created = collector.created_ns != 0 ? collector.created_ns : wall_clock_ns();
    st->bind_all(collector.id, collector.member, collector.name, collector.cert_serial,
                 collector.cert_not_after_ns, created);
    auto done = st->run();
    if (!done && done.error().code() == core::ErrorCode::kAlreadyExists) {
        return core::fail(core::Error(core::ErrorCode::kAlreadyExists,
                                      "collector '" + collector.id + "' already exists")
                              .at_field("id"));
    }
    return done;
}

core::Result<Collector> SqliteStore::get_collector(std::string_view id) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    return collector_on(**conn, id);
}

core::Result<std::vector<Collector>> SqliteStore::list_collectors(const Scope& scope,
                                                                  std::optional<TenantId> member) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    if (member) {
        if (auto st = check_member_visible(**conn, scope, *member); !st) {
            return core::fail(std::move(st.error()));
        }
    }
    const std::string where = member ? "WHERE member = :member ORDER BY id"
                                     : "WHERE " + scope_condition(scope, "member") + " ORDER BY id";
    auto st = (*conn)->prepare(select_sql(kCollectorColumns, "collectors", where));
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    if (member) {
        st->bind_all(*member);
    } else {
        bind_scope(*st, scope);
    }
    return collect<Collector>(*st, read_collector);
}

core::Status SqliteStore::set_collector_certificate(std::string_view id, std::string_view serial,
                                                    std::int64_t not_after_ns,
                                                    std::int64_t now_ns) {
    auto conn = pool_->writer();
    auto collector = collector_on(*conn, id);
    if (!collector) {
        return core::fail(std::move(collector.error()));
    }
    if (collector->revoked_ns != 0) {
        return core::fail(core::Error(core::ErrorCode::kPermissionDenied,
                                      "collector '" + std::string(id) + "' is revoked"));
    }
    return execute(*conn,
                   "UPDATE collectors SET cert_serial = ?, cert_not_after_ns = ?, enrolled_ns = ? "
                   "WHERE id = ?",
                   serial, not_after_ns, now_ns, id);
}

core::Status SqliteStore::revoke_collector(std::string_view id, std::int64_t now_ns) {
    auto conn = pool_->writer();
    // Revoking twice keeps the first time: that is when trust ended.
    return revoke_row(*conn, "collectors", id, now_ns, "collector '" + std::string(id) + "' not found");
}

core::Status SqliteStore::add_enroll_token(const EnrollToken& token) {
    auto hash = normalise_hex(token.token_hash, kSha256Hex);
    if (!hash) {
        return core::fail(core::Error::invalid_argument("token_hash must be a hex SHA-256")
                              .at_field("token_hash"));
    }
    if (token.expires_ns <= token.created_ns) {
        return core::fail(core::Error::invalid_argument("expires_ns must be after created_ns")
                              .at_field("expires_ns"));
    }
    auto conn = pool_->writer();
    auto collector = collector_on(*conn, token.collector_id);
    if (!collector || (token.member != 0 && token.member != collector->member)) {
        return core::fail(core::Error::invalid_argument(
                              "collector '" + token.collector_id + "' is not one of member " +
                              std::to_string(token.member) + "'s collectors")
                              .at_field("collector_id"));
    }
    auto st = conn->prepare(
        "INSERT INTO enroll_tokens (token_hash, collector_id, member, created_by, created_ns, "
        "expires_ns) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(*hash, token.collector_id, collector->member, token.created_by, token.created_ns,
                 token.expires_ns);
    auto done = st->run();
    if (!done && done.error().code() == core::ErrorCode::kAlreadyExists) {
        return core::fail(core::Error(core::ErrorCode::kAlreadyExists, "token already exists")
                              .at_field("token_hash"));
    }
    return done;
}

core::Result<EnrollToken> SqliteStore::use_enroll_token(std::string_view token_hash,
                                                        std::int64_t now_ns) {
    auto hash = normalise_hex(token_hash, kSha256Hex);
    if (!hash) {
        return core::fail(unauthenticated_token());
    }
    auto conn = pool_->writer();
    // One statement decides and marks, so two callers can never both win.
    auto st = conn->prepare(
        "UPDATE enroll_tokens SET used_ns = ?2 WHERE token_hash = ?1 AND used_ns = 0 "
        "AND expires_ns > ?2 AND NOT EXISTS (SELECT 1 FROM collectors c "
        "WHERE c.id = enroll_tokens.collector_id AND c.revoked_ns <> 0) "
        "RETURNING token_hash, collector_id, member, created_by, created_ns, expires_ns, 0");
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    st->bind_all(*hash, now_ns);
    auto token = one<EnrollToken>(*st, read_enroll_token, "");
    if (!token) {
        if (token.error().code() == core::ErrorCode::kNotFound) {
            return core::fail(unauthenticated_token());
        }
        return core::fail(std::move(token.error()));
    }
    // RETURNING rows are produced before the statement completes; finish it.
    if (auto done = st->run(); !done) {
        return core::fail(std::move(done.error()));
    }
    return token;
}

core::Result<std::vector<EnrollToken>> SqliteStore::list_enroll_tokens(const Scope& scope) {
    auto conn = pool_->reader();
    if (!conn) {
        return core::fail(std::move(conn.error()));
    }
    auto st = (*conn)->prepare(select_sql(
        kEnrollTokenColumns, "enroll_tokens",
        "WHERE " + scope_condition(scope, "member") + " ORDER BY created_ns DESC, token_hash"));
    if (!st) {
        return core::fail(std::move(st.error()));
    }
    bind_scope(*st, scope);
    return collect<EnrollToken>(*st, read_enroll_token);
}

}  // namespace cyberalarm::store::sqlite
