// The audit log's proof: verification of the hash chain (each record carries the hash of the
// one before) and signed checkpoints of its head.
//
// A checkpoint is an ordinary audit record (actor "system:audit", action "checkpoint",
// target "audit:<seq>") whose detail carries the head it covers, the Ed25519 public key and
// a signature over checkpoint_message(seq, hash). The signing key is a file in the server's
// data directory (kAuditKeyFile), never in the database: someone who can rewrite the
// database can recompute every hash, but cannot sign a new head — and a copy of the public
// key (printed by `cyberalarm audit verify`, in the data map) tells which key to trust.
//
// verify_records() names each problem by seq and kind:
// - "edited":    the record's fields no longer give its hash;
// - "deleted":   seq jumps (records missing), the chain starts after 1 without retention
//                having recorded deleting audit records, or the head is past the last row;
// - "reordered": seqs out of order, or a record whose prev_hash is not its predecessor's
//                hash (moved, or replaced with a recomputed hash);
// - "checkpoint": a checkpoint whose signature, key or covered head does not hold.
//
// Thread safety: pure functions, and verify_store() reads through the thread-safe store.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/api/secrets.h"
#include "store/store.h"

namespace cyberalarm::server::api {

struct ChainProblem {
    std::int64_t seq = 0;
    std::string kind;  // "edited", "deleted", "reordered", "checkpoint"
    std::string message;
};

struct ChainReport {
    std::int64_t records = 0;
    std::int64_t first_seq = 0;
    std::int64_t last_seq = 0;
    std::string last_hash;
    std::int64_t checkpoints = 0;           // checkpoint records seen
    std::int64_t checkpoints_verified = 0;  // with a good signature by the trusted key
    std::int64_t last_checkpoint_seq = 0;   // the newest head a good signature covers
    std::vector<ChainProblem> problems;     // in seq order

    [[nodiscard]] bool ok() const { return problems.empty(); }
};

// The text a checkpoint signs.
[[nodiscard]] std::string checkpoint_message(std::int64_t seq, std::string_view hash);

// The checkpoint record for `head` (a stored record's seq and hash) at `now_ns`.
[[nodiscard]] store::AuditRecord make_checkpoint(const SigningKey& key,
                                                 const store::AuditRecord& head,
                                                 std::int64_t now_ns);

// Checks records given in the order read (by seq). `trusted_key`: hex Ed25519 public key
// checkpoints must be signed with (empty: the key each checkpoint names, which proves
// only that the checkpoint was not edited). `head`: the store's head (seq 0: not checked).
[[nodiscard]] ChainReport verify_records(std::span<const store::AuditRecord> records,
                                         std::string_view trusted_key,
                                         const store::AuditRecord& head);

// Reads the whole log from the store in pages and verifies it against the store's head.
[[nodiscard]] core::Result<ChainReport> verify_store(store::Store& store,
                                                     std::string_view trusted_key);

// Appends a checkpoint of the current head unless the last record already is one.
// Returns the checkpoint appended (seq 0: none was needed).
[[nodiscard]] core::Result<store::AuditRecord> append_checkpoint(store::Store& store,
                                                                 const SigningKey& key,
                                                                 std::int64_t now_ns);

}  // namespace cyberalarm::server::api
