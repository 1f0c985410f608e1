// CSV with a header row, and plain lists (one address, prefix or domain per line).
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "intel/importers.h"
#include "intel/internal/import_common.h"

namespace cyberalarm::intel {

namespace {

constexpr std::size_t kMaxFields = 64;

enum class Column : std::uint8_t {
    kValue, kType, kSource, kConfidence, kFirstSeen, kLastSeen, kExpires, kDescription, kOther
};

Column column_of(std::string_view raw) {
    std::string n;
    for (char c : internal::trim(raw)) {
        if (c == '"' || c == '\'') {
            continue;
        }
        n.push_back(c == ' ' || c == '-' ? '_' : static_cast<char>(std::tolower(
                                                     static_cast<unsigned char>(c))));
    }
    struct Name {
        std::string_view name;
        Column column;
    };
    static constexpr Name kNames[] = {
        {"value", Column::kValue}, {"indicator", Column::kValue}, {"ioc", Column::kValue},
        {"ip", Column::kValue}, {"ip_address", Column::kValue}, {"address", Column::kValue},
        {"domain", Column::kValue}, {"hostname", Column::kValue}, {"cidr", Column::kValue},
        {"network", Column::kValue}, {"observable", Column::kValue},
        {"type", Column::kType}, {"indicator_type", Column::kType}, {"ioc_type", Column::kType},
        {"source", Column::kSource}, {"feed", Column::kSource}, {"provider", Column::kSource},
        {"confidence", Column::kConfidence}, {"score", Column::kConfidence},
        {"first_seen", Column::kFirstSeen}, {"firstseen", Column::kFirstSeen},
        {"last_seen", Column::kLastSeen}, {"lastseen", Column::kLastSeen},
        {"expires", Column::kExpires}, {"expiry", Column::kExpires},
        {"expiration", Column::kExpires}, {"valid_until", Column::kExpires},
        {"expires_at", Column::kExpires},
        {"description", Column::kDescription}, {"label", Column::kDescription},
        {"comment", Column::kDescription}, {"name", Column::kDescription},
        {"threat", Column::kDescription},
    };
    for (const auto& e : kNames) {
        if (n == e.name) {
            return e.column;
        }
    }
    return Column::kOther;
}

// Splits one line on `delim`, honouring double quotes ("a,b" and "" inside them). Returns
// false when a quote is left open.
bool split_fields(std::string_view line, char delim, std::vector<std::string>& out) {
    out.clear();
    std::string cur;
    bool quoted = false;
    bool was_quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur.push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cur.push_back(c);
            }
        } else if (c == '"' && internal::trim(cur).empty() && !was_quoted) {
            cur.clear();
            quoted = true;
            was_quoted = true;
        } else if (c == delim) {
            out.push_back(std::move(cur));
            cur.clear();
            was_quoted = false;
            if (out.size() >= kMaxFields) {
                return true;
            }
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(std::move(cur));
    return !quoted;
}

char guess_delimiter(std::string_view header) {
    std::array<char, 3> delims{',', ';', '\t'};
    char best = ',';
    std::ptrdiff_t best_count = 0;
    for (char d : delims) {
        auto n = std::count(header.begin(), header.end(), d);
        if (n > best_count) {
            best = d;
            best_count = n;
        }
    }
    return best;
}

// Walks lines, tracking the line number; strips a UTF-8 byte-order mark.
class Lines {
public:
    explicit Lines(std::string_view text) : text_(text) {
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
            text_.remove_prefix(3);
        }
    }
    bool next(std::string_view& line) {
        if (pos_ >= text_.size()) {
            return false;
        }
        auto nl = text_.find('\n', pos_);
        std::size_t end = nl == std::string_view::npos ? text_.size() : nl;
        line = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        ++number_;
        return true;
    }
    [[nodiscard]] std::uint64_t number() const { return number_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::uint64_t number_ = 0;
};

bool is_comment_or_blank(std::string_view line) {
    line = internal::trim(line);
    return line.empty() || line.front() == '#';
}

// What a CSV type column allows: an address, a domain, or something we do not match.
enum class Expect : std::uint8_t { kAny, kAddress, kDomain, kUnsupported };

Expect expect_of(std::string_view type) {
    std::string t;
    for (char c : internal::trim(type)) {
        t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (t.empty()) {
        return Expect::kAny;
    }
    for (std::string_view a : {"ip", "ipv4", "ipv6", "ip-src", "ip-dst", "ipv4-addr",
                               "ipv6-addr", "cidr", "network", "subnet", "netblock", "address"}) {
        if (t == a) {
            return Expect::kAddress;
        }
    }
    for (std::string_view d : {"domain", "hostname", "fqdn", "domain-name", "host"}) {
        if (t == d) {
            return Expect::kDomain;
        }
    }
    return Expect::kUnsupported;
}

std::optional<int> read_confidence(std::string_view s) {
    s = internal::trim(s);
    if (s == "high" || s == "High" || s == "HIGH") {
        return 80;
    }
    if (s == "medium" || s == "Medium" || s == "MEDIUM") {
        return 50;
    }
    if (s == "low" || s == "Low" || s == "LOW") {
        return 20;
    }
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0 || v > 100) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

core::Result<ImportStats> import_csv(std::string_view text, const ImportOptions& options,
                                     IntelSet& set) {
    internal::Collector out(options, FeedFormat::kCsv);
    if (text.size() > options.max_input_bytes) {
        return core::fail(out.error(core::Error::exhausted("input is over the size limit")));
    }
    Lines lines(text);
    std::string_view line;
    std::vector<Column> columns;
    std::vector<std::string> fields;
    char delim = ',';
    while (lines.next(line)) {
        if (line.size() > internal::kMaxLine) {
            if (columns.empty()) {
                return core::fail(out.error(
                    core::Error::parse("header line too long").at_line(lines.number())));
            }
            out.skip(SkipReason::kLineTooLong, lines.number(), "line too long");
            continue;
        }
        if (is_comment_or_blank(line)) {
            continue;
        }
        if (columns.empty()) {
            delim = guess_delimiter(line);
            (void)split_fields(line, delim, fields);
            for (const auto& f : fields) {
                columns.push_back(column_of(f));
            }
            if (std::find(columns.begin(), columns.end(), Column::kValue) == columns.end()) {
                return core::fail(out.error(
                    core::Error::parse("CSV header names no value column (value, indicator, ip, "
                                       "domain …)")
                        .at_line(lines.number())));
            }
            continue;
        }
        if (!split_fields(line, delim, fields)) {
            out.skip(SkipReason::kBadValue, lines.number(), "unclosed quote");
            continue;
        }
        Indicator ind;
        ind.confidence = -1;
        std::string_view value;
        Expect expect = Expect::kAny;
        bool bad_field = false;
        for (std::size_t i = 0; i < fields.size() && i < columns.size(); ++i) {
            std::string_view f = internal::trim(fields[i]);
            if (f.empty()) {
                continue;
            }
            switch (columns[i]) {
                case Column::kValue:
                    if (value.empty()) {
                        value = f;
                    }
                    break;
                case Column::kType:
                    expect = expect_of(f);
                    break;
                case Column::kSource:
                    ind.source = internal::clip_label(f);
                    break;
                case Column::kConfidence:
                    if (auto c = read_confidence(f)) {
                        ind.confidence = *c;
                    } else {
                        bad_field = true;
                    }
                    break;
                case Column::kFirstSeen:
                case Column::kLastSeen:
                case Column::kExpires: {
                    auto t = internal::parse_time(f);
                    bad_field = bad_field || !t;
                    std::int64_t v = t.value_or(0);
                    (columns[i] == Column::kFirstSeen  ? ind.first_seen_ns
                     : columns[i] == Column::kLastSeen ? ind.last_seen_ns
                                                       : ind.expires_ns) = v;
                    break;
                }
                case Column::kDescription:
                    ind.label = internal::clip_label(f);
                    break;
                case Column::kOther:
                    break;
            }
        }
        if (expect == Expect::kUnsupported) {
            out.skip(SkipReason::kUnsupportedType, lines.number(), "indicator type not matched");
            continue;
        }
        if (bad_field) {
            out.skip(SkipReason::kBadField, lines.number(), "a time or confidence does not parse");
            continue;
        }
        auto kind = internal::parse_value(value, ind);
        if (kind == internal::ValueKind::kNone ||
            (expect == Expect::kAddress && kind != internal::ValueKind::kAddress) ||
            (expect == Expect::kDomain && kind != internal::ValueKind::kDomain)) {
            out.skip(SkipReason::kBadValue, lines.number(),
                     "not an address or domain: '" + std::string(value.substr(0, 60)) + "'");
            continue;
        }
        if (auto st = out.add(std::move(ind)); !st) {
            return core::fail(std::move(st).error().at_line(lines.number()));
        }
    }
    if (columns.empty()) {
        return core::fail(out.error(core::Error::parse("CSV has no header row").at_line(1)));
    }
    return out.commit(set);
}

core::Result<ImportStats> import_list(std::string_view text, const ImportOptions& options,
                                      IntelSet& set) {
    internal::Collector out(options, FeedFormat::kList);
    if (text.size() > options.max_input_bytes) {
        return core::fail(out.error(core::Error::exhausted("input is over the size limit")));
    }
    Lines lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (line.size() > internal::kMaxLine) {
            out.skip(SkipReason::kLineTooLong, lines.number(), "line too long");
            continue;
        }
        // Comments: "# …" anywhere, and "; …" as in Spamhaus DROP ("192.0.2.0/24 ; SBL1").
        line = line.substr(0, std::min(line.find('#'), line.find(';')));
        auto is_sep = [](char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; };
        std::array<std::string_view, 2> tokens{};
        std::size_t n = 0;
        for (std::size_t i = 0; i < line.size() && n < tokens.size();) {
            while (i < line.size() && is_sep(line[i])) {
                ++i;
            }
            std::size_t start = i;
            while (i < line.size() && !is_sep(line[i])) {
                ++i;
            }
            if (i > start) {
                tokens[n++] = line.substr(start, i - start);
            }
        }
        if (n == 0) {
            continue;
        }
        std::string_view value = tokens[0];
        // hosts-file blocklists: "0.0.0.0 evil.example" names the domain, not 0.0.0.0.
        if (n == 2 && (value == "0.0.0.0" || value == "127.0.0.1" || value == "::" ||
                       value == "::1")) {
            value = tokens[1];
        }
        Indicator ind;
        ind.confidence = -1;
        if (internal::parse_value(value, ind) == internal::ValueKind::kNone) {
            out.skip(SkipReason::kBadValue, lines.number(),
                     "not an address or domain: '" + std::string(value.substr(0, 60)) + "'");
            continue;
        }
        if (auto st = out.add(std::move(ind)); !st) {
            return core::fail(std::move(st).error().at_line(lines.number()));
        }
    }
    return out.commit(set);
}

}  // namespace cyberalarm::intel
