// MISP event JSON: {"Event": {...}}, a list of those, or the REST API's {"response": [...]}.
// Attributes of network types become indicators; objects' attributes are read the same way.
#include <string>

#include "intel/importers.h"
#include "intel/internal/import_common.h"

namespace cyberalarm::intel {

namespace {

using internal::Json;

constexpr int kUnset = -1;

// What the event says about every attribute in it.
struct EventContext {
    std::string source;
    std::string info;
    int confidence = kUnset;
};

// MISP's own taxonomies for confidence: misp:confidence-level and estimative-language.
int confidence_from_tags(const Json& obj) {
    const Json* tags = internal::member(obj, "Tag");
    if (tags == nullptr || !tags->is_array()) {
        return kUnset;
    }
    struct Level {
        std::string_view tag;
        int confidence;
    };
    static constexpr Level kLevels[] = {
        {"misp:confidence-level=\"completely-confident\"", 100},
        {"misp:confidence-level=\"usually-confident\"", 75},
        {"misp:confidence-level=\"fairly-confident\"", 50},
        {"misp:confidence-level=\"rarely-confident\"", 25},
        {"misp:confidence-level=\"unconfident\"", 0},
        {"estimative-language:confidence-in-analytic-judgment=\"high\"", 85},
        {"estimative-language:confidence-in-analytic-judgment=\"moderate\"", 60},
        {"estimative-language:confidence-in-analytic-judgment=\"low\"", 30},
    };
    for (const auto& t : *tags) {
        std::string_view name = internal::get_string(t, "name");
        for (const auto& l : kLevels) {
            if (name == l.tag) {
                return l.confidence;
            }
        }
    }
    return kUnset;
}

// threat_level_id: 1 high, 2 medium, 3 low, 4 undefined.
int confidence_from_threat_level(const Json& event) {
    switch (internal::get_int(event, "threat_level_id").value_or(0)) {
        case 1:
            return 90;
        case 2:
            return 70;
        case 3:
            return 40;
        default:
            return kUnset;
    }
}

// to_ids is a boolean in current MISP and "0"/"1" or 0/1 in older exports.
bool flag(const Json& obj, std::string_view key, bool absent) {
    const Json* v = internal::member(obj, key);
    if (v == nullptr || v->is_null()) {
        return absent;
    }
    if (v->is_boolean()) {
        return v->get<bool>();
    }
    if (auto i = internal::get_int(obj, key)) {
        return *i != 0;
    }
    return absent;
}

// The parts of a composite value that are addresses or domains, by MISP attribute type.
// Returns false for types we do not match on.
bool value_parts(std::string_view type, std::string_view value, std::string_view parts[2],
                 int& count) {
    count = 0;
    auto bar = value.rfind('|');
    if (type == "ip-src" || type == "ip-dst" || type == "domain" || type == "hostname") {
        parts[count++] = value;
    } else if (type == "ip-src|port" || type == "ip-dst|port" || type == "hostname|port") {
        parts[count++] = value.substr(0, bar);
    } else if (type == "domain|ip") {
        parts[count++] = value.substr(0, bar);
        if (bar != std::string_view::npos) {
            parts[count++] = value.substr(bar + 1);
        }
    } else {
        return false;
    }
    return true;
}

bool read_time(const Json& obj, std::string_view key, std::int64_t& out) {
    const Json* v = internal::member(obj, key);
    if (v == nullptr || v->is_null()) {
        return true;
    }
    if (v->is_number_integer() || v->is_number_unsigned()) {
        out = internal::parse_time(std::to_string(v->get<std::int64_t>())).value_or(0);
        return out != 0;
    }
    if (!v->is_string()) {
        return false;
    }
    const auto& s = v->get_ref<const Json::string_t&>();
    if (s.empty()) {
        return true;
    }
    auto t = internal::parse_time(s);
    if (!t) {
        return false;
    }
    out = *t;
    return true;
}

core::Status import_attribute(const Json& attr, const EventContext& ev, internal::Collector& out) {
    std::string where = "attribute";
    if (auto uuid = internal::get_string(attr, "uuid"); !uuid.empty()) {
        where.append(" ").append(uuid.substr(0, 40));
    }
    std::string_view type = internal::get_string(attr, "type");
    std::string_view value = internal::get_string(attr, "value");
    std::string_view parts[2];
    int count = 0;
    if (!value_parts(type, value, parts, count)) {
        out.skip(SkipReason::kUnsupportedType, 0,
                 where + ": type '" + std::string(type.substr(0, 40)) + "'");
        return {};
    }
    if (flag(attr, "deleted", false) ||
        (out.options().require_to_ids && !flag(attr, "to_ids", true))) {
        out.skip(SkipReason::kNotForDetection, 0, where + ": not flagged for detection");
        return {};
    }
    Indicator base;
    base.source = ev.source;
    base.confidence = confidence_from_tags(attr);
    if (base.confidence == kUnset) {
        base.confidence = ev.confidence;
    }
    if (!read_time(attr, "first_seen", base.first_seen_ns) ||
        !read_time(attr, "last_seen", base.last_seen_ns)) {
        out.skip(SkipReason::kBadField, 0, where + ": first_seen or last_seen does not parse");
        return {};
    }
    if (base.last_seen_ns == 0) {
        std::int64_t stamp = 0;
        if (read_time(attr, "timestamp", stamp)) {
            base.last_seen_ns = stamp;
        }
    }
    std::string_view comment = internal::get_string(attr, "comment");
    base.label = internal::clip_label(comment.empty() ? std::string_view(ev.info) : comment);
    for (int i = 0; i < count; ++i) {
        Indicator ind = base;
        auto kind = internal::parse_value(parts[i], ind);
        bool want_ip = type.substr(0, 2) == "ip" || (type == "domain|ip" && i == 1);
        if (kind == internal::ValueKind::kNone ||
            (kind == internal::ValueKind::kAddress) != want_ip) {
            out.skip(SkipReason::kBadValue, 0,
                     where + ": '" + std::string(parts[i].substr(0, 60)) + "' is not a " +
                         std::string(type.substr(0, 20)));
            continue;
        }
        if (auto st = out.add(std::move(ind)); !st) {
            return st;
        }
    }
    return {};
}

core::Status import_attributes(const Json* list, const EventContext& ev,
                               internal::Collector& out) {
    if (list == nullptr || !list->is_array()) {
        return {};
    }
    for (const auto& attr : *list) {
        if (auto st = import_attribute(attr, ev, out); !st) {
            return st;
        }
    }
    return {};
}

core::Status import_event(const Json& event, internal::Collector& out) {
    EventContext ev;
    for (const char* org : {"Orgc", "Org"}) {
        if (const Json* o = internal::member(event, org)) {
            if (auto name = internal::get_string(*o, "name"); !name.empty()) {
                ev.source = internal::clip_label(name);
                break;
            }
        }
    }
    ev.info = internal::clip_label(internal::get_string(event, "info"));
    ev.confidence = confidence_from_tags(event);
    if (ev.confidence == kUnset) {
        ev.confidence = confidence_from_threat_level(event);
    }
    if (auto st = import_attributes(internal::member(event, "Attribute"), ev, out); !st) {
        return st;
    }
    if (const Json* objects = internal::member(event, "Object");
        objects != nullptr && objects->is_array()) {
        for (const auto& obj : *objects) {
            if (auto st = import_attributes(internal::member(obj, "Attribute"), ev, out); !st) {
                return st;
            }
        }
    }
    return {};
}

bool is_event(const Json& j) {
    return internal::member(j, "Attribute") != nullptr || internal::member(j, "Object") != nullptr;
}

// Unwraps {"Event": {...}} and accepts a bare event; returns nullptr for anything else.
const Json* event_of(const Json& j) {
    if (const Json* e = internal::member(j, "Event"); e != nullptr && e->is_object()) {
        return e;
    }
    return is_event(j) ? &j : nullptr;
}

}  // namespace

core::Result<ImportStats> import_misp(std::string_view json, const ImportOptions& options,
                                      IntelSet& set) {
    auto doc = internal::parse_json(json, options);
    if (!doc) {
        return core::fail(std::move(doc).error());
    }
    internal::Collector out(options, FeedFormat::kMisp);
    const Json* top = &*doc;
    if (const Json* r = internal::member(*top, "response"); r != nullptr) {
        top = r;
    }
    std::vector<const Json*> events;
    if (top->is_array()) {
        for (const auto& e : *top) {
            if (const Json* ev = event_of(e)) {
                events.push_back(ev);
            }
        }
    } else if (const Json* ev = event_of(*top)) {
        events.push_back(ev);
    }
    if (events.empty() && !(top->is_array() && top->empty())) {
        return core::fail(out.error(
            core::Error::unsupported("not a MISP export: no \"Event\" with attributes")
                .at_offset(0)));
    }
    for (const Json* ev : events) {
        if (auto st = import_event(*ev, out); !st) {
            return core::fail(std::move(st).error());
        }
    }
    return out.commit(set);
}

}  // namespace cyberalarm::intel
