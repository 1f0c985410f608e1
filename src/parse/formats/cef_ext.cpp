#include "parse/formats/cef_ext.h"

#include "parse/text.h"

namespace cyberalarm::parse::formats::cef_env {

namespace {

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '[' || c == ']';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

// The start of the next " key=" after `from` (the position of the key), or npos.
std::size_t ExtReader::find_next_key(std::size_t from) const {
    std::size_t i = from;
    while (true) {
        i = s_.find(' ', i);
        if (i == std::string_view::npos) {
            return i;
        }
        std::size_t k = i + 1;
        while (k < s_.size() && is_key_char(s_[k])) {
            ++k;
        }
        if (k > i + 1 && k < s_.size() && s_[k] == '=') {
            return i + 1;
        }
        i = i + 1;
    }
}

bool ExtReader::next(std::string_view& key, std::string_view& value) {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) {
        ++pos_;
    }
    if (pos_ >= s_.size()) {
        return false;
    }
    std::size_t k = pos_;
    while (k < s_.size() && is_key_char(s_[k])) {
        ++k;
    }
    if (k >= s_.size() || s_[k] != '=' || k == pos_) {
        // Not key=value here: skip to the next key, if any.
        std::size_t n = find_next_key(pos_);
        if (n == std::string_view::npos) {
            pos_ = s_.size();
            return false;
        }
        pos_ = n;
        return next(key, value);
    }
    key = s_.substr(pos_, k - pos_);
    std::size_t vstart = k + 1;
    std::size_t n = find_next_key(vstart);
    std::size_t vend = n == std::string_view::npos ? s_.size() : n - 1;
    value = trim(s_.substr(vstart, vend - vstart));
    pos_ = n == std::string_view::npos ? s_.size() : n;
    return true;
}

bool split_header(std::string_view s, std::span<std::string_view> fields, std::string_view& rest) {
    std::size_t start = 0;
    std::size_t i = 0;
    std::size_t n = 0;
    while (n < fields.size()) {
        while (i < s.size() && s[i] != '|') {
            i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
        }
        if (i >= s.size()) {
            return false;
        }
        fields[n++] = s.substr(start, i - start);
        start = ++i;
    }
    rest = s.substr(start);
    return true;
}

void assign_unescaped(std::string_view s, std::string& out) {
    out.clear();
    if (s.find('\\') == std::string_view::npos) {
        out.assign(s);
        return;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && i + 1 < s.size()) {
            char e = s[++i];
            c = e == 'n' || e == 'r' ? ' ' : e;
        }
        out.push_back(c);
    }
}

namespace {

// "Mar 31 2021 12:34:56[.123][ zone]" or "Mar 31 12:34:56[.123]".
std::optional<std::int64_t> parse_month_stamp(std::string_view s, const core::TimeZone& tz,
                                              std::int64_t reference_ns) {
    core::CivilTime t;
    Cursor c(s);
    t.month = core::month_from_abbrev(c.token(' '));
    c.skip_spaces();
    auto day = to_uint<unsigned>(c.token(' '));
    c.skip_spaces();
    std::string_view next = c.token(' ');
    std::string_view clock = next;
    if (next.find(':') == std::string_view::npos) {
        auto year = to_uint<unsigned>(next);
        if (!year || *year > 9999) {
            return std::nullopt;
        }
        t.year = static_cast<int>(*year);
        clock = c.token(' ');
    } else {
        t.year = core::infer_year(t.month, reference_ns);
    }
    std::string_view zone = trim(c.rest());
    Cursor tc(clock);
    auto h = to_uint<unsigned>(tc.token(':'));
    auto mi = to_uint<unsigned>(tc.token(':'));
    auto se = to_uint<unsigned>(tc.token('.'));
    auto ms = tc.done() ? std::optional<unsigned>(0) : to_uint<unsigned>(tc.rest().substr(0, 3));
    if (t.month == 0 || !day || !h || !mi || !se || !ms) {
        return std::nullopt;
    }
    t.day = static_cast<int>(*day);
    t.hour = static_cast<int>(*h);
    t.minute = static_cast<int>(*mi);
    t.second = static_cast<int>(*se);
    t.nanos = static_cast<std::int64_t>(*ms) * 1'000'000;
    auto ns = core::civil_to_ns(t);
    if (!ns) {
        return std::nullopt;
    }
    if (zone == "UTC" || zone == "GMT" || zone == "Z") {
        return *ns;
    }
    return tz.local_to_utc(*ns);
}

}  // namespace

std::optional<std::int64_t> parse_device_time(std::string_view s, const core::TimeZone& tz,
                                              std::int64_t reference_ns) {
    s = trim(s);
    if (s.empty()) {
        return std::nullopt;
    }
    if (auto ms = to_uint<std::uint64_t>(s)) {
        // Milliseconds since the epoch (13 digits today); 10 digits are seconds.
        if (s.size() <= 10) {
            return static_cast<std::int64_t>(*ms) * core::kNanosPerSecond;
        }
        if (*ms > static_cast<std::uint64_t>(INT64_MAX) / 1'000'000ULL) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(*ms) * 1'000'000;
    }
    if (is_digit(s.front())) {
        auto t = core::parse_iso8601(s);
        if (!t) {
            return std::nullopt;
        }
        return t->has_zone ? t->ns : tz.local_to_utc(t->ns);
    }
    return parse_month_stamp(s, tz, reference_ns);
}

core::Severity severity_of(std::string_view s) {
    if (auto n = to_uint<unsigned>(s)) {
        if (*n <= 3) {
            return core::Severity::kLow;
        }
        if (*n <= 6) {
            return core::Severity::kMedium;
        }
        return *n <= 8 ? core::Severity::kHigh : core::Severity::kCritical;
    }
    if (iequals(s, "very-high") || iequals(s, "very high")) {
        return core::Severity::kCritical;
    }
    return severity_from_word(s);
}

namespace {

bool set_address(std::string_view key, std::string_view value, core::IpAddress& ip,
                 std::string_view& bad) {
    if (value.empty()) {
        return true;
    }
    if (auto a = core::IpAddress::parse(value)) {
        ip = *a;
    } else {
        bad = key;
    }
    return true;
}

void set_protocol(std::string_view value, core::Event& out) {
    if (auto n = to_uint<unsigned>(value); n && *n <= 255) {
        out.set_ip_protocol(*n);
    } else {
        out.set_transport(core::transport_from_name(value));
    }
}

}  // namespace

bool apply_network(std::string_view key, std::string_view value, core::Event& out,
                   std::string_view& bad) {
    if (key == "src" || key == "sourceAddress" || (key == "c6a2" && !out.src_ip.is_set())) {
        return set_address(key, value, out.src_ip, bad);
    }
    if (key == "dst" || key == "destinationAddress" || (key == "c6a3" && !out.dst_ip.is_set())) {
        return set_address(key, value, out.dst_ip, bad);
    }
    if (key == "spt" || key == "srcPort" || key == "sourcePort") {
        if (auto p = to_port(value)) {
            out.set_src_port(*p);
        }
        return true;
    }
    if (key == "dpt" || key == "dstPort" || key == "destinationPort") {
        if (auto p = to_port(value)) {
            out.set_dst_port(*p);
        }
        return true;
    }
    if (key == "proto" || key == "transportProtocol") {
        set_protocol(value, out);
        return true;
    }
    // CEF "in"/"bytesIn": bytes from source to destination; "out": the reverse.
    if (key == "in" || key == "bytesIn" || key == "srcBytes") {
        if (auto b = to_uint<std::uint64_t>(value)) {
            out.set_src_bytes(*b);
        }
        return true;
    }
    if (key == "out" || key == "bytesOut" || key == "dstBytes") {
        if (auto b = to_uint<std::uint64_t>(value)) {
            out.set_dst_bytes(*b);
        }
        return true;
    }
    if (key == "srcPackets" || key == "dstPackets" || key == "totalPackets") {
        if (auto n = to_uint<std::uint64_t>(value)) {
            if (key == "srcPackets") {
                out.set_src_packets(*n);
            } else if (key == "dstPackets") {
                out.set_dst_packets(*n);
            } else {
                out.set_packets(*n);
            }
        }
        return true;
    }
    if (key == "deviceInboundInterface" || key == "srcInterface") {
        assign_unescaped(value, out.ingress_interface);
        return true;
    }
    if (key == "deviceOutboundInterface" || key == "dstInterface") {
        assign_unescaped(value, out.egress_interface);
        return true;
    }
    return false;
}

}  // namespace cyberalarm::parse::formats::cef_env
