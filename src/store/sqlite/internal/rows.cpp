#include "store/sqlite/internal/rows.h"

#include <algorithm>
#include <cctype>

namespace cyberalarm::store::sqlite {

namespace {
template <typename E>
E as_enum(const Stmt& st, int column) {
    return static_cast<E>(st.i64(column));
}
}  // namespace

Tenant read_tenant(const Stmt& st) {
    return Tenant{st.i64(0),  as_enum<TenantLevel>(st, 1), st.i64(2), st.text(3),
                  st.text(4), st.text(5),                  st.i64(6)};
}

Asset read_asset(const Stmt& st) {
    return Asset{st.i64(0),  st.i64(1), as_enum<AssetKind>(st, 2), st.text(3),
                 st.text(4), st.i64(5), st.i64(6),                 st.text(7)};
}

Collector read_collector(const Stmt& st) {
    Collector c;
    c.id = st.text(0);
    c.member = st.i64(1);
    c.name = st.text(2);
    c.cert_serial = st.text(3);
    c.cert_not_after_ns = st.i64(4);
    c.created_ns = st.i64(5);
    c.enrolled_ns = st.i64(6);
    c.last_seen_ns = st.i64(7);
    c.high_water = static_cast<std::uint64_t>(st.i64(8));
    c.events_total = static_cast<std::uint64_t>(st.i64(9));
    c.revoked_ns = st.i64(10);
    return c;
}

EnrollToken read_enroll_token(const Stmt& st) {
    return EnrollToken{st.text(0), st.text(1), st.i64(2), st.text(3),
                       st.i64(4),  st.i64(5),  st.i64(6)};
}

User read_user(const Stmt& st) {
    User u;
    u.id = st.i64(0);
    u.tenant = st.i64(1);
    u.role = as_enum<Role>(st, 2);
    u.email = st.text(3);
    u.display_name = st.text(4);
    u.password_hash = st.text(5);
    u.totp_secret = st.text(6);
    u.created_ns = st.i64(7);
    u.last_login_ns = st.i64(8);
    u.disabled_ns = st.i64(9);
    return u;
}

Grant read_grant(const Stmt& st) {
    return Grant{st.i64(0), st.i64(1), st.i64(2), st.text(3), st.i64(4),
                 st.i64(5), st.i64(6), st.i64(7), st.i64(8)};
}

ApiToken read_api_token(const Stmt& st) {
    return ApiToken{st.i64(0), st.i64(1), st.text(2), st.text(3), st.text(4),
                    st.i64(5), st.i64(6), st.i64(7),  st.i64(8)};
}

AuditRecord read_audit_record(const Stmt& st) {
    return AuditRecord{st.i64(0),  st.i64(1),  st.text(2), st.text(3), st.i64(4),
                       st.text(5), st.text(6), st.text(7), st.text(8)};
}

ScanRun read_scan_run(const Stmt& st) {
    return ScanRun{st.i64(0), st.i64(1), st.text(2), st.text(3),
                   st.i64(4), st.i64(5), st.text(6)};
}

ScanResult read_scan_result(const Stmt& st) {
    ScanResult r;
    r.id = st.i64(0);
    r.member = st.i64(1);
    r.scan_id = st.i64(2);
    r.target = st.text(3);
    r.port = static_cast<std::uint16_t>(st.i64(4));
    r.transport = as_enum<core::Transport>(st, 5);
    r.service = st.text(6);
    r.product = st.text(7);
    r.version = st.text(8);
    r.check = st.text(9);
    r.cve = st.text(10);
    r.severity = as_enum<core::Severity>(st, 11);
    r.cvss = st.f64(12);
    r.title = st.text(13);
    r.evidence = st.text(14);
    r.advice = st.text(15);
    r.seen_ns = st.i64(16);
    return r;
}

ReportRecord read_report(const Stmt& st) {
    ReportRecord r;
    r.id = st.i64(0);
    r.tenant = st.i64(1);
    r.kind = st.text(2);
    r.from_ns = st.i64(3);
    r.to_ns = st.i64(4);
    r.created_ns = st.i64(5);
    r.content_type = st.text(6);
    return r;
}

std::string select_sql(std::string_view columns, std::string_view table, std::string_view rest) {
    std::string sql = "SELECT ";
    sql += columns;
    sql += " FROM ";
    sql += table;
    sql += ' ';
    sql += rest;
    return sql;
}

core::Status changed_one(Connection& conn, std::string what) {
    if (conn.changes() == 0) {
        return core::fail(core::Error::not_found(std::move(what)));
    }
    return {};
}

std::string_view address_bytes(const core::IpAddress& ip) {
    if (!ip.is_set()) {
        return {};
    }
    const auto& b = ip.bytes();
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

core::IpAddress address_from_bytes(std::string_view bytes) {
    if (bytes.size() != 16) {
        return {};
    }
    std::array<std::uint8_t, 16> b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    const bool mapped = std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; }) &&
                        b[10] == 0xff && b[11] == 0xff;
    if (mapped) {
        return core::IpAddress::v4((std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                                   (std::uint32_t{b[14]} << 8) | b[15]);
    }
    return core::IpAddress::v6(b);
}

std::string scope_condition(const Scope& scope, std::string_view column) {
    if (scope.all_members) {
        return "1";
    }
    return std::string(column) + " IN (SELECT value FROM json_each(:scope))";
}

void bind_scope(Stmt& st, const Scope& scope) {
    if (!scope.all_members) {
        st.bind_named(":scope", json_id_list(scope.members));
    }
}

std::string json_id_list(const std::vector<TenantId>& ids) {
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i != 0) {
            out += ',';
        }
        out += std::to_string(ids[i]);
    }
    out += ']';
    return out;
}

std::uint64_t query_fingerprint(std::string_view canonical) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : canonical) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

std::optional<std::string> normalise_hex(std::string_view text, std::size_t length) {
    if (text.size() != length) {
        return std::nullopt;
    }
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return std::nullopt;
        }
    }
    return out;
}

}  // namespace cyberalarm::store::sqlite
