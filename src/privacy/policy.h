// Policy: what the collector does to every parsed Event before it is spooled, so that only
// metadata about traffic that crosses the member's boundary leaves the member's network
// (DESIGN.md, "Metadata only, by construction"; docs/design/privacy.md).
//
// apply() decides, in this order:
//   1. kDropTrusted — the *source* is a trusted address (the member's own vulnerability
//      scanner, monitoring, backup peer): its traffic is expected and not an alarm.
//      Traffic *to* a trusted host is kept unless drop_to_trusted is set: an attack on the
//      scanner is still an attack.
//   2. kDropInternal — both ends are inside the member's internal networks.
//   3. kKeep — then, in place:
//      - direction, if the parser left it unknown: inbound (external → internal), outbound
//        (internal → external), external (both set, neither internal);
//      - internal addresses (and an observer.name that is an internal address) are replaced
//        by their Crypto-PAn pseudonym when a key is configured; external addresses, the
//        ones police share, stay in clear;
//      - string fields not on the allow-list are cleared;
//      - each allowed string field goes through the scrubber; a rejected value is replaced
//        by "hash:" + keyed BLAKE2b (hex) for the hashed fields when a scrub key is set,
//        else cleared.
//
// Thread safety: after create(), apply() is const and may run on any number of threads at
// once; each caller keeps its own PolicyStats and adds them up.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/cidr_set.h"
#include "core/event.h"
#include "core/result.h"
#include "privacy/crypto_pan.h"
#include "privacy/fields.h"
#include "privacy/key_file.h"
#include "privacy/scrubber.h"

namespace cyberalarm::privacy {

enum class Verdict : std::uint8_t { kKeep, kDropInternal, kDropTrusted };

std::string_view to_string(Verdict v);

struct PolicyOptions {
    // The member's own networks, public ranges included. Empty: nothing is internal, nothing
    // is dropped as internal, no direction is inferred and nothing is pseudonymised.
    core::CidrSet internal_networks;
    // Sources whose traffic is dropped (own scanners, monitoring). Empty by default.
    core::CidrSet trusted_sources;
    // Also drop events whose destination is trusted (e.g. the reverse half of a scan seen as
    // flows). Off by default: it would hide attacks on those hosts.
    bool drop_to_trusted = false;
    // Pseudonymises internal addresses. None: internal addresses leave in clear.
    std::optional<CryptoPan> pseudonymiser;
    // String fields that may leave at all; the rest are cleared.
    FieldSet allowed_fields = default_allowed_fields();
    // Allowed fields whose rejected values become a keyed hash (groupable) instead of empty.
    FieldSet hashed_fields = default_hashed_fields();
    // Key for those hashes. None: rejected values are always cleared.
    std::optional<Key> scrub_key;
    ScrubOptions scrub;
};

// Counters of what apply() did; one per thread, added up by the caller.
struct PolicyStats {
    std::uint64_t events = 0;
    std::uint64_t kept = 0;
    std::uint64_t dropped_internal = 0;
    std::uint64_t dropped_trusted = 0;
    std::uint64_t direction_set = 0;    // direction inferred from internal networks
    std::uint64_t pseudonymised = 0;    // addresses (and observer names) replaced
    std::uint64_t fields_cleared = 0;   // non-empty fields not on the allow-list
    std::uint64_t fields_scrubbed = 0;  // allowed fields the scrubber rejected
    std::uint64_t fields_hashed = 0;    // of those, replaced by a keyed hash
    std::array<std::uint64_t, kScrubReasonCount> scrubbed_by{};  // by ScrubReason

    PolicyStats& operator+=(const PolicyStats& o);
    friend bool operator==(const PolicyStats&, const PolicyStats&) = default;
};

class Policy {
public:
    // Seals the address sets. Fails only if libsodium cannot initialise.
    [[nodiscard]] static core::Result<Policy> create(PolicyOptions options);

    // Decides on `event` and, when the verdict is kKeep, rewrites it as described above.
    // A dropped event is left as it was (the caller discards it).
    Verdict apply(core::Event& event) const;
    Verdict apply(core::Event& event, PolicyStats& stats) const;

    [[nodiscard]] const PolicyOptions& options() const { return options_; }

private:
    explicit Policy(PolicyOptions options) : options_(std::move(options)) {}
    void pseudonymise(core::Event& event, bool src_internal, bool dst_internal,
                      PolicyStats& stats) const;
    void filter_fields(core::Event& event, PolicyStats& stats) const;

    PolicyOptions options_;
};

}  // namespace cyberalarm::privacy
