#include "privacy/fields.h"

#include <array>

namespace cyberalarm::privacy {

namespace {

struct FieldInfo {
    StringField field;
    std::string_view name;
    std::string core::Event::*member;
};

// One row per StringField, in declaration order (checked below).
constexpr std::array<FieldInfo, kStringFieldCount> kFields = {{
    {StringField::kModule, "event.module", &core::Event::format},
    {StringField::kObserverName, "observer.name", &core::Event::observer_name},
    {StringField::kObserverVendor, "observer.vendor", &core::Event::observer_vendor},
    {StringField::kObserverProduct, "observer.product", &core::Event::observer_product},
    {StringField::kObserverSerial, "observer.serial_number", &core::Event::observer_serial},
    {StringField::kIngressInterface, "observer.ingress.interface.name",
     &core::Event::ingress_interface},
    {StringField::kEgressInterface, "observer.egress.interface.name",
     &core::Event::egress_interface},
    {StringField::kEventCode, "event.code", &core::Event::event_code},
    {StringField::kRuleId, "rule.id", &core::Event::rule_id},
    {StringField::kRuleName, "rule.name", &core::Event::rule_name},
    {StringField::kRuleRuleset, "rule.ruleset", &core::Event::rule_ruleset},
    {StringField::kAppProtocol, "network.protocol", &core::Event::app_protocol},
    {StringField::kUserHash, "user.hash", &core::Event::user_hash},
}};

constexpr bool table_in_order() {
    for (std::size_t i = 0; i < kFields.size(); ++i) {
        if (static_cast<std::size_t>(kFields[i].field) != i) {
            return false;
        }
    }
    return true;
}
static_assert(table_in_order(), "kFields must list StringField in declaration order");

constexpr std::array<StringField, kStringFieldCount> kAll = [] {
    std::array<StringField, kStringFieldCount> a{};
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = kFields[i].field;
    }
    return a;
}();

}  // namespace

std::span<const StringField> all_string_fields() {
    return kAll;
}

std::string_view field_name(StringField f) {
    return kFields[static_cast<std::size_t>(f)].name;
}

std::optional<StringField> field_from_name(std::string_view name) {
    for (const auto& info : kFields) {
        if (info.name == name) {
            return info.field;
        }
    }
    return std::nullopt;
}

std::string& field_value(core::Event& e, StringField f) {
    return e.*(kFields[static_cast<std::size_t>(f)].member);
}

const std::string& field_value(const core::Event& e, StringField f) {
    return e.*(kFields[static_cast<std::size_t>(f)].member);
}

FieldSet FieldSet::all() {
    FieldSet s;
    for (auto f : kAll) {
        s.insert(f);
    }
    return s;
}

core::Result<FieldSet> FieldSet::from_names(std::span<const std::string> names) {
    FieldSet s;
    for (const auto& name : names) {
        auto f = field_from_name(name);
        if (!f) {
            std::string message = "unknown event field '" + name + "'; known fields: ";
            for (std::size_t i = 0; i < kFields.size(); ++i) {
                message += i == 0 ? "" : ", ";
                message += kFields[i].name;
            }
            return core::fail(core::Error::invalid_argument(std::move(message)));
        }
        s.insert(*f);
    }
    return s;
}

FieldSet default_allowed_fields() {
    FieldSet s = FieldSet::all();
    s.erase(StringField::kObserverSerial);
    return s;
}

FieldSet default_hashed_fields() {
    return {StringField::kObserverName, StringField::kEventCode,   StringField::kRuleId,
            StringField::kRuleName,     StringField::kRuleRuleset, StringField::kUserHash};
}

}  // namespace cyberalarm::privacy
