// The storage of one cache shard, without actors: entries by key with a
// fresh-until and a stale-until time, eviction under a byte bound, removal
// by key and by prefix. Times are passed in, so tests and the shard's
// (test) clock decide what "now" is.
//
// Two eviction policies (`cache.eviction`):
// - lru: one recency list; the least recently used entry goes first.
// - tinylfu: W-TinyLFU (Einziger, Friedman, Manes 2017; as in Caffeine). A
//   new entry lands in a window LRU of 1% of the bytes; leaving the window,
//   it enters the main part (a segmented LRU: probation, and protected for
//   entries hit again there, up to 80% of main) only if a frequency sketch
//   says it is used more often than the entry it would push out. A one-off
//   scan so passes through the window without flushing the hot set.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>

#include "actors/cache_entry.hpp"
#include "actors/frequency_sketch.hpp"
#include "config/settings.hpp"

namespace numina::actors {

using config::cache_eviction;

class cache_store {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// `policy`: the server passes `cache.eviction`; a store built without
  /// one (tests, tools) is a plain LRU.
  explicit cache_store(size_t max_bytes,
                       cache_eviction policy = cache_eviction::lru);

  struct found {
    entry_ptr entry;
    bool fresh = false; // else stale: past its TTL, within its grace
  };

  /// The entry, fresh or stale; nothing when absent or past its grace
  /// (then it is dropped). Counts a use of the key (tinylfu); a found
  /// entry becomes the most recently used of its segment.
  std::optional<found> find(const std::string& key, time_point now);

  /// find() for a second look at a key whose use was already counted (the
  /// shard actor after the edge's lookup missed): counting it twice would
  /// make every miss look like two uses and let a scan into the main part.
  std::optional<found> find_again(const std::string& key, time_point now);

  /// Inserts or replaces (a replaced entry keeps its place); evicts beyond
  /// the byte bound, by the policy. An entry larger than the whole bound
  /// is not kept.
  void put(const std::string& key, entry_ptr entry, time_point fresh_until,
           time_point stale_until);

  /// Replaces the entry but keeps its times (adding a gzip variant).
  void update(const std::string& key, entry_ptr entry);

  size_t erase(const std::string& key);
  size_t erase_prefix(const std::string& prefix);

  size_t entries() const noexcept { return index_.size(); }
  size_t bytes() const noexcept { return bytes_; }
  uint64_t evictions() const noexcept { return evictions_; }
  cache_eviction policy() const noexcept { return policy_; }

private:
  // Where an entry is. Under lru every entry is in `window`.
  enum segment : uint8_t { window, probation, protected_, segment_count };

  struct node;
  using index_type = std::map<std::string, node>;
  using order = std::list<index_type::iterator>; // front: most recent

  struct node {
    entry_ptr entry;
    time_point fresh_until;
    time_point stale_until;
    size_t bytes = 0;
    uint64_t hash = 0; // the key's sketch hash (tinylfu), kept for hits
    segment seg = window;
    order::iterator pos; // position in lists_[seg]
  };

  std::optional<found> look(index_type::iterator i, time_point now);
  void remove(index_type::iterator i);
  void move_to(index_type::iterator i, segment to);
  void touch(node& n);
  void evict();
  void admit(index_type::iterator candidate);
  void evict_one();

  cache_eviction policy_;
  size_t max_bytes_;
  size_t window_max_;
  size_t protected_max_;
  size_t bytes_ = 0;
  size_t seg_bytes_[segment_count] = {};
  uint64_t evictions_ = 0;
  index_type index_;
  order lists_[segment_count];
  frequency_sketch sketch_;
};

} // namespace numina::actors
