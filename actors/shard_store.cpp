#include "actors/shard_store.hpp"

namespace numina::actors {

bool needs_gzip(const cached_entry& e, bool want_gzip) noexcept {
  return want_gzip && e.status == 200 && !e.gzip &&
         e.body->size() > gzip_threshold;
}

entry_ptr shard_store::fresh(const std::string& key, bool want_gzip,
                             time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto found = store_.find(key, now);
  if (!found || !found->fresh || needs_gzip(*found->entry, want_gzip))
    return nullptr;
  ++edge_hits_;
  return std::move(found->entry);
}

uint64_t shard_store::edge_hits() {
  std::lock_guard<std::mutex> guard{mutex_};
  return edge_hits_;
}

} // namespace numina::actors
