#include "core/event_codec.h"

#include <array>
#include <cstring>

#include "core/time.h"

namespace cyberalarm::core {

namespace {

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

void put_ip(std::string& out, const IpAddress& ip) {
    if (!ip.is_set()) {
        out.push_back(0);
    } else if (ip.is_v4()) {
        out.push_back(4);
        out.append(reinterpret_cast<const char*>(ip.bytes().data()) + 12, 4);
    } else {
        out.push_back(6);
        out.append(reinterpret_cast<const char*>(ip.bytes().data()), 16);
    }
}

// The strings of an Event, in wire order.
template <typename E>
auto strings_of(E& e) {
    return std::array{&e.format,           &e.observer_name,   &e.observer_vendor,
                      &e.observer_product, &e.observer_serial, &e.ingress_interface,
                      &e.egress_interface, &e.event_code,      &e.rule_id,
                      &e.rule_name,        &e.rule_ruleset,    &e.app_protocol,
                      &e.user_hash};
}

class Reader {
public:
    explicit Reader(std::span<const std::byte> in) : in_(in) {}

    Result<std::uint64_t> varint(const char* what) {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= in_.size()) {
                return fail(truncated(what));
            }
            auto b = static_cast<std::uint8_t>(in_[pos_++]);
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        return fail(Error::corrupt(std::string("varint too long in ") + what).at_offset(pos_));
    }
    Result<std::uint8_t> byte(const char* what) {
        if (pos_ >= in_.size()) {
            return fail(truncated(what));
        }
        return static_cast<std::uint8_t>(in_[pos_++]);
    }
    Result<std::span<const std::byte>> bytes(std::size_t n, const char* what) {
        if (n > in_.size() - pos_) {
            return fail(truncated(what));
        }
        auto s = in_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    [[nodiscard]] std::size_t pos() const { return pos_; }

private:
    Error truncated(const char* what) const {
        return Error::corrupt(std::string("event record truncated in ") + what).at_offset(pos_);
    }
    std::span<const std::byte> in_;
    std::size_t pos_ = 0;
};

Result<IpAddress> get_ip(Reader& r, const char* what) {
    auto fam = r.byte(what);
    if (!fam) {
        return fail(fam.error());
    }
    if (*fam == 0) {
        return IpAddress();
    }
    if (*fam == 4) {
        auto b = r.bytes(4, what);
        if (!b) {
            return fail(b.error());
        }
        std::uint32_t v = 0;
        for (auto x : *b) {
            v = (v << 8) | static_cast<std::uint8_t>(x);
        }
        return IpAddress::v4(v);
    }
    if (*fam == 6) {
        auto b = r.bytes(16, what);
        if (!b) {
            return fail(b.error());
        }
        std::array<std::uint8_t, 16> a{};
        std::memcpy(a.data(), b->data(), 16);
        return IpAddress::v6(a);
    }
    return fail(Error::corrupt(std::string("bad address family in ") + what).at_offset(r.pos()));
}

template <typename Enum>
Result<Enum> get_enum(Reader& r, unsigned max, const char* what) {
    auto b = r.byte(what);
    if (!b) {
        return fail(b.error());
    }
    if (*b > max) {
        return fail(
            Error::corrupt(std::string("value out of range in ") + what).at_offset(r.pos()));
    }
    return static_cast<Enum>(*b);
}

constexpr unsigned kNumericFields = 12;

}  // namespace

void encode_event(const Event& e, std::string& out) {
    out.push_back(static_cast<char>(kEventCodecVersion));
    put_varint(out, e.present);
    auto strings = strings_of(e);
    std::uint32_t string_bits = 0;
    for (std::size_t i = 0; i < strings.size(); ++i) {
        if (!strings[i]->empty()) {
            string_bits |= 1u << i;
        }
    }
    put_varint(out, string_bits);
    put_varint(out, zigzag(e.time_ns));
    put_ip(out, e.src_ip);
    put_ip(out, e.dst_ip);
    for (auto v : {static_cast<std::uint8_t>(e.transport), static_cast<std::uint8_t>(e.direction),
                   static_cast<std::uint8_t>(e.action), static_cast<std::uint8_t>(e.category),
                   static_cast<std::uint8_t>(e.severity), static_cast<std::uint8_t>(e.outcome)}) {
        out.push_back(static_cast<char>(v));
    }
    const std::uint64_t numeric[kNumericFields] = {
        e.src_port,  e.dst_port,    e.icmp_type,   e.icmp_code,           e.src_bytes,
        e.dst_bytes, e.src_packets, e.dst_packets, zigzag(e.duration_ns), e.ip_protocol,
        e.bytes,     e.packets};
    for (unsigned i = 0; i < kNumericFields; ++i) {
        if (e.present & (1u << i)) {
            put_varint(out, numeric[i]);
        }
    }
    for (std::size_t i = 0; i < strings.size(); ++i) {
        if (string_bits & (1u << i)) {
            put_varint(out, strings[i]->size());
            out.append(*strings[i]);
        }
    }
}

Result<Event> decode_event(std::span<const std::byte> in, std::size_t* consumed) {
    Reader r(in);
    auto version = r.byte("version");
    if (!version) {
        return fail(version.error());
    }
    if (*version != kEventCodecVersion) {
        return fail(Error::corrupt("unknown event record version " + std::to_string(*version)));
    }
    Event e;
    auto present = r.varint("presence bits");
    auto string_bits = present ? r.varint("string bits") : present;
    if (!string_bits) {
        return fail(string_bits.error());
    }
    if (*present >> kNumericFields || *string_bits >> 13) {
        return fail(Error::corrupt("unknown fields in event record"));
    }
    e.present = static_cast<std::uint32_t>(*present);
    auto t = r.varint("time");
    if (!t) {
        return fail(t.error());
    }
    e.time_ns = unzigzag(*t);
    if (e.time_ns < 0 || e.time_ns >= kMaxTimeNs) {
        return fail(Error::corrupt("event time out of range (before 1970 or after 2199)"));
    }
    auto src = get_ip(r, "source address");
    if (!src) {
        return fail(src.error());
    }
    e.src_ip = *src;
    auto dst = get_ip(r, "destination address");
    if (!dst) {
        return fail(dst.error());
    }
    e.dst_ip = *dst;
    auto tr = get_enum<Transport>(r, static_cast<unsigned>(Transport::kOther), "transport");
    auto di = tr ? get_enum<Direction>(r, static_cast<unsigned>(Direction::kExternal), "direction")
                 : fail(tr.error());
    auto ac = di ? get_enum<Action>(r, static_cast<unsigned>(Action::kAlert), "action")
                 : fail(di.error());
    auto ca = ac ? get_enum<Category>(r, static_cast<unsigned>(Category::kFlow), "category")
                 : fail(ac.error());
    auto se = ca ? get_enum<Severity>(r, static_cast<unsigned>(Severity::kCritical), "severity")
                 : fail(ca.error());
    auto ou = se ? get_enum<Outcome>(r, static_cast<unsigned>(Outcome::kFailure), "outcome")
                 : fail(se.error());
    if (!ou) {
        return fail(ou.error());
    }
    e.transport = *tr;
    e.direction = *di;
    e.action = *ac;
    e.category = *ca;
    e.severity = *se;
    e.outcome = *ou;
    std::uint64_t numeric[kNumericFields] = {};
    for (unsigned i = 0; i < kNumericFields; ++i) {
        if (e.present & (1u << i)) {
            auto v = r.varint("numeric field");
            if (!v) {
                return fail(v.error());
            }
            numeric[i] = *v;
        }
    }
    auto narrow = [](std::uint64_t v, std::uint64_t max) { return v > max ? max : v; };
    e.src_port = static_cast<std::uint16_t>(narrow(numeric[0], 65535));
    e.dst_port = static_cast<std::uint16_t>(narrow(numeric[1], 65535));
    e.icmp_type = static_cast<std::uint8_t>(narrow(numeric[2], 255));
    e.icmp_code = static_cast<std::uint8_t>(narrow(numeric[3], 255));
    e.src_bytes = numeric[4];
    e.dst_bytes = numeric[5];
    e.src_packets = numeric[6];
    e.dst_packets = numeric[7];
    e.duration_ns = unzigzag(numeric[8]);
    e.ip_protocol = static_cast<std::uint8_t>(narrow(numeric[9], 255));
    e.bytes = numeric[10];
    e.packets = numeric[11];
    auto strings = strings_of(e);
    for (std::size_t i = 0; i < strings.size(); ++i) {
        if (*string_bits & (1u << i)) {
            auto len = r.varint("string length");
            if (!len) {
                return fail(len.error());
            }
            auto b = r.bytes(*len, "string");
            if (!b) {
                return fail(b.error());
            }
            strings[i]->assign(reinterpret_cast<const char*>(b->data()), b->size());
        }
    }
    if (consumed != nullptr) {
        *consumed = r.pos();
    }
    return e;
}

}  // namespace cyberalarm::core
