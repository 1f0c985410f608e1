// STIX 2.1 bundles: indicator objects whose pattern names addresses, prefixes or domains.
// See docs: OASIS STIX 2.1, section 4.7 (Indicator) and 9 (Patterning).
#include <string>
#include <unordered_map>

#include "intel/importers.h"
#include "intel/internal/import_common.h"
#include "intel/internal/stix_pattern.h"

namespace cyberalarm::intel {

namespace {

using internal::Json;

// The first string of a list property such as labels or indicator_types.
std::string_view first_string(const Json& obj, std::string_view key) {
    const Json* v = internal::member(obj, key);
    if (v == nullptr || !v->is_array()) {
        return {};
    }
    for (const auto& e : *v) {
        if (e.is_string()) {
            return e.get_ref<const Json::string_t&>();
        }
    }
    return {};
}

// A timestamp property: absent is fine, present and unreadable is not.
bool read_time(const Json& obj, std::string_view key, std::int64_t& out) {
    const Json* v = internal::member(obj, key);
    if (v == nullptr || v->is_null()) {
        return true;
    }
    if (!v->is_string()) {
        return false;
    }
    auto t = internal::parse_time(v->get_ref<const Json::string_t&>());
    if (!t) {
        return false;
    }
    out = *t;
    return true;
}

bool matches_object(internal::PatternValue::Object obj, internal::ValueKind kind,
                    const Indicator& ind) {
    using Object = internal::PatternValue::Object;
    switch (obj) {
        case Object::kIpv4:
            return kind == internal::ValueKind::kAddress && ind.prefix.base.is_v4();
        case Object::kIpv6:
            return kind == internal::ValueKind::kAddress && ind.prefix.base.is_v6();
        case Object::kDomain:
            return kind == internal::ValueKind::kDomain;
        case Object::kAnyIp:
            return kind == internal::ValueKind::kAddress;
    }
    return false;
}

core::Status import_indicator(const Json& obj, std::string_view source,
                              internal::Collector& out) {
    std::string id(internal::get_string(obj, "id").substr(0, 80));
    std::string where = id.empty() ? std::string("indicator") : id;
    if (const Json* r = internal::member(obj, "revoked"); r != nullptr && r->is_boolean() &&
                                                          r->get<bool>()) {
        out.skip(SkipReason::kNotForDetection, 0, where + ": revoked");
        return {};
    }
    std::string_view pattern_type = internal::get_string(obj, "pattern_type");
    if (internal::member(obj, "pattern_type") != nullptr && pattern_type != "stix") {
        out.skip(SkipReason::kUnsupportedPattern,
                 0, where + ": pattern_type '" + std::string(pattern_type.substr(0, 40)) + "'");
        return {};
    }
    const Json* pattern = internal::member(obj, "pattern");
    if (pattern == nullptr || !pattern->is_string()) {
        out.skip(SkipReason::kBadField, 0, where + ": no pattern string");
        return {};
    }
    Indicator base;
    base.confidence = -1;
    if (auto c = internal::get_int(obj, "confidence"); c && *c >= 0 && *c <= 100) {
        base.confidence = static_cast<int>(*c);
    }
    std::int64_t created = 0;
    std::int64_t modified = 0;
    if (!read_time(obj, "valid_until", base.expires_ns) ||
        !read_time(obj, "valid_from", base.first_seen_ns) ||
        !read_time(obj, "created", created) || !read_time(obj, "modified", modified)) {
        out.skip(SkipReason::kBadField, 0, where + ": a timestamp does not parse");
        return {};
    }
    if (base.first_seen_ns == 0) {
        base.first_seen_ns = created;
    }
    base.last_seen_ns = modified != 0 ? modified : created;
    std::string_view label = internal::get_string(obj, "name");
    if (label.empty()) {
        label = first_string(obj, "labels");
    }
    if (label.empty()) {
        label = first_string(obj, "indicator_types");
    }
    base.label = internal::clip_label(label);
    base.source = std::string(source);

    auto parsed = internal::read_stix_pattern(pattern->get_ref<const Json::string_t&>());
    for (const auto& s : parsed.skips) {
        out.skip(s.reason, 0, where + ": " + s.why);
    }
    for (const auto& v : parsed.values) {
        Indicator ind = base;
        auto kind = internal::parse_value(v.value, ind);
        if (!matches_object(v.object, kind, ind)) {
            out.skip(SkipReason::kBadValue, 0,
                     where + ": '" + v.value.substr(0, 60) + "' does not fit its object type");
            continue;
        }
        if (auto st = out.add(std::move(ind)); !st) {
            return st;
        }
    }
    if (parsed.values.empty() && parsed.skips.empty()) {
        out.skip(SkipReason::kUnsupportedPattern, 0, where + ": pattern has no comparison");
    }
    return {};
}

}  // namespace

core::Result<ImportStats> import_stix21(std::string_view json, const ImportOptions& options,
                                        IntelSet& set) {
    auto doc = internal::parse_json(json, options);
    if (!doc) {
        return core::fail(std::move(doc).error());
    }
    internal::Collector out(options, FeedFormat::kStix21);
    // A bundle, a bare list of objects, or one object.
    const Json* objects = nullptr;
    Json single = Json::array();
    if (doc->is_array()) {
        objects = &*doc;
    } else if (const Json* o = internal::member(*doc, "objects"); o != nullptr && o->is_array()) {
        objects = o;
    } else if (!internal::get_string(*doc, "type").empty() &&
               internal::member(*doc, "objects") == nullptr) {
        single.push_back(std::move(*doc));
        objects = &single;
    } else {
        return core::fail(out.error(
            core::Error::unsupported("not a STIX 2.1 bundle: no \"objects\" list").at_offset(0)));
    }
    // Identities first, so created_by_ref resolves to an organisation's name wherever the
    // identity sits in the bundle.
    std::unordered_map<std::string, std::string> identities;
    for (const auto& obj : *objects) {
        if (internal::get_string(obj, "type") == "identity") {
            auto name = internal::get_string(obj, "name");
            auto id = internal::get_string(obj, "id");
            if (!name.empty() && !id.empty()) {
                identities.emplace(std::string(id), internal::clip_label(name));
            }
        }
    }
    for (const auto& obj : *objects) {
        if (internal::get_string(obj, "type") != "indicator") {
            continue;  // malware, relationship, report …: context, not indicators
        }
        std::string source = options.source;
        if (auto ref = internal::get_string(obj, "created_by_ref"); !ref.empty()) {
            if (auto it = identities.find(std::string(ref)); it != identities.end()) {
                source = it->second;
            } else if (source.empty()) {
                source = internal::clip_label(ref);
            }
        }
        if (auto st = import_indicator(obj, source, out); !st) {
            return core::fail(std::move(st).error());
        }
    }
    return out.commit(set);
}

}  // namespace cyberalarm::intel
