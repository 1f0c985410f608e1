#include "admin.h"

#include <fmt/core.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "store/sqlite/sqlite_store.h"

namespace cyberalarm::app {

void add_admin_options(CLI::App& cmd, AdminOptions& options) {
    cmd.add_option("--data-dir", options.data_dir,
                   "The server's data directory (holds store.db)")
        ->envname("CYBERALARM_DATA_DIR")
        ->capture_default_str();
    cmd.add_flag("--json", options.json, "Print one JSON object per line");
}

std::optional<AdminStore> open_admin_store(const AdminOptions& options) {
    const std::filesystem::path path = std::filesystem::path(options.data_dir) / "store.db";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        fmt::print(stderr,
                   "cyberalarm: no store at {}: start cyberalarm-server once with --data-dir {} "
                   "(it creates the store), or give the right --data-dir\n",
                   path.string(), options.data_dir);
        return std::nullopt;
    }
    auto opened = store::open_sqlite(path);
    if (!opened) {
        report_error("opening " + path.string(), opened.error());
        return std::nullopt;
    }
    const passwd* pw = getpwuid(geteuid());
    std::string who = pw != nullptr ? pw->pw_name : std::to_string(geteuid());
    return AdminStore{std::move(*opened), "cli:" + who};
}

void audit_change(AdminStore& s, std::string_view action, store::TenantId member,
                  std::string target, std::string detail) {
    store::AuditRecord r;
    r.time_ns = now_ns();
    r.actor = s.actor;
    r.action = std::string(action);
    r.member = member;
    r.target = std::move(target);
    r.detail = std::move(detail);
    if (auto st = s.store->append_audit(std::move(r)); !st) {
        report_error("writing the audit record", st.error());
    }
}

int report_error(std::string_view what, const core::Error& error) {
    fmt::print(stderr, "cyberalarm: {}: {}\n", what, error.to_string());
    return 1;
}

int fail_usage(std::string_view message) {
    fmt::print(stderr, "cyberalarm: {}\n", message);
    return 2;
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string iso_time(std::int64_t ns) { return ns == 0 ? "-" : core::format_iso8601(ns); }

void print_tenant(const AdminOptions& o, const store::Tenant& t) {
    if (o.json) {
        nlohmann::json j = {{"id", t.id},           {"level", store::to_string(t.level)},
                            {"parent", t.parent},   {"name", t.name},
                            {"sector", t.sector},   {"networks", t.networks},
                            {"created", iso_time(t.created_ns)}};
        fmt::print("{}\n", j.dump());
        return;
    }
    fmt::print("{}\t{}\tparent={}\t{}{}{}\n", t.id, store::to_string(t.level), t.parent, t.name,
               t.sector.empty() ? "" : "\tsector=" + t.sector,
               t.networks.empty() ? "" : "\tnetworks=" + t.networks);
}

void print_collector(const AdminOptions& o, const store::Collector& c) {
    if (o.json) {
        nlohmann::json j = {{"id", c.id},
                            {"member", c.member},
                            {"name", c.name},
                            {"enrolled", iso_time(c.enrolled_ns)},
                            {"certificate_expires", iso_time(c.cert_not_after_ns)},
                            {"last_seen", iso_time(c.last_seen_ns)},
                            {"events_total", c.events_total},
                            {"revoked", iso_time(c.revoked_ns)}};
        fmt::print("{}\n", j.dump());
        return;
    }
    const char* state = c.revoked_ns != 0 ? "revoked" : (c.enrolled_ns != 0 ? "enrolled" : "new");
    fmt::print("{}\tmember={}\t{}\tlast_seen={}\tevents={}\t{}\n", c.id, c.member, state,
               iso_time(c.last_seen_ns), c.events_total, c.name);
}

void print_user(const AdminOptions& o, const store::User& u) {
    // Never the password hash or the TOTP secret.
    if (o.json) {
        nlohmann::json j = {{"id", u.id},
                            {"tenant", u.tenant},
                            {"role", store::to_string(u.role)},
                            {"email", u.email},
                            {"name", u.display_name},
                            {"totp", !u.totp_secret.empty()},
                            {"last_login", iso_time(u.last_login_ns)},
                            {"disabled", iso_time(u.disabled_ns)}};
        fmt::print("{}\n", j.dump());
        return;
    }
    fmt::print("{}\t{}\ttenant={}\t{}\t{}{}\n", u.id, store::to_string(u.role), u.tenant, u.email,
               u.display_name, u.disabled_ns != 0 ? "\tdisabled" : "");
}

}  // namespace cyberalarm::app
