#include "actors/cache_store.hpp"

namespace numina::actors {

namespace {

// The key is stored twice (index and LRU list); count both.
size_t cost_of(const std::string& key, const cached_entry& e) {
  return e.bytes() + 2 * key.size() + 64;
}

} // namespace

std::optional<cache_store::found> cache_store::find(const std::string& key,
                                                    time_point now) {
  auto i = index_.find(key);
  if (i == index_.end())
    return std::nullopt;
  auto& n = i->second;
  if (now >= n.stale_until) {
    remove(i);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, n.lru);
  return found{n.entry, now < n.fresh_until};
}

void cache_store::put(const std::string& key, entry_ptr entry,
                      time_point fresh_until, time_point stale_until) {
  if (auto i = index_.find(key); i != index_.end())
    remove(i);
  lru_.push_front(key);
  node n{entry, fresh_until, stale_until, cost_of(key, *entry), lru_.begin()};
  bytes_ += n.bytes;
  index_.emplace(key, std::move(n));
  evict();
}

void cache_store::update(const std::string& key, entry_ptr entry) {
  auto i = index_.find(key);
  if (i == index_.end())
    return;
  auto& n = i->second;
  bytes_ -= n.bytes;
  n.entry = std::move(entry);
  n.bytes = cost_of(key, *n.entry);
  bytes_ += n.bytes;
  evict();
}

size_t cache_store::erase(const std::string& key) {
  auto i = index_.find(key);
  if (i == index_.end())
    return 0;
  remove(i);
  return 1;
}

size_t cache_store::erase_prefix(const std::string& prefix) {
  size_t n = 0;
  auto i = index_.lower_bound(prefix);
  while (i != index_.end() && i->first.compare(0, prefix.size(), prefix) == 0) {
    auto next = std::next(i);
    remove(i);
    i = next;
    ++n;
  }
  return n;
}

void cache_store::remove(index_type::iterator i) {
  bytes_ -= i->second.bytes;
  lru_.erase(i->second.lru);
  index_.erase(i);
}

void cache_store::evict() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    remove(index_.find(lru_.back()));
    ++evictions_;
  }
}

} // namespace numina::actors
