// Verification of the audit chain and its signed checkpoints (audit_chain.h).
#include "server/api/audit_chain.h"

#include <charconv>
#include <deque>
#include <utility>

namespace cyberalarm::server::api {

namespace {

constexpr std::string_view kCheckpointActor = "system:audit";
constexpr std::string_view kCheckpointAction = "checkpoint";
// A checkpoint may cover a head a few records back (records appended between reading the
// head and appending the checkpoint); this many recent hashes are kept to check it.
constexpr std::size_t kCheckpointReach = 64;
constexpr std::size_t kReadPage = 10'000;

// "key=value" from a space-separated detail.
std::string_view field_of(std::string_view detail, std::string_view key) {
    std::size_t pos = 0;
    while (pos < detail.size()) {
        auto end = detail.find(' ', pos);
        if (end == std::string_view::npos) {
            end = detail.size();
        }
        const auto word = detail.substr(pos, end - pos);
        if (word.size() > key.size() && word.substr(0, key.size()) == key &&
            word[key.size()] == '=') {
            return word.substr(key.size() + 1);
        }
        pos = end + 1;
    }
    return {};
}

class ChainVerifier {
public:
    ChainVerifier(std::string_view trusted_key) : trusted_key_(trusted_key) {}

    void feed(const store::AuditRecord& r) {
        ++report_.records;
        if (report_.records == 1) {
            first(r);
        } else {
            link(r);
        }
        if (store::audit_hash(r) != r.hash) {
            problem(r.seq, "edited",
                    "record " + std::to_string(r.seq) +
                        " was edited: its fields no longer give its hash");
        }
        if (r.actor == "system:retention" && r.target == "audit") {
            audit_pruned_ = true;
        }
        if (r.actor == kCheckpointActor && r.action == kCheckpointAction) {
            checkpoint(r);
        }
        recent_.emplace_back(r.seq, r.hash);
        if (recent_.size() > kCheckpointReach) {
            recent_.pop_front();
        }
        report_.last_seq = r.seq;
        report_.last_hash = r.hash;
    }

    ChainReport finish(const store::AuditRecord& head) {
        if (head.seq > report_.last_seq) {
            problem(report_.last_seq + 1, "deleted",
                    "records " + std::to_string(report_.last_seq + 1) + ".." +
                        std::to_string(head.seq) +
                        " are missing from the end (the chain's head is at " +
                        std::to_string(head.seq) + ")");
        } else if (head.seq != 0 && head.seq == report_.last_seq && head.hash != report_.last_hash) {
            problem(head.seq, "edited",
                    "record " + std::to_string(head.seq) +
                        " does not match the chain's head (replaced or edited)");
        }
        if (report_.records > 0 && report_.first_seq > 1 && !audit_pruned_) {
            problem(report_.first_seq, "deleted",
                    "records 1.." + std::to_string(report_.first_seq - 1) +
                        " are missing and no retention run recorded deleting audit records");
        }
        return std::move(report_);
    }

private:
    void problem(std::int64_t seq, std::string kind, std::string message) {
        report_.problems.push_back(ChainProblem{seq, std::move(kind), std::move(message)});
    }

    void first(const store::AuditRecord& r) {
        report_.first_seq = r.seq;
        if (r.seq == 1 && !r.prev_hash.empty()) {
            problem(r.seq, "reordered", "record 1 names a predecessor");
        }
    }

    void link(const store::AuditRecord& r) {
        const std::int64_t prev = report_.last_seq;
        if (r.seq > prev + 1) {
            problem(r.seq, "deleted",
                    "records " + std::to_string(prev + 1) + ".." + std::to_string(r.seq - 1) +
                        " are missing (deleted)");
        } else if (r.seq <= prev) {
            problem(r.seq, "reordered",
                    "record " + std::to_string(r.seq) + " comes after record " +
                        std::to_string(prev));
        } else if (r.prev_hash != report_.last_hash) {
            problem(r.seq, "reordered",
                    "record " + std::to_string(r.seq) + " does not follow record " +
                        std::to_string(prev) +
                        " (its prev_hash differs: record " + std::to_string(prev) +
                        " was replaced, or records were moved)");
        }
    }

    void checkpoint(const store::AuditRecord& r) {
        ++report_.checkpoints;
        const auto covered = field_of(r.detail, "head");
        const auto key = field_of(r.detail, "key");
        const auto sig = field_of(r.detail, "sig");
        const auto colon = covered.find(':');
        std::int64_t seq = 0;
        const auto seq_text = covered.substr(0, colon);
        const auto [p, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
        const std::string_view hash =
            colon == std::string_view::npos ? std::string_view{} : covered.substr(colon + 1);
        auto bad = [&](const std::string& why) {
            problem(r.seq, "checkpoint", "checkpoint " + std::to_string(r.seq) + ": " + why);
        };
        if (ec != std::errc{} || p != seq_text.data() + seq_text.size() || hash.empty()) {
            return bad("malformed");
        }
        if (!trusted_key_.empty() && key != trusted_key_) {
            return bad("signed by another key (" + std::string(key.substr(0, 16)) + "…)");
        }
        if (!verify_signature(key, checkpoint_message(seq, hash), sig)) {
            return bad("the signature does not verify");
        }
        bool found = false;
        for (const auto& [s, h] : recent_) {
            if (s == seq) {
                found = true;
                if (h != hash) {
                    return bad("the signed head " + std::to_string(seq) +
                               " differs from record " + std::to_string(seq) +
                               " (the chain was rewritten before it)");
                }
            }
        }
        if (!found) {
            return bad("covers record " + std::to_string(seq) + ", which is not just before it");
        }
        ++report_.checkpoints_verified;
        report_.last_checkpoint_seq = seq;
    }

    std::string trusted_key_;
    ChainReport report_;
    std::deque<std::pair<std::int64_t, std::string>> recent_;
    bool audit_pruned_ = false;
};

}  // namespace

std::string checkpoint_message(std::int64_t seq, std::string_view hash) {
    return "cyberalarm audit checkpoint v1 seq=" + std::to_string(seq) + " hash=" +
           std::string(hash);
}

store::AuditRecord make_checkpoint(const SigningKey& key, const store::AuditRecord& head,
                                   std::int64_t now_ns) {
    store::AuditRecord r;
    r.time_ns = now_ns;
    r.actor = std::string(kCheckpointActor);
    r.action = std::string(kCheckpointAction);
    r.target = "audit:" + std::to_string(head.seq);
    r.detail = "head=" + std::to_string(head.seq) + ":" + head.hash +
               " key=" + public_key_hex(key) +
               " sig=" + sign_hex(key, checkpoint_message(head.seq, head.hash));
    return r;
}

ChainReport verify_records(std::span<const store::AuditRecord> records,
                           std::string_view trusted_key, const store::AuditRecord& head) {
    ChainVerifier v(trusted_key);
    for (const auto& r : records) {
        v.feed(r);
    }
    return v.finish(head);
}

core::Result<ChainReport> verify_store(store::Store& store, std::string_view trusted_key) {
    // The head first: records appended while reading are then beyond it, not missing.
    auto head = store.audit_head();
    if (!head) {
        return core::fail(std::move(head.error()));
    }
    ChainVerifier v(trusted_key);
    std::int64_t next = 1;
    // Pages are seq ranges [next, next + page), so gaps (deleted records, a pruned start)
    // are crossed; records appended after the head was read (a live server) are left out.
    while (next <= head->seq) {
        auto page = store.read_audit(next, kReadPage, std::nullopt);
        if (!page) {
            return core::fail(std::move(page.error()));
        }
        for (const auto& r : *page) {
            if (r.seq <= head->seq) {
                v.feed(r);
            }
        }
        next += static_cast<std::int64_t>(kReadPage);
    }
    return v.finish(*head);
}

core::Result<store::AuditRecord> append_checkpoint(store::Store& store, const SigningKey& key,
                                                   std::int64_t now_ns) {
    auto head = store.audit_head();
    if (!head) {
        return core::fail(std::move(head.error()));
    }
    if (head->seq == 0) {
        return store::AuditRecord{};
    }
    auto last = store.read_audit(head->seq, 1, std::nullopt);
    if (!last) {
        return core::fail(std::move(last.error()));
    }
    if (!last->empty() && last->front().actor == kCheckpointActor &&
        last->front().action == kCheckpointAction) {
        return store::AuditRecord{};
    }
    return store.append_audit(make_checkpoint(key, *head, now_ns));
}

}  // namespace cyberalarm::server::api
