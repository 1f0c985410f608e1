// Operator commands against the server's store: `cyberalarm tenant|collector|enroll-token …`
// (`user` is in cmd_user.cpp). They open <data-dir>/store.db directly, so they work with the
// server stopped or running (SQLite WAL), and every change is appended to the audit log as
// the operator who ran it ("cli:<unix user>").
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "admin.h"
#include "commands.h"
#include "core/cidr_set.h"
#include "server/api/secrets.h"
#include "uplink/messages.h"

namespace cyberalarm::app {

namespace {

// ---- tenant ----------------------------------------------------------------------------------

struct TenantCommand {
    AdminOptions admin;
    std::string level = "member";
    store::TenantId parent = 0;
    std::string name;
    std::string sector;
    std::string networks;
    store::TenantId id = 0;
    std::optional<store::TenantId> list_parent;
};

// The member's networks, checked and normalised ("a, b" → "a,b").
core::Result<std::string> normalise_networks(std::string_view text) {
    core::CidrSet set;
    if (auto st = set.add_list(text); !st) {
        return tl::unexpected(core::Error(st.error()).at_field("--networks"));
    }
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(", \n", start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (end > start) {
            out += (out.empty() ? "" : ",");
            out += text.substr(start, end - start);
        }
        start = end + 1;
    }
    return out;
}

int tenant_add(const TenantCommand& c) {
    auto s = open_admin_store(c.admin);
    if (!s) {
        return 2;
    }
    auto level = store::tenant_level_from_string(c.level);
    if (!level) {
        return fail_usage("--level must be nation, region, force or member");
    }
    store::Tenant t;
    t.level = *level;
    t.parent = c.parent;
    t.name = c.name;
    t.sector = c.sector;
    if (!c.networks.empty()) {
        auto nets = normalise_networks(c.networks);
        if (!nets) {
            return report_error("tenant add", nets.error());
        }
        t.networks = *nets;
    }
    auto made = s->store->create_tenant(t);
    if (!made) {
        return report_error("tenant add", made.error());
    }
    audit_change(*s, "create", made->level == store::TenantLevel::kMember ? made->id : 0,
                 "tenant:" + std::to_string(made->id),
                 fmt::format("level={} parent={} name={}", store::to_string(made->level),
                             made->parent, made->name));
    print_tenant(c.admin, *made);
    return 0;
}

int tenant_list(const TenantCommand& c) {
    return with_admin_store(c.admin, [&](AdminStore& s) {
        return print_all("tenant list", s.store->list_tenants(c.list_parent),
                         [&](const store::Tenant& t) { print_tenant(c.admin, t); });
    });
}

int tenant_show(const TenantCommand& c) {
    return with_admin_store(c.admin, [&](AdminStore& s) {
        auto t = s.store->get_tenant(c.id);
        if (!t) {
            return report_error("tenant show", t.error());
        }
        print_tenant(c.admin, *t);
        return 0;
    });
}

// ---- collector -------------------------------------------------------------------------------

struct CollectorCommand {
    AdminOptions admin;
    store::TenantId member = 0;
    std::string id;
    std::string name;
    std::optional<store::TenantId> list_member;
};

int collector_add(const CollectorCommand& c) {
    auto s = open_admin_store(c.admin);
    if (!s) {
        return 2;
    }
    auto member = s->store->get_tenant(c.member);
    if (!member) {
        return report_error("collector add", member.error());
    }
    if (member->level != store::TenantLevel::kMember) {
        return fail_usage("--member must name a member organisation, not a " +
                          std::string(store::to_string(member->level)));
    }
    store::Collector col;
    col.id = c.id.empty() ? "c-" + store::new_token().substr(0, 16) : c.id;
    if (!uplink::valid_collector_id(col.id)) {
        return fail_usage("--id must be 1-64 characters of [A-Za-z0-9._-]");
    }
    col.member = c.member;
    col.name = c.name;
    col.created_ns = now_ns();
    if (auto st = s->store->create_collector(col); !st) {
        return report_error("collector add", st.error());
    }
    audit_change(*s, "create", col.member, "collector:" + col.id, "name=" + col.name);
    auto stored = s->store->get_collector(col.id);
    if (!stored) {
        return report_error("collector add", stored.error());
    }
    print_collector(c.admin, *stored);
    return 0;
}

int collector_list(const CollectorCommand& c) {
    return with_admin_store(c.admin, [&](AdminStore& s) {
        return print_all("collector list",
                         s.store->list_collectors(store::Scope::service(), c.list_member),
                         [&](const store::Collector& col) { print_collector(c.admin, col); });
    });
}

int collector_revoke(const CollectorCommand& c) {
    auto s = open_admin_store(c.admin);
    if (!s) {
        return 2;
    }
    auto col = s->store->get_collector(c.id);
    if (!col) {
        return report_error("collector revoke", col.error());
    }
    if (auto st = s->store->revoke_collector(c.id, now_ns()); !st) {
        return report_error("collector revoke", st.error());
    }
    audit_change(*s, "revoke", col->member, "collector:" + c.id, "");
    fmt::print("revoked collector {}: its certificate is refused from its next batch on\n",
               c.id);
    return 0;
}

// ---- enroll-token ----------------------------------------------------------------------------

struct TokenCommand {
    AdminOptions admin;
    std::string collector;
    int ttl_hours = 24;
};

int token_create(const TokenCommand& c) {
    auto s = open_admin_store(c.admin);
    if (!s) {
        return 2;
    }
    if (c.ttl_hours < 1 || c.ttl_hours > 24 * 30) {
        return fail_usage("--ttl-hours must be 1-720");
    }
    auto col = s->store->get_collector(c.collector);
    if (!col) {
        return report_error("enroll-token create", col.error());
    }
    if (col->revoked_ns != 0) {
        return fail_usage("collector " + c.collector + " is revoked; add a new collector");
    }
    const std::string token = server::api::random_token(server::api::kEnrollTokenPrefix);
    store::EnrollToken t;
    t.token_hash = store::token_hash(token);
    t.collector_id = col->id;
    t.member = col->member;
    t.created_by = s->actor;
    t.created_ns = now_ns();
    t.expires_ns = t.created_ns + std::int64_t{c.ttl_hours} * 3600 * 1'000'000'000;
    if (auto st = s->store->add_enroll_token(t); !st) {
        return report_error("enroll-token create", st.error());
    }
    audit_change(*s, "create", col->member, "enroll-token:" + col->id,
                 fmt::format("ttl_hours={}", c.ttl_hours));
    // The only time the token exists outside the collector: only its digest is stored.
    if (c.admin.json) {
        fmt::print("{{\"collector_id\":\"{}\",\"token\":\"{}\",\"expires\":\"{}\"}}\n", col->id,
                   token, iso_time(t.expires_ns));
    } else {
        fmt::print("enrollment token for collector {} (single use, expires {}):\n{}\n", col->id,
                   iso_time(t.expires_ns), token);
        fmt::print("on the collector: cyberalarm-collector enroll --server https://HOST:PORT "
                   "--token {} --ca server-ca.pem\n",
                   token);
    }
    return 0;
}

int token_list(const TokenCommand& c) {
    const std::int64_t now = now_ns();
    return with_admin_store(c.admin, [&](AdminStore& s) {
        return print_all(
            "enroll-token list", s.store->list_enroll_tokens(store::Scope::service()),
            [&](const store::EnrollToken& t) {
                const char* state =
                    t.used_ns != 0 ? "used" : (t.expires_ns <= now ? "expired" : "open");
                fmt::print("{}\tmember={}\t{}\texpires={}\tby={}\n", t.collector_id, t.member,
                           state, iso_time(t.expires_ns), t.created_by);
            });
    });
}

// ---- asset -----------------------------------------------------------------------------------

struct AssetCommand {
    AdminOptions admin;
    store::TenantId member = 0;
    std::int64_t id = 0;
    std::string how;
};

void print_asset(const AdminOptions& o, const store::Asset& a) {
    if (o.json) {
        fmt::print("{{\"id\":{},\"member\":{},\"kind\":\"{}\",\"value\":\"{}\",\"verified\":{}}}\n",
                   a.id, a.member, store::to_string(a.kind), a.value, a.verified_ns != 0);
    } else {
        fmt::print("{}\tmember={}\t{}\t{}\t{}\n", a.id, a.member, store::to_string(a.kind), a.value,
                   a.verified_ns != 0 ? "verified " + iso_time(a.verified_ns) + " (" + a.verified_by + ")"
                                      : "not verified");
    }
}

int asset_list(const AssetCommand& c) {
    return with_admin_store(c.admin, [&](AdminStore& s) {
        return print_all("asset list", s.store->list_assets(store::Scope::of({c.member}), c.member),
                         [&](const store::Asset& a) { print_asset(c.admin, a); });
    });
}

// An operator attests ownership proved some other way (a range's registry record, a
// contract): for what the DNS or HTTP proof cannot cover, such as a whole network.
int asset_verify(const AssetCommand& c) {
    if (c.how.size() < 8) {
        return fail_usage("--how must say how ownership was proved (at least 8 characters)");
    }
    return with_admin_store(c.admin, [&](AdminStore& s) {
        auto assets = s.store->list_assets(store::Scope::of({c.member}), c.member);
        if (!assets) {
            return report_error("asset verify", assets.error());
        }
        const auto it = std::find_if(assets->begin(), assets->end(),
                                     [&](const store::Asset& a) { return a.id == c.id; });
        if (it == assets->end()) {
            return report_error("asset verify",
                                core::Error::not_found("asset " + std::to_string(c.id) +
                                                       " is not one of member " +
                                                       std::to_string(c.member) + "'s"));
        }
        const std::string how = "operator " + s.actor + ": " + c.how;
        if (auto st = s.store->mark_asset_verified(store::Scope::of({c.member}), c.id, how, now_ns());
            !st) {
            return report_error("asset verify", st.error());
        }
        audit_change(s, "verify", c.member, "asset:" + std::to_string(c.id), how);
        fmt::print("asset {} ({}) of member {} is verified: the scanner may scan it\n", c.id,
                   it->value, c.member);
        return 0;
    });
}

}  // namespace

Command add_tenant_command(CLI::App& app) {
    auto opt = std::make_shared<TenantCommand>();
    auto chosen = std::make_shared<std::function<int()>>();
    auto* cmd = app.add_subcommand("tenant", "Nations, regions, forces and member organisations");
    cmd->require_subcommand(1);
    auto* add = admin_leaf(*cmd, "add", "Add a tenant", chosen, opt, &tenant_add);
    add->add_option("--level", opt->level, "nation, region, force or member")->required();
    add->add_option("--parent", opt->parent, "Id of the tenant one level up (0 for a nation)");
    add->add_option("--name", opt->name, "Name, unique among its siblings")->required();
    add->add_option("--sector", opt->sector, "Members: education, health, charity …");
    add->add_option("--networks", opt->networks,
                    "Members: their own networks, CIDRs separated by commas");
    auto* list = admin_leaf(*cmd, "list", "List tenants", chosen, opt, &tenant_list);
    list->add_option("--parent", opt->list_parent, "Only the children of this tenant");
    auto* show = admin_leaf(*cmd, "show", "Show one tenant", chosen, opt, &tenant_show);
    show->add_option("id", opt->id, "Tenant id")->required();
    return [chosen] { return *chosen ? (*chosen)() : 2; };
}

Command add_collector_command(CLI::App& app) {
    auto opt = std::make_shared<CollectorCommand>();
    auto chosen = std::make_shared<std::function<int()>>();
    auto* cmd = app.add_subcommand("collector", "Collectors: add, list, revoke");
    cmd->require_subcommand(1);
    auto* add = admin_leaf(*cmd, "add", "Add a collector to a member", chosen, opt, &collector_add);
    add->add_option("--member", opt->member, "Member organisation id")->required();
    add->add_option("--id", opt->id, "Collector id (default: generated)");
    add->add_option("--name", opt->name, "A label for people");
    auto* list = admin_leaf(*cmd, "list", "List collectors", chosen, opt, &collector_list);
    list->add_option("--member", opt->list_member, "Only this member's collectors");
    auto* revoke = admin_leaf(*cmd, "revoke", "Revoke a collector's certificate", chosen, opt,
                        &collector_revoke);
    revoke->add_option("id", opt->id, "Collector id")->required();
    return [chosen] { return *chosen ? (*chosen)() : 2; };
}

Command add_enroll_token_command(CLI::App& app) {
    auto opt = std::make_shared<TokenCommand>();
    auto chosen = std::make_shared<std::function<int()>>();
    auto* cmd = app.add_subcommand("enroll-token", "One-time enrollment tokens for collectors");
    cmd->require_subcommand(1);
    auto* create = admin_leaf(*cmd, "create", "Make a single-use token (printed once)", chosen, opt,
                        &token_create);
    create->add_option("--collector", opt->collector, "Collector id")->required();
    create->add_option("--ttl-hours", opt->ttl_hours, "Hours until it expires (1-720)");
    admin_leaf(*cmd, "list", "List tokens (never the token itself)", chosen, opt, &token_list);
    return [chosen] { return *chosen ? (*chosen)() : 2; };
}

}  // namespace cyberalarm::app

namespace cyberalarm::app {

Command add_asset_command(CLI::App& app) {
    auto opt = std::make_shared<AssetCommand>();
    auto chosen = std::make_shared<std::function<int()>>();
    auto* cmd = app.add_subcommand("asset", "Members' assets the scanner may scan: list, verify (members declare them in the API)");
    cmd->require_subcommand(1);
    auto* list = admin_leaf(*cmd, "list", "List a member's assets", chosen, opt, &asset_list);
    list->add_option("--member", opt->member, "Member organisation id")->required();
    auto* verify = admin_leaf(*cmd, "verify",
                              "Record ownership proved by other means (audited)", chosen, opt,
                              &asset_verify);
    verify->add_option("id", opt->id, "Asset id")->required();
    verify->add_option("--member", opt->member, "Member organisation id")->required();
    verify->add_option("--how", opt->how, "How ownership was proved (kept with the asset)")
        ->required();
    return [chosen] { return *chosen ? (*chosen)() : 2; };
}

}  // namespace cyberalarm::app
