#include "intel/internal/import_common.h"

#include <algorithm>
#include <charconv>

#include "core/time.h"

namespace cyberalarm::intel::internal {

namespace {

bool is_label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Defanged forms feeds use so that indicators are not clickable: "evil[.]example".
std::string refang(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((s[i] == '[' || s[i] == '(') && i + 2 < s.size() && s[i + 1] == '.' &&
            (s[i + 2] == ']' || s[i + 2] == ')')) {
            out.push_back('.');
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

// A SAX handler that accepts everything and records where parsing failed, used only to
// locate an error after json::parse() reported one (parse() itself gives no position).
struct ErrorLocator {
    std::size_t position = 0;
    std::string message;

    bool null() { return true; }
    bool boolean(bool) { return true; }
    bool number_integer(Json::number_integer_t) { return true; }
    bool number_unsigned(Json::number_unsigned_t) { return true; }
    bool number_float(Json::number_float_t, const Json::string_t&) { return true; }
    bool string(Json::string_t&) { return true; }
    bool binary(Json::binary_t&) { return true; }
    bool start_object(std::size_t) { return true; }
    bool key(Json::string_t&) { return true; }
    bool end_object() { return true; }
    bool start_array(std::size_t) { return true; }
    bool end_array() { return true; }
    bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) {
        position = pos;
        message = ex.what();
        return false;
    }
};

}  // namespace

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string clip_label(std::string_view s) {
    s = trim(s);
    return std::string(s.substr(0, kMaxLabel));
}

std::uint64_t line_of(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    return 1 + static_cast<std::uint64_t>(std::count(text.begin(), text.begin() +
                                                     static_cast<std::ptrdiff_t>(offset), '\n'));
}

std::string normalise_domain(std::string_view text) {
    if (text.size() >= 2 && text[0] == '*' && text[1] == '.') {
        text.remove_prefix(2);
    }
    if (!text.empty() && text.back() == '.') {
        text.remove_suffix(1);
    }
    if (text.empty() || text.size() > 253) {
        return {};
    }
    std::string out(text);
    std::size_t label_len = 0;
    std::size_t labels = 1;
    bool last_all_digits = true;
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + 32);
        }
        if (c == '.') {
            if (label_len == 0) {
                return {};
            }
            label_len = 0;
            ++labels;
            last_all_digits = true;
            continue;
        }
        if (!is_label_char(c) || ++label_len > 63) {
            return {};
        }
        last_all_digits = last_all_digits && c >= '0' && c <= '9';
    }
    // "1.2.3.999" is a broken address, not a domain; "localhost" is not worth an alarm.
    if (label_len == 0 || labels < 2 || last_all_digits) {
        return {};
    }
    return out;
}

ValueKind parse_value(std::string_view text, Indicator& ind) {
    text = trim(text);
    if (text.empty() || text.size() > 300) {
        return ValueKind::kNone;
    }
    std::string clean = text.find_first_of("[(") == std::string_view::npos ? std::string(text)
                                                                            : refang(text);
    if (auto cidr = core::Cidr::parse(clean)) {
        ind.prefix = *cidr;
        unsigned max = cidr->base.is_v4() ? 32 : 128;
        ind.type = cidr->prefix == max ? IndicatorType::kAddress : IndicatorType::kPrefix;
        return ValueKind::kAddress;
    }
    std::string domain = normalise_domain(clean);
    if (domain.empty()) {
        return ValueKind::kNone;
    }
    ind.type = IndicatorType::kDomain;
    ind.domain = std::move(domain);
    return ValueKind::kDomain;
}

std::optional<std::int64_t> parse_time(std::string_view text) {
    text = trim(text);
    if (text.empty()) {
        return std::nullopt;
    }
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (text.size() > 13) {
            return std::nullopt;
        }
        std::int64_t v = 0;
        std::from_chars(text.data(), text.data() + text.size(), v);
        std::int64_t ns = text.size() == 13 ? v * 1'000'000 : v * core::kNanosPerSecond;
        if (ns >= core::kMaxTimeNs) {
            return std::nullopt;
        }
        return ns;
    }
    if (text.size() == 10) {  // a date alone
        std::string full = std::string(text) + "T00:00:00Z";
        if (auto t = core::parse_iso8601(full); t && t->consumed == full.size()) {
            return t->ns;
        }
        return std::nullopt;
    }
    auto t = core::parse_iso8601(text);
    if (!t || t->consumed != text.size()) {
        return std::nullopt;
    }
    return t->ns;
}

Collector::Collector(const ImportOptions& options, FeedFormat format) : options_(options) {
    stats_.format = format;
}

core::Status Collector::add(Indicator ind) {
    if (pending_.size() >= options_.max_indicators) {
        return core::fail(error(core::Error::exhausted(
            "more than " + std::to_string(options_.max_indicators) +
            " indicators (ImportOptions::max_indicators)")));
    }
    if (ind.source.empty()) {
        ind.source = options_.source;
    }
    if (ind.confidence < 0) {
        ind.confidence = std::clamp(options_.confidence, 0, 100);
    }
    ind.confidence = std::clamp(ind.confidence, 0, 100);
    if (ind.label.size() > kMaxLabel) {
        ind.label.resize(kMaxLabel);
    }
    pending_.push_back(std::move(ind));
    return {};
}

void Collector::skip(SkipReason reason, std::uint64_t line, std::string_view why) {
    ++stats_.skipped;
    ++stats_.skipped_by[static_cast<std::size_t>(reason)];
    if (stats_.examples.size() < kMaxExamples) {
        std::string ex = line != 0 ? "line " + std::to_string(line) + ": " : std::string();
        ex += why.substr(0, 160);
        stats_.examples.push_back(std::move(ex));
    }
}

ImportStats Collector::commit(IntelSet& set) {
    stats_.added = pending_.size();
    for (auto& ind : pending_) {
        set.add(std::move(ind));
    }
    pending_.clear();
    return stats_;
}

core::Error Collector::error(core::Error e) const {
    return std::move(e).context(options_.origin);
}

core::Result<Json> parse_json(std::string_view text, const ImportOptions& options) {
    auto fail_at = [&](std::string msg, std::size_t offset) {
        return core::fail(core::Error::parse(std::move(msg), {}, offset)
                              .at_line(line_of(text, offset))
                              .context(options.origin));
    };
    if (text.size() > options.max_input_bytes) {
        return core::fail(core::Error::exhausted("input of " + std::to_string(text.size()) +
                                                 " bytes is over the limit")
                              .context(options.origin));
    }
    // Deep nesting costs stack and memory in the tree and is never a real feed.
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxJsonDepth) {
                return fail_at("JSON nested deeper than " + std::to_string(kMaxJsonDepth), i);
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    Json doc = Json::parse(text, nullptr, false);
    if (!doc.is_discarded()) {
        return doc;
    }
    ErrorLocator locator;
    (void)Json::sax_parse(text, &locator);
    std::string msg = locator.message;
    if (auto p = msg.find("] "); p != std::string::npos && msg.rfind("[json.", 0) == 0) {
        msg.erase(0, p + 2);
    }
    if (msg.empty()) {
        msg = "not valid JSON";
    }
    std::size_t offset = locator.position > 0 ? locator.position - 1 : 0;
    return fail_at("invalid JSON: " + msg.substr(0, 200), std::min(offset, text.size()));
}

const Json* member(const Json& obj, std::string_view key) {
    if (!obj.is_object()) {
        return nullptr;
    }
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

std::string_view get_string(const Json& obj, std::string_view key) {
    const Json* v = member(obj, key);
    if (v == nullptr || !v->is_string()) {
        return {};
    }
    return v->get_ref<const Json::string_t&>();
}

std::optional<std::int64_t> get_int(const Json& obj, std::string_view key) {
    const Json* v = member(obj, key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_number_integer()) {
        return v->get<std::int64_t>();
    }
    if (v->is_number_unsigned()) {
        auto u = v->get<std::uint64_t>();
        return u > static_cast<std::uint64_t>(INT64_MAX) ? std::nullopt
                                                          : std::optional<std::int64_t>(u);
    }
    if (v->is_string()) {
        const auto& s = v->get_ref<const Json::string_t&>();
        std::int64_t out = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc() && end == s.data() + s.size()) {
            return out;
        }
    }
    return std::nullopt;
}

}  // namespace cyberalarm::intel::internal
