// GroupKey: the values of a rule's group_by fields for one event, packed into a fixed-size
// byte array (addresses as 16 bytes, ports as 2, words as a 64-bit hash) so that keeping and
// hashing it never allocates. Internal to the detect library.
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
    std::array<std::uint8_t, 54> bytes{};
    std::uint8_t size = 0;

    friend bool operator==(const GroupKey& a, const GroupKey& b) {
        return a.size == b.size && std::memcmp(a.bytes.data(), b.bytes.data(), a.size) == 0;
    }
};

struct GroupKeyHash {
    std::size_t operator()(const GroupKey& k) const noexcept {
        return std::hash<std::string_view>{}(
            std::string_view(reinterpret_cast<const char*>(k.bytes.data()), k.size));
    }
};

// Packs the value of `field` of `e`; REQUIRES: at most 3 fields per key.
void append_field(GroupKey& key, const core::Event& e, Field field);
// A 64-bit digest of one field's value (for distinct counting).
std::uint64_t field_digest(const core::Event& e, Field field);
// Printable form of a key, for finding ids: "198.51.100.7|22".
std::string key_text(const core::Event& e, const std::vector<Field>& fields);

}  // namespace cyberalarm::detect::internal
