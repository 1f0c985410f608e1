// `cyberalarm user add|list|disable|token`: people and their API tokens, for operators.
//
// Passwords are read from standard input or a file (never from the command line, where
// `ps` would show them) and stored only as Argon2id PHC strings. `user token` issues an API
// token that acts as that user, shown once; it is how a first member admin or a script gets
// in before the portal exists for them, and it is audited like every other change.
#include <fmt/core.h>

#include <iostream>
#include <memory>
#include <string>

#include "admin.h"
#include "commands.h"
#include "server/api/api.h"
#include "server/api/secrets.h"
#include "uplink/pki.h"

namespace cyberalarm::app {

namespace {

constexpr std::size_t kMinPassword = 12;
constexpr std::size_t kMaxPassword = 1024;

struct UserCommand {
    AdminOptions admin;
    store::TenantId tenant = 0;
    std::string role;
    std::string email;
    std::string name;
    bool password_stdin = false;
    std::string password_file;
    store::UserId id = 0;
    std::optional<store::TenantId> list_tenant;
    int days = 30;
    std::string scopes = "read";
    std::string label = "issued by the operator CLI";
};

core::Result<std::string> read_password(const UserCommand& c) {
    std::string password;
    if (!c.password_file.empty()) {
        auto text = uplink::read_small_file(c.password_file, kMaxPassword + 2);
        if (!text) {
            return tl::unexpected(text.error());
        }
        password = *text;
    } else if (c.password_stdin) {
        std::getline(std::cin, password);
    } else {
        return tl::unexpected(core::Error::invalid_argument(
            "give the password with --password-stdin or --password-file (never as an argument)"));
    }
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
        password.pop_back();
    }
    if (password.size() < kMinPassword || password.size() > kMaxPassword) {
        return tl::unexpected(core::Error::invalid_argument(
            fmt::format("the password must be {}-{} characters", kMinPassword, kMaxPassword)));
    }
    return password;
}

// The tenant a role belongs to must be at the level the role works at.
bool role_fits(store::Role role, store::TenantLevel level) {
    switch (role) {
        case store::Role::kMemberViewer:
        case store::Role::kMemberAdmin:
            return level == store::TenantLevel::kMember;
        case store::Role::kForceAnalyst:
            return level == store::TenantLevel::kForce;
        case store::Role::kRegionAnalyst:
            return level == store::TenantLevel::kRegion;
        case store::Role::kNationalAnalyst:
            return level == store::TenantLevel::kNation;
        case store::Role::kOperator:
            return true;
    }
    return false;
}

int user_add(const UserCommand& c) {
    auto role = store::role_from_string(c.role);
    if (!role) {
        return fail_usage("--role must be member_viewer, member_admin, force_analyst, "
                          "region_analyst, national_analyst or operator");
    }
    auto s = open_admin_store(c.admin);
    if (!s) {
        return 2;
    }
    store::User u;
    u.role = *role;
    if (*role != store::Role::kOperator) {
        auto tenant = s->store->get_tenant(c.tenant);
        if (!tenant) {
            return report_error("user add: --tenant", tenant.error());
        }
        if (!role_fits(*role, tenant->level)) {
            return fail_usage(fmt::format("a {} belongs to a tenant of another level than {}",
                                          c.role, store::to_string(tenant->level)));
        }
        u.tenant = c.tenant;
    }
    auto password = read_password(c);
    if (!password) {
        return report_error("user add", password.error());
    }
    // The same cost as the API uses for passwords set through it.
    const server::api::ApiOptions api_defaults;
    auto hash = server::api::hash_password(*password, api_defaults.password_opslimit,
                                           api_defaults.password_memlimit);
    if (!hash) {
        return report_error("user add", hash.error());
    }
    u.email = c.email;
    u.display_name = c.name;
    u.password_hash = std::move(*hash);
    u.created_ns = now_ns();
    auto made = s->store->create_user(std::move(u));
    if (!made) {
        return report_error("user add", made.error());
    }
    audit_change(*s, "create", 0, "user:" + std::to_string(made->id),
                 fmt::format("role={} tenant={}", c.role, made->tenant));
    print_user(c.admin, *made);
    return 0;
}

int user_list(const UserCommand& c) {
    return with_admin_store(c.admin, [&](AdminStore& s) {
        return print_all("user list", s.store->list_users(c.list_tenant),
                         [&](const store::User& u) { print_user(c.admin, u); });
    });
}

int user_disable(const UserCommand& c) {
    auto s = open_admin_store(c.admin);
    if (!s) {
        return 2;
    }
    auto u = s->store->get_user(c.id);
    if (!u) {
        return report_error("user disable", u.error());
    }
    u->disabled_ns = now_ns();
    if (auto st = s->store->update_user(*u); !st) {
        return report_error("user disable", st.error());
    }
    // Tokens die with the account: a disabled user's tokens are revoked, not just unused.
    if (auto tokens = s->store->list_api_tokens(c.id)) {
        for (const auto& t : *tokens) {
            if (t.revoked_ns == 0) {
                (void)s->store->revoke_api_token(t.id, u->disabled_ns);
            }
        }
    }
    audit_change(*s, "disable", 0, "user:" + std::to_string(c.id), "");
    fmt::print("disabled user {} and revoked its API tokens\n", c.id);
    return 0;
}

int user_token(const UserCommand& c) {
    if (c.days < 1 || c.days > 365) {
        return fail_usage("--days must be 1-365");
    }
    if (c.scopes != "read" && c.scopes != "read write" && c.scopes != "read write admin") {
        return fail_usage("--scopes must be \"read\", \"read write\" or \"read write admin\"");
    }
    auto s = open_admin_store(c.admin);
    if (!s) {
        return 2;
    }
    auto u = s->store->get_user(c.id);
    if (!u) {
        return report_error("user token", u.error());
    }
    if (u->disabled_ns != 0) {
        return fail_usage(fmt::format("user {} is disabled", c.id));
    }
    const std::string token = server::api::random_token(server::api::kApiTokenPrefix);
    store::ApiToken t;
    t.user = u->id;
    t.token_hash = store::token_hash(token);
    t.label = c.label;
    t.scopes = c.scopes;
    t.created_ns = now_ns();
    t.expires_ns = t.created_ns + std::int64_t{c.days} * 86400 * 1'000'000'000;
    auto made = s->store->create_api_token(t);
    if (!made) {
        return report_error("user token", made.error());
    }
    audit_change(*s, "create", 0, "api-token:" + std::to_string(made->id),
                 fmt::format("user={} scopes={} days={}", u->id, c.scopes, c.days));
    if (c.admin.json) {
        fmt::print("{{\"id\":{},\"user\":{},\"token\":\"{}\",\"expires\":\"{}\"}}\n", made->id,
                   u->id, token, iso_time(t.expires_ns));
    } else {
        fmt::print("API token for {} (scopes: {}; expires {}; shown once):\n{}\n", u->email,
                   c.scopes, iso_time(t.expires_ns), token);
    }
    return 0;
}

}  // namespace

Command add_user_command(CLI::App& app) {
    auto opt = std::make_shared<UserCommand>();
    auto chosen = std::make_shared<std::function<int()>>();
    auto* cmd = app.add_subcommand("user", "People: add, list, disable, issue an API token");
    cmd->require_subcommand(1);
    auto* add = admin_leaf(*cmd, "add", "Add a user", chosen, opt, &user_add);
    add->add_option("--tenant", opt->tenant, "The member, force, region or nation they work for");
    add->add_option("--role", opt->role,
                    "member_viewer, member_admin, force_analyst, region_analyst, "
                    "national_analyst or operator")
        ->required();
    add->add_option("--email", opt->email, "Login name")->required();
    add->add_option("--name", opt->name, "Display name");
    add->add_flag("--password-stdin", opt->password_stdin, "Read the password from stdin");
    add->add_option("--password-file", opt->password_file, "Read the password from a file");
    auto* list = admin_leaf(*cmd, "list", "List users (never their secrets)", chosen, opt,
                            &user_list);
    list->add_option("--tenant", opt->list_tenant, "Only users of this tenant");
    auto* disable = admin_leaf(*cmd, "disable", "Disable a user and revoke their tokens", chosen,
                               opt, &user_disable);
    disable->add_option("id", opt->id, "User id")->required();
    auto* token = admin_leaf(*cmd, "token", "Issue an API token acting as a user (shown once)",
                             chosen, opt, &user_token);
    token->add_option("--user", opt->id, "User id")->required();
    token->add_option("--days", opt->days, "Days until it expires (1-365)");
    token->add_option("--scopes", opt->scopes, "\"read\", \"read write\" or \"read write admin\"");
    token->add_option("--label", opt->label, "What it is for");
    return [chosen] { return *chosen ? (*chosen)() : 2; };
}

}  // namespace cyberalarm::app
