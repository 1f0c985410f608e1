// StringField and FieldSet: the Event's string members by name, so that a policy can say
// which of them may leave the member's network (the field allow-list).
//
// Names are the ECS names the event has in JSON lines (docs/design/event-model.md):
// "rule.name", "observer.ingress.interface.name" …; the config uses the same names.
//
// Which fields are metadata: all of them are *meant* to be (the parsers put only metadata
// there), but some come verbatim from the device and could carry content when a device or a
// parser misbehaves. The default allow-list keeps what detection and reports use and leaves
// out observer.serial_number (it identifies one piece of hardware and nothing central needs
// it). Every allowed field still goes through the content scrubber (scrubber.h).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/result.h"

namespace cyberalarm::privacy {

enum class StringField : std::uint8_t {
    kModule,            // event.module: the parser's registry name (set by us, not the device)
    kObserverName,      // observer.name: host name of the device
    kObserverVendor,    // observer.vendor
    kObserverProduct,   // observer.product
    kObserverSerial,    // observer.serial_number
    kIngressInterface,  // observer.ingress.interface.name
    kEgressInterface,   // observer.egress.interface.name
    kEventCode,         // event.code: vendor message id
    kRuleId,            // rule.id
    kRuleName,          // rule.name
    kRuleRuleset,       // rule.ruleset
    kAppProtocol,       // network.protocol
    kUserHash,          // user.hash: keyed hash of a user name, lowercase hex
};
inline constexpr std::size_t kStringFieldCount = 13;

// Every field, in declaration order.
std::span<const StringField> all_string_fields();
std::string_view field_name(StringField f);
// Accepts the ECS name; nullopt if unknown.
std::optional<StringField> field_from_name(std::string_view name);

std::string& field_value(core::Event& e, StringField f);
const std::string& field_value(const core::Event& e, StringField f);

// A set of StringFields (a bit mask).
class FieldSet {
public:
    constexpr FieldSet() = default;
    constexpr FieldSet(std::initializer_list<StringField> fields) {
        for (auto f : fields) {
            insert(f);
        }
    }
    static FieldSet all();
    // From ECS names, e.g. a config list; an unknown name is a kInvalidArgument error that
    // names it and lists the known ones.
    [[nodiscard]] static core::Result<FieldSet> from_names(std::span<const std::string> names);

    constexpr void insert(StringField f) { bits_ |= bit(f); }
    constexpr void erase(StringField f) { bits_ &= ~bit(f); }
    [[nodiscard]] constexpr bool contains(StringField f) const { return (bits_ & bit(f)) != 0; }
    [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }

    friend constexpr bool operator==(FieldSet, FieldSet) = default;

private:
    static constexpr std::uint32_t bit(StringField f) {
        return std::uint32_t{1} << static_cast<unsigned>(f);
    }
    std::uint32_t bits_ = 0;
};

// What may leave the member's network by default: every field but observer.serial_number.
FieldSet default_allowed_fields();
// Fields that, when the scrubber rejects their value, are replaced by a keyed hash rather
// than cleared, so that events still group by them: observer.name, event.code, rule.id,
// rule.name, rule.ruleset, user.hash. The others are cleared.
FieldSet default_hashed_fields();

}  // namespace cyberalarm::privacy
