// What the DB-pool supervisor reports about itself (/admin/db, /health,
// metrics). Plain data: no CAF here, so http/ can render it.
#pragma once

#include <cstdint>

namespace numina::actors {

struct pool_snapshot {
  uint32_t size = 0;           // workers that exist (any state)
  uint32_t idle = 0;           // connected, waiting for work
  uint32_t busy = 0;           // running a query
  uint32_t connecting = 0;     // connecting or checking their connection
  uint32_t down = 0;           // waiting to reconnect (backoff)
  uint32_t waiting = 0;        // queued calls
  uint64_t queries = 0;        // calls answered by a worker
  uint64_t errors = 0;         // calls that failed (any reason)
  uint64_t timeouts = 0;       // calls refused after the acquire timeout
  uint64_t rejected = 0;       // calls refused at once (database down)
  uint64_t restarts = 0;       // workers replaced after they died
  uint64_t total_query_us = 0; // sum of worker round trips
  uint64_t max_query_us = 0;
  bool database_up = false; // at least one worker holds a live connection
};

} // namespace numina::actors
