// A cache shard: one part of the in-process cache. Answers a fresh entry at
// once; on a miss loads through the DB pool, once per key however many
// requests wait (single flight), renders with the request's renderer and
// keeps the bytes. A failed load is not kept; a 404 is kept briefly. When a
// load fails for want of the database, an expired entry still within its
// grace is served, marked stale.
#pragma once

#include <chrono>
#include <memory>

#include "actors/interfaces.hpp"

namespace numina::actors {

struct cache_shard_config {
  uint32_t index = 0;
  caf::timespan stale_grace = std::chrono::minutes(10);
  caf::timespan ttl_not_found = std::chrono::seconds(5);
  caf::timespan load_timeout = std::chrono::seconds(10);
};

class shard_store;

/// The shard keeps its entries in `store`, which the edge reads too
/// (actors/shard_store.hpp).
cache_shard_actor spawn_cache_shard(caf::actor_system& sys,
                                    cache_shard_config cfg,
                                    std::shared_ptr<shard_store> store,
                                    db_pool_actor pool);

} // namespace numina::actors
