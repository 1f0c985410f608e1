// `cyberalarm audit verify|checkpoint|public-key`: the proof of the audit log.
// `verify` recomputes every record's hash and link, compares the last record with the chain's
// head, and checks each signed checkpoint against the trusted Ed25519 key (--key, or the one
// made from <data-dir>/audit-signing.key); it names every edited, deleted or reordered record
// and exits 1 if there is any. `checkpoint` appends a signed checkpoint of the head now (the
// server also does, hourly); `public-key` prints the key to keep elsewhere.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "admin.h"
#include "commands.h"
#include "server/api/audit_chain.h"
#include "server/api/secrets.h"

namespace cyberalarm::app {

namespace {

namespace api = server::api;

struct AuditCommand {
    AdminOptions admin;
    std::string key;  // trusted public key (hex)
};

std::filesystem::path key_path(const AdminOptions& o) {
    return std::filesystem::path(o.data_dir) / std::string(api::kAuditKeyFile);
}

core::Result<api::SigningKey> signing_key(const AdminOptions& o, bool create) {
    auto seed = api::load_key_file(key_path(o), create);
    if (!seed) {
        return core::fail(std::move(seed.error()));
    }
    return api::signing_key_from_seed(*seed);
}

int audit_verify(const AuditCommand& c) {
    std::string trusted = c.key;
    if (trusted.empty()) {
        if (auto key = signing_key(c.admin, false)) {
            trusted = api::public_key_hex(*key);
        }
    }
    return with_admin_store(c.admin, [&](AdminStore& s) {
        auto report = api::verify_store(*s.store, trusted);
        if (!report) {
            return report_error("audit verify", report.error());
        }
        const auto& r = *report;
        if (c.admin.json) {
            nlohmann::json j = {{"ok", r.ok()},
                                {"records", r.records},
                                {"first_seq", r.first_seq},
                                {"last_seq", r.last_seq},
                                {"head_hash", r.last_hash},
                                {"checkpoints", r.checkpoints},
                                {"checkpoints_verified", r.checkpoints_verified},
                                {"trusted_key", trusted},
                                {"problems", nlohmann::json::array()}};
            for (const auto& p : r.problems) {
                j["problems"].push_back({{"seq", p.seq}, {"kind", p.kind}, {"message", p.message}});
            }
            fmt::print("{}\n", j.dump());
        } else {
            fmt::print("audit log: {} records, seq {}..{}, head {}\n", r.records, r.first_seq,
                       r.last_seq, r.last_hash.empty() ? "-" : r.last_hash);
            fmt::print("checkpoints: {} ({} signed by {}{})\n", r.checkpoints,
                       r.checkpoints_verified, trusted.empty() ? "the key each names" : trusted,
                       r.last_checkpoint_seq ? ", newest covers seq " +
                                                   std::to_string(r.last_checkpoint_seq)
                                             : "");
            for (const auto& p : r.problems) {
                fmt::print("seq {}: {}: {}\n", p.seq, p.kind, p.message);
            }
            fmt::print("{}\n", r.ok() ? "OK: the chain is intact"
                                      : "FAILED: " + std::to_string(r.problems.size()) +
                                            " problem(s)");
        }
        return r.ok() ? 0 : 1;
    });
}

int audit_checkpoint(const AuditCommand& c) {
    auto key = signing_key(c.admin, true);
    if (!key) {
        return report_error("audit signing key", key.error());
    }
    return with_admin_store(c.admin, [&](AdminStore& s) {
        auto cp = api::append_checkpoint(*s.store, *key, now_ns());
        if (!cp) {
            return report_error("audit checkpoint", cp.error());
        }
        if (cp->seq == 0) {
            fmt::print("the newest record is already a checkpoint (or the log is empty)\n");
        } else {
            fmt::print("checkpoint {}: {}\n", cp->seq, cp->detail);
        }
        return 0;
    });
}

int audit_public_key(const AuditCommand& c) {
    auto key = signing_key(c.admin, false);
    if (!key) {
        return report_error("audit signing key", key.error());
    }
    fmt::print("{}\n", api::public_key_hex(*key));
    return 0;
}

}  // namespace

Command add_audit_command(CLI::App& app) {
    auto opt = std::make_shared<AuditCommand>();
    auto chosen = std::make_shared<std::function<int()>>();
    auto* cmd = app.add_subcommand("audit", "Verify and checkpoint the hash-chained audit log");
    cmd->require_subcommand(1);
    auto* verify = admin_leaf(*cmd, "verify",
                              "Detect edited, deleted or reordered records and bad checkpoints",
                              chosen, opt, &audit_verify);
    verify->add_option("--key", opt->key,
                       "Trusted Ed25519 public key (hex) for checkpoints; default: from "
                       "<data-dir>/audit-signing.key");
    admin_leaf(*cmd, "checkpoint", "Append a signed checkpoint of the chain's head now", chosen,
               opt, &audit_checkpoint);
    admin_leaf(*cmd, "public-key", "Print the checkpoint signing key's public half", chosen, opt,
               &audit_public_key);
    return [chosen] { return *chosen ? (*chosen)() : 2; };
}

}  // namespace cyberalarm::app
