#include "core/ecs_json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/time.h"

namespace cyberalarm::core {

namespace {

// RapidJSON's writer, with access to the buffer it writes to (see raw_quoted).
class Writer : public rapidjson::Writer<rapidjson::StringBuffer> {
public:
    using rapidjson::Writer<rapidjson::StringBuffer>::Writer;
    rapidjson::StringBuffer& buffer() { return *os_; }
};

}  // namespace

struct EcsWriter::Impl {
    rapidjson::StringBuffer buffer;
    Writer writer{buffer};
};

EcsWriter::EcsWriter() : impl_(std::make_unique<Impl>().release()) {}
EcsWriter::~EcsWriter() {
    std::unique_ptr<Impl> owned(impl_);
}

namespace {


// RapidJSON escapes byte by byte and reserves room for the worst case on every string, which
// dominated the cost of an event. Strings that need no escaping (no quote, backslash or
// control byte, valid UTF-8) — nearly all of them — go through RawValue already quoted;
// RapidJSON still places the separators and tracks nesting.
bool needs_escape(std::string_view s) {
    // Eight bytes at a time: a byte that is '"', '\\', below 0x20 or at/above 0x80 (non-ASCII
    // goes the long way, through UTF-8 validation).
    constexpr std::uint64_t kOnes = 0x0101010101010101ull;
    constexpr std::uint64_t kHigh = 0x8080808080808080ull;
    auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t x;
        std::memcpy(&x, s.data() + i, 8);
        if ((x & kHigh) || ((x - kOnes * 0x20) & ~x & kHigh) || has_zero(x ^ (kOnes * '"')) ||
            has_zero(x ^ (kOnes * '\\'))) {
            return true;
        }
    }
    for (; i < s.size(); ++i) {
        auto u = static_cast<unsigned char>(s[i]);
        if (s[i] == '"' || s[i] == '\\' || u < 0x20 || u >= 0x80) {
            return true;
        }
    }
    return false;
}

// For plain strings: RawValue with an empty text makes RapidJSON write the separator (',' or
// ':') and update its nesting state; the quoted bytes then go into the same buffer in one
// copy instead of RapidJSON's byte-by-byte loop.
bool raw_quoted(Writer& w, std::string_view s) {
    if (needs_escape(s)) {
        return false;
    }
    w.RawValue("", 0, rapidjson::kStringType);
    char* p = w.buffer().Push(s.size() + 2);
    p[0] = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return true;
}

void key(Writer& w, std::string_view k) {
    if (!raw_quoted(w, k)) {
        w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    }
}
// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) {
            return 0;
        }
    }
    if (n == 2 && c < 0xC2)
        return 0;
    if (n == 3) {
        unsigned cp = ((c & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
    }
    if (n == 4) {
        unsigned cp = ((c & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) | ((b(i + 2) & 0x3Fu) << 6) |
                      (b(i + 3) & 0x3Fu);
        if (cp < 0x10000 || cp > 0x10FFFF)
            return 0;
    }
    return n;
}

// Writes a string value; bytes that are not valid UTF-8 become U+FFFD so the output is
// always valid JSON, whatever a log line carried.
void str(Writer& w, std::string_view v) {
    if (raw_quoted(w, v)) {
        return;
    }
    std::size_t i = 0;
    // ASCII fast path, eight bytes at a time: almost every value is plain ASCII.
    while (i + 8 <= v.size()) {
        std::uint64_t word;
        std::memcpy(&word, v.data() + i, 8);
        if (word & 0x8080808080808080ull) {
            break;
        }
        i += 8;
    }
    while (i < v.size()) {
        std::size_t n = utf8_sequence(v, i);
        if (n == 0) {
            break;
        }
        i += n;
    }
    if (i == v.size()) {
        w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
        return;
    }
    std::string clean(v.substr(0, i));
    while (i < v.size()) {
        std::size_t n = utf8_sequence(v, i);
        if (n == 0) {
            clean += "\xEF\xBF\xBD";
            ++i;
        } else {
            clean.append(v.substr(i, n));
            i += n;
        }
    }
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}
void kv(Writer& w, std::string_view k, std::string_view v) {
    if (!v.empty()) {
        key(w, k);
        str(w, v);
    }
}

void endpoint(Writer& w, std::string_view name, const IpAddress& ip, bool has_port,
              std::uint16_t port, bool has_bytes, std::uint64_t bytes, bool has_packets,
              std::uint64_t packets) {
    if (!ip.is_set() && !has_port && !has_bytes && !has_packets) {
        return;
    }
    key(w, name);
    w.StartObject();
    if (ip.is_set()) {
        char buf[46];
        std::size_t n = ip.format(buf);
        key(w, "ip");
        str(w, std::string_view(buf, n));
    }
    if (has_port) {
        key(w, "port");
        w.Uint(port);
    }
    if (has_bytes) {
        key(w, "bytes");
        w.Uint64(bytes);
    }
    if (has_packets) {
        key(w, "packets");
        w.Uint64(packets);
    }
    w.EndObject();
}

}  // namespace

void EcsWriter::append(const Event& e, std::string& out) {
    impl_->buffer.Clear();
    Writer& w = impl_->writer;
    w.Reset(impl_->buffer);
    w.StartObject();
    if (e.time_ns != 0) {
        char buf[40];
        std::size_t n = format_iso8601(e.time_ns, buf);
        key(w, "@timestamp");
        str(w, std::string_view(buf, n));
    }
    endpoint(w, "source", e.src_ip, e.has(Event::kSrcPort), e.src_port, e.has(Event::kSrcBytes),
             e.src_bytes, e.has(Event::kSrcPackets), e.src_packets);
    endpoint(w, "destination", e.dst_ip, e.has(Event::kDstPort), e.dst_port,
             e.has(Event::kDstBytes), e.dst_bytes, e.has(Event::kDstPackets), e.dst_packets);

    bool has_network = e.transport != Transport::kUnknown || e.has(Event::kIpProtocol) ||
                       e.direction != Direction::kUnknown || e.has(Event::kBytes) ||
                       e.has(Event::kPackets) || !e.app_protocol.empty();
    if (has_network) {
        key(w, "network");
        w.StartObject();
        if (e.transport != Transport::kUnknown) {
            kv(w, "transport", to_string(e.transport));
        }
        if (e.has(Event::kIpProtocol)) {
            key(w, "iana_number");
            char num[4];
            auto [end, ec] = std::to_chars(num, num + 4, e.ip_protocol);
            (void)ec;
            str(w, std::string_view(num, static_cast<std::size_t>(end - num)));
        }
        kv(w, "protocol", e.app_protocol);
        if (e.direction != Direction::kUnknown) {
            kv(w, "direction", to_string(e.direction));
        }
        if (e.has(Event::kBytes)) {
            key(w, "bytes");
            w.Uint64(e.bytes);
        }
        if (e.has(Event::kPackets)) {
            key(w, "packets");
            w.Uint64(e.packets);
        }
        w.EndObject();
    }

    key(w, "event");
    w.StartObject();
    if (e.action != Action::kUnknown) {
        kv(w, "action", to_string(e.action));
    }
    kv(w, "category", to_string(e.category));
    if (e.outcome != Outcome::kUnknown) {
        kv(w, "outcome", to_string(e.outcome));
    }
    if (e.severity != Severity::kUnknown) {
        key(w, "severity");
        w.Uint(static_cast<unsigned>(e.severity));
    }
    kv(w, "code", e.event_code);
    if (e.has(Event::kDuration)) {
        key(w, "duration");
        w.Int64(e.duration_ns);
    }
    kv(w, "module", e.format);
    w.EndObject();

    if (e.has(Event::kIcmpType) || e.has(Event::kIcmpCode)) {
        key(w, "icmp");
        w.StartObject();
        if (e.has(Event::kIcmpType)) {
            key(w, "type");
            w.Uint(e.icmp_type);
        }
        if (e.has(Event::kIcmpCode)) {
            key(w, "code");
            w.Uint(e.icmp_code);
        }
        w.EndObject();
    }

    if (!e.rule_id.empty() || !e.rule_name.empty() || !e.rule_ruleset.empty()) {
        key(w, "rule");
        w.StartObject();
        kv(w, "id", e.rule_id);
        kv(w, "name", e.rule_name);
        kv(w, "ruleset", e.rule_ruleset);
        w.EndObject();
    }

    if (!e.user_hash.empty()) {
        key(w, "user");
        w.StartObject();
        kv(w, "hash", e.user_hash);
        w.EndObject();
    }

    bool has_observer = !e.observer_name.empty() || !e.observer_vendor.empty() ||
                        !e.observer_product.empty() || !e.observer_serial.empty() ||
                        !e.ingress_interface.empty() || !e.egress_interface.empty();
    if (has_observer) {
        key(w, "observer");
        w.StartObject();
        kv(w, "name", e.observer_name);
        kv(w, "vendor", e.observer_vendor);
        kv(w, "product", e.observer_product);
        kv(w, "serial_number", e.observer_serial);
        if (!e.ingress_interface.empty()) {
            key(w, "ingress");
            w.StartObject();
            key(w, "interface");
            w.StartObject();
            kv(w, "name", e.ingress_interface);
            w.EndObject();
            w.EndObject();
        }
        if (!e.egress_interface.empty()) {
            key(w, "egress");
            w.StartObject();
            key(w, "interface");
            w.StartObject();
            kv(w, "name", e.egress_interface);
            w.EndObject();
            w.EndObject();
        }
        w.EndObject();
    }
    w.EndObject();
    out.append(impl_->buffer.GetString(), impl_->buffer.GetSize());
}

std::string to_ecs_json(const Event& event) {
    EcsWriter writer;
    std::string out;
    writer.append(event, out);
    return out;
}

namespace {

template <typename Enum, std::size_t N>
Enum enum_from(std::string_view s, const Enum (&values)[N]) {
    for (Enum v : values) {
        if (to_string(v) == s) {
            return v;
        }
    }
    return values[0];
}

}  // namespace

Result<Event> from_ecs_json(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return fail(Error::parse("not a JSON object"));
    }
    Event e;
    auto get_str = [&](const nlohmann::json& obj, const char* k) -> std::string {
        auto it = obj.find(k);
        return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto get_obj = [&](const nlohmann::json& obj, const char* k) -> const nlohmann::json* {
        auto it = obj.find(k);
        return it != obj.end() && it->is_object() ? &*it : nullptr;
    };
    auto get_u64 = [&](const nlohmann::json& obj, const char* k) -> std::optional<std::uint64_t> {
        auto it = obj.find(k);
        if (it != obj.end() && it->is_number_unsigned()) {
            return it->get<std::uint64_t>();
        }
        return std::nullopt;
    };
    if (auto ts = get_str(j, "@timestamp"); !ts.empty()) {
        auto t = parse_iso8601(ts);
        if (!t) {
            return fail(Error::parse("bad @timestamp '" + ts + "'", "@timestamp"));
        }
        e.time_ns = t->ns;
    }
    auto read_endpoint = [&](const char* name, IpAddress& ip, Event::Field port_f,
                             std::uint16_t& port, Event::Field bytes_f, std::uint64_t& bytes,
                             Event::Field packets_f, std::uint64_t& packets) -> Status {
        const auto* o = get_obj(j, name);
        if (o == nullptr) {
            return {};
        }
        if (auto s = get_str(*o, "ip"); !s.empty()) {
            auto parsed = IpAddress::parse(s);
            if (!parsed) {
                return fail(Error::parse("bad address '" + s + "'", std::string(name) + ".ip"));
            }
            ip = *parsed;
        }
        if (auto p = get_u64(*o, "port"); p && *p <= 65535) {
            port = static_cast<std::uint16_t>(*p);
            e.present |= port_f;
        }
        if (auto b = get_u64(*o, "bytes")) {
            bytes = *b;
            e.present |= bytes_f;
        }
        if (auto p = get_u64(*o, "packets")) {
            packets = *p;
            e.present |= packets_f;
        }
        return {};
    };
    if (auto s = read_endpoint("source", e.src_ip, Event::kSrcPort, e.src_port, Event::kSrcBytes,
                               e.src_bytes, Event::kSrcPackets, e.src_packets);
        !s) {
        return fail(s.error());
    }
    if (auto s = read_endpoint("destination", e.dst_ip, Event::kDstPort, e.dst_port,
                               Event::kDstBytes, e.dst_bytes, Event::kDstPackets, e.dst_packets);
        !s) {
        return fail(s.error());
    }
    if (const auto* n = get_obj(j, "network")) {
        static constexpr Transport kTransports[] = {
            Transport::kUnknown, Transport::kTcp,  Transport::kUdp, Transport::kIcmp,
            Transport::kIcmpv6,  Transport::kGre,  Transport::kEsp, Transport::kAh,
            Transport::kSctp,    Transport::kOther};
        static constexpr Direction kDirections[] = {Direction::kUnknown, Direction::kInbound,
                                                    Direction::kOutbound, Direction::kInternal,
                                                    Direction::kExternal};
        e.transport = enum_from(get_str(*n, "transport"), kTransports);
        if (auto num = get_str(*n, "iana_number"); !num.empty()) {
            unsigned v = 0;
            auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
            if (ec == std::errc() && v <= 255) {
                e.ip_protocol = static_cast<std::uint8_t>(v);
                e.present |= Event::kIpProtocol;
            }
        }
        e.app_protocol = get_str(*n, "protocol");
        e.direction = enum_from(get_str(*n, "direction"), kDirections);
        if (auto b = get_u64(*n, "bytes")) {
            e.set_bytes(*b);
        }
        if (auto p = get_u64(*n, "packets")) {
            e.set_packets(*p);
        }
    }
    if (const auto* ev = get_obj(j, "event")) {
        static constexpr Action kActions[] = {Action::kUnknown, Action::kAllow,  Action::kDeny,
                                              Action::kDrop,    Action::kReject, Action::kAlert};
        static constexpr Category kCategories[] = {Category::kFirewall, Category::kIds,
                                                   Category::kAv,       Category::kSpam,
                                                   Category::kAuth,     Category::kFlow};
        static constexpr Outcome kOutcomes[] = {Outcome::kUnknown, Outcome::kSuccess,
                                                Outcome::kFailure};
        e.action = enum_from(get_str(*ev, "action"), kActions);
        e.category = enum_from(get_str(*ev, "category"), kCategories);
        e.outcome = enum_from(get_str(*ev, "outcome"), kOutcomes);
        if (auto s = get_u64(*ev, "severity"); s && *s <= 5) {
            e.severity = static_cast<Severity>(*s);
        }
        e.event_code = get_str(*ev, "code");
        e.format = get_str(*ev, "module");
        if (auto it = ev->find("duration"); it != ev->end() && it->is_number_integer()) {
            e.set_duration_ns(it->get<std::int64_t>());
        }
    }
    if (const auto* ic = get_obj(j, "icmp")) {
        if (auto t = get_u64(*ic, "type"); t && *t <= 255) {
            e.set_icmp_type(static_cast<std::uint8_t>(*t));
        }
        if (auto c = get_u64(*ic, "code"); c && *c <= 255) {
            e.set_icmp_code(static_cast<std::uint8_t>(*c));
        }
    }
    if (const auto* r = get_obj(j, "rule")) {
        e.rule_id = get_str(*r, "id");
        e.rule_name = get_str(*r, "name");
        e.rule_ruleset = get_str(*r, "ruleset");
    }
    if (const auto* u = get_obj(j, "user")) {
        e.user_hash = get_str(*u, "hash");
    }
    if (const auto* o = get_obj(j, "observer")) {
        e.observer_name = get_str(*o, "name");
        e.observer_vendor = get_str(*o, "vendor");
        e.observer_product = get_str(*o, "product");
        e.observer_serial = get_str(*o, "serial_number");
        if (const auto* in = get_obj(*o, "ingress")) {
            if (const auto* i = get_obj(*in, "interface")) {
                e.ingress_interface = get_str(*i, "name");
            }
        }
        if (const auto* eg = get_obj(*o, "egress")) {
            if (const auto* i = get_obj(*eg, "interface")) {
                e.egress_interface = get_str(*i, "name");
            }
        }
    }
    return e;
}

}  // namespace cyberalarm::core
