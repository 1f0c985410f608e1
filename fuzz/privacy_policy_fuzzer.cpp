// Privacy policy and content scrubber (privacy/policy.h, privacy/scrubber.h) on events built
// from the input: byte 0 holds flags (families, unset addresses, direction), bytes 1-32 the
// two addresses, the rest the string fields in StringField order, separated by '\n'.
//
// Checks: the verdict agrees with the address sets; a dropped event is untouched; a kept one
// has exactly its internal addresses replaced by their pseudonyms, no field off the
// allow-list, only values the scrubber accepts, a second pass changes no field, and the
// event survives the codec and ECS JSON. The scrubber also runs on the whole input.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "fuzz_common.h"
#include "privacy/policy.h"
#include "privacy/scrubber.h"

namespace {

using namespace cyberalarm;

const privacy::Policy& policy() {
    static const privacy::Policy kPolicy = [] {
        privacy::PolicyOptions o;
        (void)o.internal_networks.add_list("10.0.0.0/8 192.168.0.0/16 fd00::/8 2001:db8::/32");
        (void)o.trusted_sources.add_list("10.66.0.0/16 203.0.113.0/24 2001:db8:ffff::/48");
        privacy::Key k{};
        k.fill(0x42);
        o.pseudonymiser = std::move(*privacy::CryptoPan::from_key(k));
        k.fill(0x17);
        o.scrub_key = k;
        return std::move(*privacy::Policy::create(std::move(o)));
    }();
    return kPolicy;
}

core::IpAddress address(const std::uint8_t* p, bool v6) {
    if (v6) {
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), p, b.size());
        return core::IpAddress::v6(b);
    }
    return core::IpAddress::v4((std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                               (std::uint32_t{p[2]} << 8) | p[3]);
}

core::Event build(std::string_view in) {
    std::array<std::uint8_t, 33> head{};
    std::memcpy(head.data(), in.data(), std::min(in.size(), head.size()));
    core::Event e;
    std::uint8_t flags = head[0];
    if ((flags & 0x04) == 0) {
        e.src_ip = address(&head[1], (flags & 0x01) != 0);
    }
    if ((flags & 0x08) == 0) {
        e.dst_ip = address(&head[17], (flags & 0x02) != 0);
    }
    static constexpr core::Direction kDirections[] = {
        core::Direction::kUnknown, core::Direction::kInbound, core::Direction::kOutbound,
        core::Direction::kExternal};
    e.direction = kDirections[(flags >> 4) & 3];
    std::string_view rest = in.size() > head.size() ? in.substr(head.size()) : std::string_view();
    for (privacy::StringField f : privacy::all_string_fields()) {
        if (rest.empty()) {
            break;
        }
        std::size_t nl = rest.find('\n');
        privacy::field_value(e, f) = std::string(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    return e;
}

bool clean(privacy::StringField f, const std::string& v, const privacy::PolicyOptions& o) {
    if (v.empty()) {
        return true;
    }
    return (f == privacy::StringField::kUserHash
                ? privacy::classify_hash(v)
                : privacy::classify(v, o.scrub)) == privacy::ScrubReason::kNone;
}

void check_kept(const core::Event& in, const core::Event& out) {
    const auto& o = policy().options();
    const auto& pan = *o.pseudonymiser;
    auto expect_addr = [&](const core::IpAddress& before, const core::IpAddress& after) {
        bool internal = o.internal_networks.contains(before);
        if (after != (internal ? pan.anonymise(before) : before)) {
            std::abort();
        }
    };
    expect_addr(in.src_ip, out.src_ip);
    expect_addr(in.dst_ip, out.dst_ip);
    for (privacy::StringField f : privacy::all_string_fields()) {
        const std::string& before = privacy::field_value(in, f);
        const std::string& after = privacy::field_value(out, f);
        if (!o.allowed_fields.contains(f) && !after.empty()) {
            std::abort();
        }
        bool pseudonym =
            f == privacy::StringField::kObserverName && core::IpAddress::parse(after).has_value();
        bool replaced = after.empty() || (after.size() == 37 && after.starts_with("hash:"));
        if (after != before && !replaced && !pseudonym) {
            std::abort();
        }
        if (!clean(f, after, o)) {
            std::abort();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    privacy::ScrubOptions unbounded;
    unbounded.max_bytes = static_cast<std::size_t>(-1);
    (void)privacy::classify(in, unbounded);
    (void)privacy::classify_hash(in);

    const core::Event original = build(in);
    core::Event e = original;
    privacy::PolicyStats stats;
    privacy::Verdict v = policy().apply(e, stats);
    const auto& o = policy().options();
    bool src_internal = o.internal_networks.contains(original.src_ip);
    bool dst_internal = o.internal_networks.contains(original.dst_ip);
    switch (v) {
        case privacy::Verdict::kDropTrusted:
            if (!o.trusted_sources.contains(original.src_ip) || !(e == original)) {
                std::abort();
            }
            return 0;
        case privacy::Verdict::kDropInternal:
            if (!src_internal || !dst_internal || o.trusted_sources.contains(original.src_ip) ||
                !(e == original)) {
                std::abort();
            }
            return 0;
        case privacy::Verdict::kKeep:
            if ((src_internal && dst_internal) || o.trusted_sources.contains(original.src_ip) ||
                stats.kept != 1) {
                std::abort();
            }
            break;
    }
    check_kept(original, e);
    // A second pass changes no string field (addresses may map again, so they are not
    // compared).
    core::Event again = e;
    if (policy().apply(again) == privacy::Verdict::kKeep) {
        for (privacy::StringField f : privacy::all_string_fields()) {
            bool observer = f == privacy::StringField::kObserverName;
            if (!observer && privacy::field_value(again, f) != privacy::field_value(e, f)) {
                std::abort();
            }
        }
    }
    fuzz::check_event(e);
    return 0;
}
