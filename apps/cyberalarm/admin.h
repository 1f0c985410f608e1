// What the operator commands (tenant, collector, enroll-token, user) share: opening the
// server's store from its data directory, printing records, reporting errors, and auditing
// every change as the operator who made it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::app {

struct AdminOptions {
    std::string data_dir = "cyberalarm-data";  // as cyberalarm-server's default
    bool json = false;                         // one JSON object per line
};

void add_admin_options(CLI::App& cmd, AdminOptions& options);

struct AdminStore {
    std::unique_ptr<store::Store> store;
    std::string actor;  // "cli:<unix user>"
};

// Opens <data-dir>/store.db, which must exist (the server creates it on first start).
// Prints why on stderr and returns nullopt on failure.
std::optional<AdminStore> open_admin_store(const AdminOptions& options);

int report_error(std::string_view what, const core::Error& error);  // prints, returns 1
int fail_usage(std::string_view message);                          // prints, returns 2

// Opens the store and returns f(AdminStore&); 2 if it cannot be opened (already printed).
template <typename F>
int with_admin_store(const AdminOptions& options, F&& f) {
    auto s = open_admin_store(options);
    return s ? f(*s) : 2;
}

// Prints every record of a listing with `print`, or reports the listing's error.
template <typename T, typename Print>
int print_all(std::string_view what, const core::Result<std::vector<T>>& listing, Print print) {
    if (!listing) {
        return report_error(what, listing.error());
    }
    for (const auto& item : *listing) {
        print(item);
    }
    return 0;
}

// Appends a "config"-class audit record for a change; a failure is printed (the change
// itself already happened and is not undone, but the operator must know).
void audit_change(AdminStore& s, std::string_view action, store::TenantId member,
                  std::string target, std::string detail);


std::int64_t now_ns();
std::string iso_time(std::int64_t ns);  // "-" for 0

void print_tenant(const AdminOptions& o, const store::Tenant& t);
void print_collector(const AdminOptions& o, const store::Collector& c);
void print_user(const AdminOptions& o, const store::User& u);

// Adds `name` under `parent` with the admin options; when the command line chooses it,
// *chosen becomes the call of run(*opt).
template <typename Opt>
CLI::App* admin_leaf(CLI::App& parent, const char* name, const char* help,
                     const std::shared_ptr<std::function<int()>>& chosen,
                     const std::shared_ptr<Opt>& opt, int (*run)(const Opt&)) {
    auto* sub = parent.add_subcommand(name, help);
    add_admin_options(*sub, opt->admin);
    sub->callback([chosen, opt, run] { *chosen = [opt, run] { return run(*opt); }; });
    return sub;
}

}  // namespace cyberalarm::app
