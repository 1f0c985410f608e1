#include "detect/internal/group_key.h"

namespace cyberalarm::detect::internal {

namespace {

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

}  // namespace

void append_field(GroupKey& key, const core::Event& e, Field field) {
    auto put = [&](const void* p, std::size_t n) {
        std::memcpy(key.bytes.data() + key.size, p, n);
        key.size = static_cast<std::uint8_t>(key.size + n);
    };
    std::uint8_t tag = static_cast<std::uint8_t>(field);
    put(&tag, 1);
    switch (field) {
        case Field::kSourceIp:
            put(e.src_ip.bytes().data(), 16);
            break;
        case Field::kDestinationIp:
            put(e.dst_ip.bytes().data(), 16);
            break;
        case Field::kSourcePort:
            put(&e.src_port, 2);
            break;
        case Field::kDestinationPort:
            put(&e.dst_port, 2);
            break;
        default: {
            std::uint64_t h = fnv1a(field_word(e, field));
            put(&h, 8);
        }
    }
}

std::uint64_t field_digest(const core::Event& e, Field field) {
    switch (field) {
        case Field::kSourceIp:
        case Field::kDestinationIp: {
            const auto& b = field == Field::kSourceIp ? e.src_ip.bytes() : e.dst_ip.bytes();
            return fnv1a(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
        }
        case Field::kSourcePort:
            return e.src_port;
        case Field::kDestinationPort:
            return e.dst_port;
        default:
            return fnv1a(field_word(e, field));
    }
}

std::string key_text(const core::Event& e, const std::vector<Field>& fields) {
    std::string out;
    for (Field f : fields) {
        if (!out.empty()) {
            out += '|';
        }
        switch (f) {
            case Field::kSourceIp:
                out += e.src_ip.to_string();
                break;
            case Field::kDestinationIp:
                out += e.dst_ip.to_string();
                break;
            case Field::kSourcePort:
                out += std::to_string(e.src_port);
                break;
            case Field::kDestinationPort:
                out += std::to_string(e.dst_port);
                break;
            default:
                out += field_word(e, f);
                break;
        }
    }
    return out;
}

}  // namespace cyberalarm::detect::internal
