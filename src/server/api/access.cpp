#include "server/api/internal/access.h"

#include <algorithm>

#include "server/api/secrets.h"

namespace cyberalarm::server::api {

namespace {

using store::Role;

core::Error unauthenticated() {
    return core::Error(core::ErrorCode::kUnauthenticated, "authentication required");
}

bool is_analyst(Role role) {
    return role == Role::kForceAnalyst || role == Role::kRegionAnalyst ||
           role == Role::kNationalAnalyst;
}

// The token in "Bearer <token>" (scheme case-insensitive, RFC 6750); "" if malformed.
std::string_view bearer_token(std::string_view header) {
    constexpr std::string_view kScheme = "bearer ";
    if (header.size() <= kScheme.size()) {
        return {};
    }
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) {
            return {};
        }
    }
    std::string_view token = header.substr(kScheme.size());
    const bool clean = token.size() <= 256 && std::all_of(token.begin(), token.end(), [](char c) {
        return c > 0x20 && c < 0x7f;
    });
    return clean ? token : std::string_view{};
}

}  // namespace

std::optional<Need> token_scope_from_string(std::string_view scopes) {
    std::optional<Need> best;
    while (!scopes.empty()) {
        const auto space = scopes.find(' ');
        const auto word = scopes.substr(0, space);
        scopes = space == std::string_view::npos ? std::string_view{} : scopes.substr(space + 1);
        Need need = Need::kNone;
        if (word == "read") {
            need = Need::kRead;
        } else if (word == "write") {
            need = Need::kWrite;
        } else if (word == "admin") {
            need = Need::kAdmin;
        } else if (!word.empty()) {
            return std::nullopt;
        } else {
            continue;
        }
        best = best ? std::max(*best, need) : need;
    }
    return best;
}

std::string_view to_string(Need need) {
    switch (need) {
        case Need::kNone:
            return "none";
        case Need::kRead:
            return "read";
        case Need::kWrite:
            return "write";
        case Need::kAdmin:
            return "admin";
    }
    return "none";
}

std::string Access::basis(store::TenantId member) const {
    if (const auto grant = grant_for(member)) {
        return "grant:" + std::to_string(*grant);
    }
    return "role:" + std::string(store::to_string(user.role));
}

std::optional<std::int64_t> Access::grant_for(store::TenantId member) const {
    for (const auto& [m, grant] : grants) {
        if (m == member) {
            return grant;
        }
    }
    return std::nullopt;
}

store::TenantLevel level_of(Role role) {
    switch (role) {
        case Role::kMemberViewer:
        case Role::kMemberAdmin:
            return store::TenantLevel::kMember;
        case Role::kForceAnalyst:
            return store::TenantLevel::kForce;
        case Role::kRegionAnalyst:
            return store::TenantLevel::kRegion;
        case Role::kNationalAnalyst:
        case Role::kOperator:
            return store::TenantLevel::kNation;
    }
    return store::TenantLevel::kNation;
}

core::Result<Access> compute_access(store::Store& store, store::User user, std::int64_t now_ns) {
    Access access;
    user.password_hash.clear();
    user.totp_secret.clear();
    access.user = std::move(user);
    const Role role = access.user.role;
    if (role == Role::kMemberViewer || role == Role::kMemberAdmin) {
        access.data = store::Scope::of({access.user.tenant});
        access.collectors = access.data;
        access.reports = access.data;
        if (role == Role::kMemberAdmin) {
            access.manage = access.data;
        }
    } else if (is_analyst(role)) {
        auto under = store.members_under(access.user.tenant);
        if (!under) {
            return core::fail(std::move(under.error()));
        }
        std::sort(under->begin(), under->end());
        auto grants = store.list_grants(access.user.id);
        if (!grants) {
            return core::fail(std::move(grants.error()));
        }
        std::vector<store::TenantId> members;
        for (const auto& g : *grants) {
            const bool live = g.user == access.user.id && g.revoked_ns == 0 && g.expires_ns > now_ns;
            if (live && std::binary_search(under->begin(), under->end(), g.member) &&
                !access.grant_for(g.member)) {
                access.grants.emplace_back(g.member, g.id);
                members.push_back(g.member);
            }
        }
        access.data = store::Scope::of(members);
        access.collectors = access.data;
        members.push_back(access.user.tenant);
        access.reports = store::Scope::of(std::move(members));
    } else {
        // The operator runs the service: collectors of every member, no member data.
        access.collectors = store::Scope::service();
        access.manage = store::Scope::service();
    }
    return access;
}

core::Result<Access> authenticate(store::Store& store, std::string_view authorization,
                                  std::int64_t now_ns) {
    const auto token = bearer_token(authorization);
    if (token.empty()) {
        return core::fail(unauthenticated());
    }
    auto found = store.find_api_token(store::token_hash(token), now_ns);
    if (!found) {
        if (found.error().code() == core::ErrorCode::kUnavailable) {
            return core::fail(std::move(found.error()));
        }
        return core::fail(unauthenticated());
    }
    const auto scope = token_scope_from_string(found->scopes);
    if (!scope || found->revoked_ns != 0 || found->expires_ns <= now_ns) {
        return core::fail(unauthenticated());
    }
    auto user = store.get_user(found->user);
    if (!user || user->disabled_ns != 0) {
        return core::fail(unauthenticated());
    }
    auto access = compute_access(store, std::move(*user), now_ns);
    if (!access) {
        return access;
    }
    access->token_id = found->id;
    access->token_scope = *scope;
    return access;
}

bool may_manage_user(const Access& access, Role role, store::TenantId tenant) {
    if (access.is_operator()) {
        return true;
    }
    return access.is_member_admin() &&
           (role == Role::kMemberViewer || role == Role::kMemberAdmin) &&
           tenant == access.user.tenant;
}

}  // namespace cyberalarm::server::api
