#include "parse/cef_reader.h"

#include <array>

#include "parse/text.h"

namespace cyberalarm::parse::cef {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '.' || c == ':' || c == '-' || c == '[' || c == ']';
}

// A bare envelope version followed by its pipe ("0|", "1|", "1.0|", "2.0|") at the start
// of `s`: what a collector leaves when it strips the marker. Only versions that exist (CEF
// 0 and 1, LEEF 1.0 and 2.0), so that other pipe-separated lines are not taken for CEF.
bool starts_with_bare_version(std::string_view s) {
    if (s.size() < 2 || s[0] < '0' || s[0] > '2') {
        return false;
    }
    if (s[1] == '|') {
        return true;
    }
    return s.size() >= 4 && s[1] == '.' && is_digit(s[2]) && s[3] == '|';
}

// The offset of the '=' that ends a key starting at `at`, or npos if no key starts there.
std::size_t key_end(std::string_view s, std::size_t at) {
    std::size_t k = at;
    while (k < s.size() && is_key_char(s[k])) {
        ++k;
    }
    return k > at && k < s.size() && s[k] == '=' ? k : std::string_view::npos;
}

// The start of the first key after whitespace at or after `from`, or npos. Keys only
// start after whitespace, so an '=' inside a value's word ("a=b=c") or an escaped `\=`
// never starts one.
std::size_t next_key(std::string_view s, std::size_t from) {
    for (std::size_t i = from; i + 1 < s.size(); ++i) {
        if (is_space(s[i]) && !is_space(s[i + 1]) && key_end(s, i + 1) != std::string_view::npos) {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

}  // namespace

HeaderPos locate_header(std::string_view s, std::string_view marker) {
    HeaderPos h;
    std::size_t m = s.find(marker);
    if (m != std::string_view::npos) {
        std::size_t v = m + marker.size();
        while (v < s.size() && s[v] == ' ') {
            ++v;
        }
        if (v < s.size()) {
            h.marker = m;
            h.version = v;
        }
        return h;
    }
    std::size_t start = 0;
    while (start < s.size() && is_space(s[start])) {
        ++start;
    }
    if (starts_with_bare_version(s.substr(start))) {
        h.version = start;
    }
    return h;
}

std::size_t split_header(std::string_view s, std::span<std::string_view> out,
                         std::string_view& rest) {
    std::size_t n = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size() && n < out.size(); ++i) {
        if (s[i] == '\\') {
            ++i;  // an escaped character, possibly a pipe
            continue;
        }
        if (s[i] == '|') {
            out[n++] = s.substr(start, i - start);
            start = i + 1;
        }
    }
    rest = s.substr(start);
    return n;
}

std::optional<Envelope> split_envelope(std::string_view line, std::string_view marker, int fields) {
    HeaderPos at = locate_header(line, marker);
    if (!at.found() || fields < 5 || fields > 7) {
        return std::nullopt;
    }
    // The version, then vendor … up to the extension.
    std::array<std::string_view, 7> part{};
    std::string_view rest;
    auto want = static_cast<std::size_t>(fields);
    if (split_header(line.substr(at.version), std::span(part).first(want), rest) < want) {
        return std::nullopt;
    }
    Envelope e;
    e.vendor = part[1];
    e.product = part[2];
    e.version = part[3];
    e.event_id = part[4];
    if (fields >= 7) {
        e.name = part[5];
        e.severity = part[6];
    }
    e.extension = rest;
    e.extension_offset = line.size() - rest.size();
    return e;
}

bool has_envelope_vendor(std::string_view line, std::string_view vendor) {
    std::string_view head = line.substr(0, 160);
    std::size_t p = head.find(vendor);
    return p != std::string_view::npos && p > 0 && head[p - 1] == '|' &&
           p + vendor.size() < head.size() && head[p + vendor.size()] == '|';
}

bool ExtReader::next(std::string_view& key, std::string_view& value) {
    while (pos_ < s_.size() && is_space(s_[pos_])) {
        ++pos_;
    }
    if (pos_ >= s_.size()) {
        return false;
    }
    std::size_t eq = key_end(s_, pos_);
    if (eq == std::string_view::npos) {
        // Not key=value here: skip to the next key, if any.
        std::size_t k = next_key(s_, pos_);
        if (k == std::string_view::npos) {
            pos_ = s_.size();
            return false;
        }
        pos_ = k;
        eq = key_end(s_, pos_);
    }
    key = s_.substr(pos_, eq - pos_);
    std::size_t k = next_key(s_, eq + 1);
    std::size_t end = k == std::string_view::npos ? s_.size() : k;
    value = trim(s_.substr(eq + 1, end - eq - 1));
    pos_ = end;
    return true;
}

std::optional<char> leef_delimiter(std::string_view f) {
    if (f.empty() || f == "\\t") {
        return '\t';
    }
    if (f.size() == 1) {
        return f[0];
    }
    std::string_view hex = f;
    if (hex.starts_with("0x") || hex.starts_with("0X")) {
        hex.remove_prefix(2);
    } else if (hex.starts_with("x") || hex.starts_with("X")) {
        hex.remove_prefix(1);
    }
    if (hex.empty() || hex.size() > 2) {
        return std::nullopt;
    }
    int v = 0;
    for (char c : hex) {
        int d = -1;
        if (is_digit(c)) {
            d = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        }
        if (d < 0) {
            return std::nullopt;
        }
        v = v * 16 + d;
    }
    return static_cast<char>(v);
}

namespace {

constexpr std::string_view kEscapedTab = "#011";

}  // namespace

LeefReader::LeefReader(std::string_view s, char delim)
    : s_(s),
      delim_(delim),
      delimited_(s.find(delim) != std::string_view::npos ||
                 (delim == '\t' && s.find(kEscapedTab) != std::string_view::npos)),
      ext_(s) {}

std::size_t LeefReader::item_end(std::size_t& delim_len) const {
    std::size_t end = s_.find(delim_, pos_);
    delim_len = 1;
    if (delim_ == '\t') {
        std::size_t esc = s_.find(kEscapedTab, pos_);
        if (esc < end) {
            end = esc;
            delim_len = kEscapedTab.size();
        }
    }
    return end == std::string_view::npos ? s_.size() : end;
}

bool LeefReader::next(std::string_view& key, std::string_view& value) {
    if (!delimited_) {
        return ext_.next(key, value);
    }
    while (pos_ < s_.size()) {
        std::size_t delim_len = 0;
        std::size_t end = item_end(delim_len);
        std::string_view item = s_.substr(pos_, end - pos_);
        pos_ = end + delim_len;
        std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        key = trim(item.substr(0, eq));
        if (key.empty()) {
            continue;
        }
        value = trim(item.substr(eq + 1));
        return true;
    }
    return false;
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
    } else if (auto t = core::transport_from_name(value); t != core::Transport::kUnknown) {
        out.set_transport(t);  // an unknown name must not undo a known protocol
    }
}

bool set_counter(std::string_view key, std::string_view value, core::Event& out) {
    // CEF "in"/"bytesIn": bytes from source to destination; "out": the reverse.
    bool src_bytes = key == "in" || key == "bytesIn" || key == "srcBytes";
    bool dst_bytes = key == "out" || key == "bytesOut" || key == "dstBytes";
    bool packets = key == "srcPackets" || key == "dstPackets" || key == "totalPackets";
    if (!src_bytes && !dst_bytes && !packets) {
        return false;
    }
    auto n = to_uint<std::uint64_t>(value);
    if (!n) {
        return true;
    }
    if (src_bytes) {
        out.set_src_bytes(*n);
    } else if (dst_bytes) {
        out.set_dst_bytes(*n);
    } else if (key == "srcPackets") {
        out.set_src_packets(*n);
    } else if (key == "dstPackets") {
        out.set_dst_packets(*n);
    } else {
        out.set_packets(*n);
    }
    return true;
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
    if (set_counter(key, value, out)) {
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

namespace {

// ".123" after the seconds: up to nine digits of fraction, as nanoseconds.
std::optional<std::int64_t> fraction_ns(std::string_view s) {
    std::int64_t frac = 0;
    int digits = 0;
    for (char c : s) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        if (digits < 9) {
            frac = frac * 10 + (c - '0');
            ++digits;
        }
    }
    if (digits == 0) {
        return std::nullopt;
    }
    for (; digits < 9; ++digits) {
        frac *= 10;
    }
    return frac;
}

// "Mar 31 2021 12:34:56[.123][ zone]" or "Mar 31 12:34:56[.123]".
std::optional<DeviceTime> parse_month_stamp(std::string_view s, std::int64_t reference_ns) {
    core::CivilTime t;
    Cursor c(s);
    t.month = core::month_from_abbrev(c.token(' '));
    c.skip_spaces();
    auto day = to_uint<unsigned>(c.token(' '));
    c.skip_spaces();
    std::string_view clock = c.token(' ');
    if (clock.find(':') == std::string_view::npos) {
        auto year = to_uint<unsigned>(clock);
        if (!year || *year > 9999) {
            return std::nullopt;
        }
        t.year = static_cast<int>(*year);
        c.skip_spaces();
        clock = c.token(' ');
    } else {
        t.year = core::infer_year(t.month, reference_ns);
    }
    std::string_view zone = trim(c.rest());
    Cursor tc(clock);
    auto h = to_uint<unsigned>(tc.token(':'));
    auto mi = to_uint<unsigned>(tc.token(':'));
    auto se = to_uint<unsigned>(tc.token('.'));
    auto frac = tc.done() ? std::optional<std::int64_t>(0) : fraction_ns(tc.rest());
    if (t.month == 0 || !day || !h || !mi || !se || !frac || *day > 31 || *h > 23 || *mi > 59 ||
        *se > 60) {
        return std::nullopt;
    }
    t.day = static_cast<int>(*day);
    t.hour = static_cast<int>(*h);
    t.minute = static_cast<int>(*mi);
    t.second = static_cast<int>(*se);
    t.nanos = *frac;
    auto ns = core::civil_to_ns(t);
    if (!ns) {
        return std::nullopt;
    }
    return DeviceTime{*ns, zone == "UTC" || zone == "GMT" || zone == "Z"};
}

}  // namespace

std::optional<DeviceTime> parse_time(std::string_view s, std::int64_t reference_ns) {
    s = trim(s);
    if (s.empty()) {
        return std::nullopt;
    }
    if (to_uint<std::uint64_t>(s)) {
        auto ns = epoch_to_ns(s);
        if (!ns) {
            return std::nullopt;
        }
        return DeviceTime{*ns, true};
    }
    if (is_digit(s.front())) {
        auto t = core::parse_iso8601(s);
        if (!t) {
            return std::nullopt;
        }
        return DeviceTime{t->ns, t->has_zone};
    }
    return parse_month_stamp(s, reference_ns);
}

std::optional<std::int64_t> parse_device_time(std::string_view s, const core::TimeZone& tz,
                                              std::int64_t reference_ns) {
    auto t = parse_time(s, reference_ns);
    if (!t) {
        return std::nullopt;
    }
    return t->utc ? t->ns : tz.local_to_utc(t->ns);
}

}  // namespace cyberalarm::parse::cef
