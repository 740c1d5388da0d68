#include "actors/frequency_sketch.hpp"

#include <algorithm>
#include <functional>
#include <string_view>

namespace numina::actors {

namespace {

uint64_t next_pow2(size_t n) {
  uint64_t p = 16;
  while (p < n)
    p <<= 1;
  return p;
}

// A second, independent hash from the first (Caffeine's rehash): picks the
// words and counters within the block the first one chose.
uint64_t rehash(uint64_t x) noexcept {
  x *= 0x31848bab;
  return x ^ (x >> 14);
}

// Row i of a key: word `block + 2i + (h & 1)` of its 8-word block, nibble
// `(h >> 1) & 15`, with h the i-th byte of the counter hash.
struct slot {
  size_t word;
  unsigned shift;
};

slot slot_of(uint64_t block, uint64_t counter_hash, unsigned row) noexcept {
  const uint64_t h = counter_hash >> (row * 8);
  return {static_cast<size_t>(block + row * 2 + (h & 1)),
          static_cast<unsigned>((h >> 1) & 15) * 4};
}

} // namespace

frequency_sketch::frequency_sketch(size_t expected_keys) {
  ensure_capacity(expected_keys);
}

void frequency_sketch::ensure_capacity(size_t expected_keys) {
  const uint64_t want = next_pow2(expected_keys);
  if (want <= capacity() && !table_.empty())
    return;
  // 8 spare words, so that the table can start on a cache line.
  table_.assign(want + 8, 0);
  const auto address = reinterpret_cast<uintptr_t>(table_.data());
  align_ = ((64 - address % 64) % 64) / sizeof(uint64_t);
  mask_ = want - 1;
  additions_ = 0;
  sample_size_ = 10 * want;
}

void frequency_sketch::increment(uint64_t hash) noexcept {
  uint64_t* table = words();
  const uint64_t block = (hash & (mask_ >> 3)) << 3;
  const uint64_t counter_hash = rehash(hash);
  bool added = false;
  for (unsigned row = 0; row < 4; ++row) {
    const auto s = slot_of(block, counter_hash, row);
    if (((table[s.word] >> s.shift) & 0xf) != 0xf) {
      table[s.word] += uint64_t{1} << s.shift;
      added = true;
    }
  }
  // Saturated keys do not count towards the sample: a single very hot key
  // must not make everyone else's counts age faster.
  if (added && ++additions_ >= sample_size_)
    age();
}

unsigned frequency_sketch::estimate(uint64_t hash) const noexcept {
  const uint64_t* table = words();
  const uint64_t block = (hash & (mask_ >> 3)) << 3;
  const uint64_t counter_hash = rehash(hash);
  unsigned least = 15;
  for (unsigned row = 0; row < 4; ++row) {
    const auto s = slot_of(block, counter_hash, row);
    least = std::min(least,
                     static_cast<unsigned>((table[s.word] >> s.shift) & 0xf));
  }
  return least;
}

void frequency_sketch::age() noexcept {
  uint64_t* table = words();
  for (size_t i = 0; i <= mask_; ++i)
    table[i] = (table[i] >> 1) & 0x7777777777777777ull;
  additions_ /= 2;
}

uint64_t sketch_hash(const void* data, size_t size) noexcept {
  const uint64_t h = std::hash<std::string_view>{}(
      std::string_view{static_cast<const char*>(data), size});
  // std::hash of a string is already well mixed (murmur in libstdc++); the
  // final avalanche guards against a weaker one elsewhere.
  uint64_t x = h ^ (h >> 33);
  x *= 0xff51afd7ed558ccdull;
  return x ^ (x >> 33);
}

} // namespace numina::actors
