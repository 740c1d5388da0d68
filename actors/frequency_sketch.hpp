// How often keys were used lately, approximately: a count-min sketch of
// 4-bit counters (TinyLFU, Einziger et al.; the layout follows Caffeine's
// FrequencySketch). Each key has four counters, one per row, all in one
// 64-byte block so that counting a hit touches one cache line; its estimate
// is the smallest of the four, so collisions only ever overestimate. After 10
// increments per slot of capacity every counter is halved, so a key popular an
// hour ago does not outrank one popular now. No CAF here; not thread-safe (one
// per cache shard).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace numina::actors {

class frequency_sketch {
public:
  /// Room for about `expected_keys` distinct keys (rounded up to a power of
  /// two, at least 16); more keys only mean more collisions.
  explicit frequency_sketch(size_t expected_keys = 16);

  /// Counts one use of the key with this hash (saturates at 15).
  void increment(uint64_t hash) noexcept;

  /// Uses of the key since the last halvings, 0..15, never underestimated
  /// except by the halvings.
  unsigned estimate(uint64_t hash) const noexcept;

  /// Grows the table to about `expected_keys` when it is smaller; the
  /// counts start again from zero (rare: the size only doubles).
  void ensure_capacity(size_t expected_keys);

  /// Words of 16 counters (a power of two, at least 16).
  size_t capacity() const noexcept { return mask_ + 1; }
  /// Increments since the last halving (tests).
  uint64_t additions() const noexcept { return additions_; }
  /// Increments that trigger a halving: 10 per slot of capacity.
  uint64_t sample_size() const noexcept { return sample_size_; }

private:
  void age() noexcept;
  uint64_t* words() noexcept { return table_.data() + align_; }
  const uint64_t* words() const noexcept { return table_.data() + align_; }

  std::vector<uint64_t> table_; // 16 counters of 4 bits per word
  size_t align_ = 0;            // words() starts on a 64-byte boundary
  uint64_t mask_ = 0;           // capacity() - 1
  uint64_t additions_ = 0;
  uint64_t sample_size_ = 0;
};

/// The hash the cache feeds the sketch: std::hash of the key, remixed so
/// that its four counters land in independent words.
uint64_t sketch_hash(const void* data, size_t size) noexcept;

} // namespace numina::actors
