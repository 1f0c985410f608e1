// GroupKey: the values of a rule's group_by fields for one event, packed into a fixed-size
// byte array (addresses as 16 bytes, ports as 2, words as a 64-bit hash) so that keeping and
// hashing it never allocates. The bytes past `size` stay zero, so the key hashes as whole
// 64-bit words. Internal to the detect library.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "core/event.h"
#include "detect/rule.h"

namespace cyberalarm::detect::internal {

struct GroupKey {
    std::array<std::uint8_t, 56> bytes{};  // 3 fields of at most 1 + 16 bytes, padded to 8
    std::uint8_t size = 0;

    friend bool operator==(const GroupKey& a, const GroupKey& b) {
        return a.size == b.size && std::memcmp(a.bytes.data(), b.bytes.data(), a.size) == 0;
    }
};

// A 64-bit hash of the key's bytes, 8 at a time (multiply-xorshift mixing).
inline std::uint64_t hash_key(const GroupKey& k) noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ k.size;
    for (std::size_t i = 0; i < k.size; i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, k.bytes.data() + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 29);
}

// Packs the value of `field` of `e`; REQUIRES: at most 3 fields per key.
void append_field(GroupKey& key, const core::Event& e, Field field);
// A 64-bit digest of one field's value (for distinct counting).
std::uint64_t field_digest(const core::Event& e, Field field);
// Printable form of a key, for finding ids: "198.51.100.7|22".
std::string key_text(const core::Event& e, const std::vector<Field>& fields);

}  // namespace cyberalarm::detect::internal
