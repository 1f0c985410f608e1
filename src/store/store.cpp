#include "store/store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace cyberalarm::store {

namespace {

template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

constexpr std::array<std::string_view, 4> kTenantLevels = {"nation", "region", "force",
                                                           "member"};
constexpr std::array<std::string_view, 3> kAssetKinds = {"network", "domain", "host"};
constexpr std::array<std::string_view, 3> kFindingStatuses = {"open", "acknowledged",
                                                              "resolved"};
constexpr std::array<std::string_view, 6> kRoles = {
    "member_viewer",    "member_admin", "force_analyst", "region_analyst",
    "national_analyst", "operator"};

constexpr char kHex[] = "0123456789abcdef";

// Appends a length-prefixed field, so no choice of field contents can make two different
// records hash the same ("ab" + "c" versus "a" + "bc").
void put_field(std::string& out, std::string_view field) {
    const std::string len = std::to_string(field.size());
    out += len;
    out += ':';
    out += field;
}

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
        std::abort();  // SHA-256 is always available in OpenSSL's default provider
    }
    std::string hex;
    hex.reserve(std::size_t{len} * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex += kHex[md[i] >> 4];
        hex += kHex[md[i] & 0x0f];
    }
    return hex;
}

// Cursor text: "<fingerprint hex>.<time>.<id>.<text id hex>", all ASCII and URL-safe.
void put_hex(std::string& out, std::string_view bytes) {
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += kHex[b >> 4];
        out += kHex[b & 0x0f];
    }
}

std::optional<std::string> get_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        unsigned value = 0;
        const auto [p, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
        if (ec != std::errc{} || p != hex.data() + i + 2) {
            return std::nullopt;
        }
        out += static_cast<char>(value);
    }
    return out;
}

template <typename T>
bool parse_whole(std::string_view text, T& value, int base = 10) {
    if (text.empty()) {
        return false;
    }
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return ec == std::errc{} && p == text.data() + text.size();
}

constexpr std::size_t kMaxCursor = 512;

}  // namespace

Scope Scope::of(std::vector<TenantId> members) {
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    return Scope{false, std::move(members)};
}

bool Scope::allows(TenantId member) const {
    return all_members || std::binary_search(members.begin(), members.end(), member);
}

std::string_view to_string(TenantLevel level) {
    return kTenantLevels.at(static_cast<std::size_t>(level));
}
std::optional<TenantLevel> tenant_level_from_string(std::string_view s) {
    return lookup<TenantLevel>(kTenantLevels, s);
}
std::string_view to_string(AssetKind kind) {
    return kAssetKinds.at(static_cast<std::size_t>(kind));
}
std::optional<AssetKind> asset_kind_from_string(std::string_view s) {
    return lookup<AssetKind>(kAssetKinds, s);
}
std::string_view to_string(FindingStatus status) {
    return kFindingStatuses.at(static_cast<std::size_t>(status));
}
std::optional<FindingStatus> finding_status_from_string(std::string_view s) {
    return lookup<FindingStatus>(kFindingStatuses, s);
}
std::string_view to_string(Role role) { return kRoles.at(static_cast<std::size_t>(role)); }
std::optional<Role> role_from_string(std::string_view s) { return lookup<Role>(kRoles, s); }

std::string audit_hash(const AuditRecord& record) {
    std::string data = "cyberalarm-audit-v1\n";
    put_field(data, record.prev_hash);
    put_field(data, std::to_string(record.seq));
    put_field(data, std::to_string(record.time_ns));
    put_field(data, record.actor);
    put_field(data, record.action);
    put_field(data, std::to_string(record.member));
    put_field(data, record.target);
    put_field(data, record.detail);
    return sha256_hex(data);
}

std::string new_token() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        std::abort();  // no entropy: nothing safe to hand out
    }
    std::string out;
    put_hex(out, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    return out;
}

std::string token_hash(std::string_view token) { return sha256_hex(token); }

std::string encode_cursor(std::uint64_t query_fingerprint, const CursorKey& key) {
    char buf[24];
    const auto fp_end = std::to_chars(buf, buf + sizeof buf, query_fingerprint, 16).ptr;
    std::string out(buf, fp_end);
    out += '.';
    out += std::to_string(key.time_ns);
    out += '.';
    out += std::to_string(key.id);
    out += '.';
    put_hex(out, key.text_id);
    return out;
}

core::Result<CursorKey> decode_cursor(std::string_view cursor, std::uint64_t query_fingerprint) {
    const auto bad = [](std::string message) {
        return tl::unexpected(
            core::Error::invalid_argument("cursor: " + std::move(message)).at_field("cursor"));
    };
    if (cursor.size() > kMaxCursor) {
        return bad("longer than " + std::to_string(kMaxCursor) + " characters");
    }
    std::array<std::string_view, 4> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::size_t dot = cursor.find('.', start);
        const bool last = i + 1 == parts.size();
        if (last != (dot == std::string_view::npos)) {
            return bad("not a cursor this server issued (expected four dot-separated parts)");
        }
        parts[i] = cursor.substr(start, last ? std::string_view::npos : dot - start);
        start = dot + 1;
    }
    std::uint64_t fingerprint = 0;
    if (!parse_whole(parts[0], fingerprint, 16)) {
        return bad("not a cursor this server issued");
    }
    if (fingerprint != query_fingerprint) {
        return bad("made for a different query; repeat the query from its first page");
    }
    CursorKey key;
    if (!parse_whole(parts[1], key.time_ns) || !parse_whole(parts[2], key.id)) {
        return bad("not a cursor this server issued (bad position)");
    }
    auto text = get_hex(parts[3]);
    if (!text) {
        return bad("not a cursor this server issued (bad id)");
    }
    key.text_id = std::move(*text);
    return key;
}

}  // namespace cyberalarm::store
