#include "actors/cache_store.hpp"

#include <algorithm>

namespace numina::actors {

namespace {

// What an entry costs beyond its bytes: the index node with the key, and
// its place in a recency list (three pointers with the allocator's header).
constexpr size_t bookkeeping = 32 + 24;

} // namespace

cache_store::cache_store(size_t max_bytes, cache_eviction policy)
  : policy_(policy), max_bytes_(max_bytes),
    // Caffeine's split: a 1% window absorbs bursts of new keys; 80% of
    // the rest is for entries that proved themselves twice.
    window_max_(policy == cache_eviction::lru
                    ? max_bytes
                    : std::max<size_t>(max_bytes / 100, 1)),
    protected_max_((max_bytes - window_max_) / 10 * 8) {}

std::optional<cache_store::found> cache_store::find(const std::string& key,
                                                    time_point now) {
  auto i = index_.find(key);
  if (policy_ == cache_eviction::tinylfu)
    sketch_.increment(i != index_.end() ? i->second.hash
                                        : sketch_hash(key.data(), key.size()));
  return look(i, now);
}

std::optional<cache_store::found>
cache_store::find_again(const std::string& key, time_point now) {
  return look(index_.find(key), now);
}

std::optional<cache_store::found> cache_store::look(index_type::iterator i,
                                                    time_point now) {
  if (i == index_.end())
    return std::nullopt;
  auto& n = i->second;
  if (now >= n.stale_until) {
    remove(i);
    return std::nullopt;
  }
  touch(n);
  return found{n.entry, now < n.fresh_until};
}

void cache_store::put(const std::string& key, entry_ptr entry,
                      time_point fresh_until, time_point stale_until) {
  const size_t cost = entry->bytes() + key.size() +
                      sizeof(index_type::value_type) + bookkeeping;
  if (cost > max_bytes_) {
    // Keeping it would flush everything else and then itself.
    erase(key);
    return;
  }
  if (auto i = index_.find(key); i != index_.end()) {
    // A reload of a key still held (stale, or a newer version): it keeps
    // the place it earned.
    auto& n = i->second;
    bytes_ = bytes_ - n.bytes + cost;
    seg_bytes_[n.seg] = seg_bytes_[n.seg] - n.bytes + cost;
    n = node{std::move(entry), fresh_until, stale_until, cost,
             n.hash,           n.seg,       n.pos};
    lists_[n.seg].splice(lists_[n.seg].begin(), lists_[n.seg], n.pos);
    evict();
    return;
  }
  uint64_t hash = 0;
  if (policy_ == cache_eviction::tinylfu) {
    hash = sketch_hash(key.data(), key.size());
    sketch_.ensure_capacity(index_.size() + 1);
  }
  auto i = index_
               .emplace(key, node{std::move(entry),
                                  fresh_until,
                                  stale_until,
                                  cost,
                                  hash,
                                  window,
                                  {}})
               .first;
  lists_[window].push_front(i);
  i->second.pos = lists_[window].begin();
  bytes_ += cost;
  seg_bytes_[window] += cost;
  evict();
}

void cache_store::update(const std::string& key, entry_ptr entry) {
  auto i = index_.find(key);
  if (i == index_.end())
    return;
  auto& n = i->second;
  const size_t cost = n.bytes - n.entry->bytes() + entry->bytes();
  bytes_ = bytes_ - n.bytes + cost;
  seg_bytes_[n.seg] = seg_bytes_[n.seg] - n.bytes + cost;
  n.bytes = cost;
  n.entry = std::move(entry);
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
  auto& n = i->second;
  bytes_ -= n.bytes;
  seg_bytes_[n.seg] -= n.bytes;
  lists_[n.seg].erase(n.pos);
  index_.erase(i);
}

void cache_store::move_to(index_type::iterator i, segment to) {
  auto& n = i->second;
  lists_[to].splice(lists_[to].begin(), lists_[n.seg], n.pos);
  seg_bytes_[n.seg] -= n.bytes;
  seg_bytes_[to] += n.bytes;
  n.seg = to;
}

void cache_store::touch(node& n) {
  if (n.seg != probation) {
    lists_[n.seg].splice(lists_[n.seg].begin(), lists_[n.seg], n.pos);
    return;
  }
  // Hit twice: protected. What protected cannot hold goes back to
  // probation, where it competes again.
  move_to(*n.pos, protected_);
  auto& prot = lists_[protected_];
  while (seg_bytes_[protected_] > protected_max_ && prot.size() > 1)
    move_to(prot.back(), probation);
}

void cache_store::evict() {
  if (policy_ == cache_eviction::tinylfu) {
    while (seg_bytes_[window] > window_max_ && !lists_[window].empty()) {
      auto candidate = lists_[window].back();
      move_to(candidate, probation);
      admit(candidate);
    }
  }
  // Under lru the whole bound is the window; under tinylfu this catches an
  // entry that grew in place (its gzip variant) or one larger than main.
  while (bytes_ > max_bytes_ && !index_.empty())
    evict_one();
}

void cache_store::admit(index_type::iterator candidate) {
  const size_t main_max = max_bytes_ - window_max_;
  const unsigned wanted = sketch_.estimate(candidate->second.hash);
  while (seg_bytes_[probation] + seg_bytes_[protected_] > main_max) {
    auto& prob = lists_[probation];
    index_type::iterator victim;
    if (prob.back() != candidate)
      victim = prob.back();
    else if (!lists_[protected_].empty())
      victim = lists_[protected_].back();
    else
      return; // the candidate alone is larger than main: evict() drops it
    // Ties go to the incumbent: a key seen once must not displace one
    // seen as often, or a scan would flush the hot set.
    if (wanted > sketch_.estimate(victim->second.hash)) {
      remove(victim);
      ++evictions_;
    } else {
      remove(candidate);
      ++evictions_;
      return;
    }
  }
}

void cache_store::evict_one() {
  for (auto seg : {probation, protected_, window}) {
    if (!lists_[seg].empty()) {
      remove(lists_[seg].back());
      ++evictions_;
      return;
    }
  }
}

} // namespace numina::actors
