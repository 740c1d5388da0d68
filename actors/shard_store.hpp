// One cache shard's store behind a mutex, shared by the shard actor and the
// HTTP edge. The actor still does everything that changes what is cached
// (loads, single flight, puts, gzip variants, invalidation, eviction); the
// edge only reads fresh entries, on its own thread. So a hot read costs a
// map lookup under an uncontended lock instead of a hop to an actor thread
// and back, which on two cores is most of a cached read's cost
// (docs/benchmarks.md, "Hot read"). Every critical section is one store
// call: nobody holds the lock across a load. No CAF here.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "actors/cache_store.hpp"

namespace numina::actors {

class shard_store {
public:
  using time_point = cache_store::time_point;

  explicit shard_store(cache_store store) : store_(std::move(store)) {}

  /// A fresh entry that can be sent as it is, counted as a hit; null when
  /// the shard has to act: absent, expired, or a gzip variant to add.
  entry_ptr fresh(const std::string& key, bool want_gzip, time_point now);

  /// The store, locked while the returned handle lives: the shard actor's
  /// access, one call at a time (`shared.locked()->put(...)`).
  class handle {
  public:
    handle(std::mutex& m, cache_store& s) : guard_(m), store_(s) {}
    cache_store* operator->() const noexcept { return &store_; }

  private:
    std::lock_guard<std::mutex> guard_;
    cache_store& store_;
  };
  handle locked() { return handle{mutex_, store_}; }

  /// Hits answered by fresh() (the shard counts its own).
  uint64_t edge_hits();

private:
  std::mutex mutex_;
  cache_store store_;
  uint64_t edge_hits_ = 0; // guarded by mutex_
};

/// Whether an entry lacks the gzip variant a request wants (only the shard
/// adds it: compressing is too slow for the edge's thread).
bool needs_gzip(const cached_entry& e, bool want_gzip) noexcept;

} // namespace numina::actors
