// The DB-pool supervisor. Keeps between `min_workers` and `max_workers`
// database workers; hands each call to an idle worker or queues it for at
// most `acquire_timeout` (then `unavailable`: HTTP 503 + Retry-After);
// refuses at once while no worker can reach the database; reconnects with
// exponential backoff; replaces workers that die; counts what it does.
#pragma once

#include <chrono>
#include <functional>

#include "actors/interfaces.hpp"

namespace numina::actors {

struct db_pool_config {
  unsigned min_workers = 2;
  unsigned max_workers = 8;
  caf::timespan acquire_timeout = std::chrono::seconds(2);
  caf::timespan reconnect_min = std::chrono::milliseconds(50);
  caf::timespan reconnect_max = std::chrono::seconds(2);
  /// Period of the check that closes surplus idle workers; 0 disables it
  /// (deterministic tests).
  caf::timespan idle_check = std::chrono::seconds(30);
  /// A surplus worker idle this long is closed.
  caf::timespan idle_close = std::chrono::seconds(60);
  size_t max_queue = 10000;
};

/// Creates one worker; the pool monitors it. Production spawns detached
/// workers around a PostgreSQL executor.
using db_worker_factory = std::function<db_worker_actor(caf::actor_system&)>;

db_pool_actor spawn_db_pool(caf::actor_system& sys, db_pool_config cfg,
                            db_worker_factory factory);

} // namespace numina::actors
