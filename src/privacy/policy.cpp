#include "privacy/policy.h"

#include <sodium.h>

#include <string>

namespace cyberalarm::privacy {

namespace {

constexpr std::size_t kHashBytes = 16;
// BLAKE2b personalisation: the same key used elsewhere (user names) gives unrelated hashes.
constexpr unsigned char kPersonal[crypto_generichash_blake2b_PERSONALBYTES] = {
    'c', 'a', '-', 'p', 'r', 'i', 'v', 'a', 'c', 'y', '-', 's', 'c', 'r', 'u', 'b'};

std::string keyed_hash(std::string_view value, const Key& key) {
    unsigned char digest[kHashBytes];
    crypto_generichash_blake2b_salt_personal(
        digest, sizeof digest, reinterpret_cast<const unsigned char*>(value.data()), value.size(),
        key.data(), key.size(), nullptr, kPersonal);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "hash:";
    for (unsigned char b : digest) {
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

}  // namespace

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::kKeep:
            return "keep";
        case Verdict::kDropInternal:
            return "drop_internal";
        case Verdict::kDropTrusted:
            return "drop_trusted";
    }
    return "unknown";
}

PolicyStats& PolicyStats::operator+=(const PolicyStats& o) {
    events += o.events;
    kept += o.kept;
    dropped_internal += o.dropped_internal;
    dropped_trusted += o.dropped_trusted;
    direction_set += o.direction_set;
    pseudonymised += o.pseudonymised;
    fields_cleared += o.fields_cleared;
    fields_scrubbed += o.fields_scrubbed;
    fields_hashed += o.fields_hashed;
    for (std::size_t i = 0; i < scrubbed_by.size(); ++i) {
        scrubbed_by[i] += o.scrubbed_by[i];
    }
    return *this;
}

core::Result<Policy> Policy::create(PolicyOptions options) {
    if (sodium_init() < 0) {
        return core::fail(core::Error::internal("libsodium could not initialise"));
    }
    options.internal_networks.seal();
    options.trusted_sources.seal();
    return Policy(std::move(options));
}

Verdict Policy::apply(core::Event& event) const {
    PolicyStats unused;
    return apply(event, unused);
}

Verdict Policy::apply(core::Event& event, PolicyStats& stats) const {
    ++stats.events;
    const auto& trusted = options_.trusted_sources;
    if (!trusted.empty() && (trusted.contains(event.src_ip) ||
                             (options_.drop_to_trusted && trusted.contains(event.dst_ip)))) {
        ++stats.dropped_trusted;
        return Verdict::kDropTrusted;
    }
    // contains() is false for an unset address, so a one-sided event is never "internal".
    const auto& internal = options_.internal_networks;
    bool src_internal = internal.contains(event.src_ip);
    bool dst_internal = internal.contains(event.dst_ip);
    if (src_internal && dst_internal) {
        ++stats.dropped_internal;
        return Verdict::kDropInternal;
    }
    ++stats.kept;

    if (event.direction == core::Direction::kUnknown && !internal.empty() &&
        event.src_ip.is_set() && event.dst_ip.is_set()) {
        event.direction = src_internal   ? core::Direction::kOutbound
                          : dst_internal ? core::Direction::kInbound
                                         : core::Direction::kExternal;
        ++stats.direction_set;
    }
    if (options_.pseudonymiser) {
        pseudonymise(event, src_internal, dst_internal, stats);
    }
    filter_fields(event, stats);
    return Verdict::kKeep;
}

void Policy::pseudonymise(core::Event& event, bool src_internal, bool dst_internal,
                          PolicyStats& stats) const {
    const CryptoPan& pan = *options_.pseudonymiser;
    if (src_internal) {
        event.src_ip = pan.anonymise(event.src_ip);
        ++stats.pseudonymised;
    }
    if (dst_internal) {
        event.dst_ip = pan.anonymise(event.dst_ip);
        ++stats.pseudonymised;
    }
    // Devices without a host name log under their (usually internal) address.
    if (!event.observer_name.empty() && event.observer_name.size() <= 47) {
        if (auto ip = core::IpAddress::parse(event.observer_name);
            ip && options_.internal_networks.contains(*ip)) {
            event.observer_name = pan.anonymise(*ip).to_string();
            ++stats.pseudonymised;
        }
    }
}

void Policy::filter_fields(core::Event& event, PolicyStats& stats) const {
    for (StringField f : all_string_fields()) {
        std::string& value = field_value(event, f);
        if (value.empty()) {
            continue;
        }
        if (!options_.allowed_fields.contains(f)) {
            value.clear();
            ++stats.fields_cleared;
            continue;
        }
        ScrubReason reason =
            f == StringField::kUserHash ? classify_hash(value) : classify(value, options_.scrub);
        if (reason == ScrubReason::kNone) {
            continue;
        }
        ++stats.fields_scrubbed;
        ++stats.scrubbed_by[static_cast<std::size_t>(reason)];
        if (options_.scrub_key && options_.hashed_fields.contains(f)) {
            value = keyed_hash(value, *options_.scrub_key);
            ++stats.fields_hashed;
        } else {
            value.clear();
        }
    }
}

}  // namespace cyberalarm::privacy
