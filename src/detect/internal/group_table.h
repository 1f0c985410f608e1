// GroupTable<V>: a bounded map from GroupKey to V, ordered by last update, that does not
// allocate per event once warm. Values live in a pool of slots; a slot freed by eviction or
// expiry is reused as it is, so the buffers inside V keep their capacity (V::reset() clears
// them). Slots are found through an open-addressing index (linear probing, load at most 1/2,
// backward-shift deletion: no tombstones) whose entries hold the pool position and 32 bits
// of the key's hash, so probing and deleting read only the index, and a slot is read only
// for a likely match. Slots are kept in update order by an intrusive doubly-linked list of
// pool positions. Every operation is O(1) amortised.
// Internal to the detect library.
#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "detect/internal/group_key.h"

namespace cyberalarm::detect::internal {

template <typename V>
class GroupTable {
public:
    // The value for `key`, inserted (reset) if absent, now the most recently updated.
    // `inserted` says whether it was absent. The reference is valid until the next call
    // that inserts or removes.
    V& touch(const GroupKey& key, bool& inserted) {
        const auto tag = static_cast<std::uint32_t>(hash_key(key));
        if (index_.empty()) {
            rehash(16);
        }
        std::size_t pos = find(key, tag);
        if (index_[pos] != kEmpty) {
            const auto s = slot_of(index_[pos]);
            if (s != tail_) {
                unlink(s);
                link_back(s);
            }
            inserted = false;
            return slots_[s].value;
        }
        inserted = true;
        if ((size_ + 1) * 2 > index_.size()) {
            rehash(index_.size() * 2);
            pos = find(key, tag);
        }
        std::uint32_t s;
        if (!free_.empty()) {
            s = free_.back();
            free_.pop_back();
            slots_[s].value.reset();
        } else {
            s = static_cast<std::uint32_t>(slots_.size());
            slots_.emplace_back();
        }
        Slot& slot = slots_[s];
        slot.key = key;
        slot.tag = tag;
        index_[pos] = entry(s, tag);
        link_back(s);
        ++size_;
        return slot.value;
    }

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    // The least recently updated value; REQUIRES: !empty().
    V& oldest() { return slots_[head_].value; }
    // Removes the least recently updated value; REQUIRES: !empty().
    void pop_oldest() {
        const std::uint32_t s = head_;
        erase_index(s);
        unlink(s);
        free_.push_back(s);
        --size_;
    }

private:
    static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();
    struct Slot {
        GroupKey key;
        std::uint32_t tag = 0;  // low 32 bits of the key's hash
        std::uint32_t prev = kNone;
        std::uint32_t next = kNone;
        V value;
    };

    // An index entry: the hash tag in the high half, the pool position in the low half.
    static std::uint64_t entry(std::uint32_t slot, std::uint32_t tag) {
        return (std::uint64_t{tag} << 32) | slot;
    }
    static std::uint32_t slot_of(std::uint64_t e) { return static_cast<std::uint32_t>(e); }
    static std::uint32_t tag_of(std::uint64_t e) { return static_cast<std::uint32_t>(e >> 32); }

    // The position holding `key`, or the empty position where it would go.
    [[nodiscard]] std::size_t find(const GroupKey& key, std::uint32_t tag) const {
        const std::size_t mask = index_.size() - 1;
        std::size_t pos = tag & mask;
        while (index_[pos] != kEmpty) {
            if (tag_of(index_[pos]) == tag && slots_[slot_of(index_[pos])].key == key) {
                return pos;
            }
            pos = (pos + 1) & mask;
        }
        return pos;
    }

    void rehash(std::size_t capacity) {
        std::vector<std::uint64_t> old = std::move(index_);
        index_.assign(capacity, kEmpty);
        const std::size_t mask = capacity - 1;
        for (std::uint64_t e : old) {
            if (e != kEmpty) {
                std::size_t pos = tag_of(e) & mask;
                while (index_[pos] != kEmpty) {
                    pos = (pos + 1) & mask;
                }
                index_[pos] = e;
            }
        }
    }

    // Removes slot `s` from the index, shifting later members of its probe run back.
    void erase_index(std::uint32_t s) {
        const std::size_t mask = index_.size() - 1;
        const std::uint64_t e = entry(s, slots_[s].tag);
        std::size_t hole = slots_[s].tag & mask;
        while (index_[hole] != e) {
            hole = (hole + 1) & mask;
        }
        for (std::size_t j = (hole + 1) & mask; index_[j] != kEmpty; j = (j + 1) & mask) {
            const std::size_t home = tag_of(index_[j]) & mask;
            // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
            const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                index_[hole] = index_[j];
                hole = j;
            }
        }
        index_[hole] = kEmpty;
    }

    void unlink(std::uint32_t s) {
        Slot& slot = slots_[s];
        (slot.prev == kNone ? head_ : slots_[slot.prev].next) = slot.next;
        (slot.next == kNone ? tail_ : slots_[slot.next].prev) = slot.prev;
        slot.prev = slot.next = kNone;
    }

    void link_back(std::uint32_t s) {
        Slot& slot = slots_[s];
        slot.prev = tail_;
        slot.next = kNone;
        (tail_ == kNone ? head_ : slots_[tail_].next) = s;
        tail_ = s;
    }

    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_;
    std::vector<std::uint64_t> index_;  // entry(); kEmpty; size a power of two
    std::uint32_t head_ = kNone;        // least recently updated
    std::uint32_t tail_ = kNone;
    std::size_t size_ = 0;
};

}  // namespace cyberalarm::detect::internal
