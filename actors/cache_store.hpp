// The storage of one cache shard, without actors: entries by key with a
// fresh-until and a stale-until time, least-recently-used eviction under a
// byte bound, removal by key and by prefix. Times are passed in, so tests
// and the shard's (test) clock decide what "now" is.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>

#include "actors/cache_entry.hpp"

namespace numina::actors {

class cache_store {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit cache_store(size_t max_bytes) : max_bytes_(max_bytes) {}

  struct found {
    entry_ptr entry;
    bool fresh = false; // else stale: past its TTL, within its grace
  };

  /// The entry, fresh or stale; nothing when absent or past its grace
  /// (then it is dropped). A found entry becomes the most recently used.
  std::optional<found> find(const std::string& key, time_point now);

  /// Inserts or replaces; evicts least recently used entries beyond the
  /// byte bound.
  void put(const std::string& key, entry_ptr entry, time_point fresh_until,
           time_point stale_until);

  /// Replaces the entry but keeps its times (adding a gzip variant).
  void update(const std::string& key, entry_ptr entry);

  size_t erase(const std::string& key);
  size_t erase_prefix(const std::string& prefix);

  size_t entries() const noexcept { return index_.size(); }
  size_t bytes() const noexcept { return bytes_; }
  uint64_t evictions() const noexcept { return evictions_; }

private:
  struct node {
    entry_ptr entry;
    time_point fresh_until;
    time_point stale_until;
    size_t bytes = 0;
    std::list<std::string>::iterator lru; // position in lru_
  };

  using index_type = std::map<std::string, node>;

  void remove(index_type::iterator i);
  void evict();

  size_t max_bytes_;
  size_t bytes_ = 0;
  uint64_t evictions_ = 0;
  index_type index_;
  std::list<std::string> lru_; // front: most recently used
};

} // namespace numina::actors
