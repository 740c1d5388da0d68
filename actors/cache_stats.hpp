// What a cache shard counts (/admin/cache, /health, metrics). Plain data.
#pragma once

#include <cstdint>

namespace numina::actors {

struct cache_shard_stats {
  uint32_t shard = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t hits = 0;          // answered from a fresh entry
  uint64_t misses = 0;        // absent or expired
  uint64_t loads = 0;         // loads started (one per key however many wait)
  uint64_t evictions = 0;     // dropped for the memory bound
  uint64_t invalidations = 0; // entries removed by writes or operators
  uint64_t stale_serves = 0;  // answered past the TTL: the load failed
  uint64_t load_failures = 0;
};

} // namespace numina::actors
