// Numina's typed configuration: one struct per section, defaults in the
// member initialisers. Every key is listed, with its doc, in config/keys.cpp
// and docs/operations.md. Keys are `section.name`; the command line spells
// them `--section.name=value`, the environment `NUMINA_SECTION_NAME`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace numina::config {

using duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

struct http_settings {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;             // 0: pick a free port (tests)
  unsigned threads = 1;             // Asio threads
  uint64_t body_limit = 1 << 20;    // bytes, inclusive
  uint64_t header_limit = 16 << 10; // bytes of the header section
  duration header_timeout = 10s;    // whole header section must arrive
  duration idle_timeout = 60s;      // keep-alive wait for the next request
  uint64_t max_connections = 10000; // beyond: accept and close at once
  duration shutdown_grace = 10s;    // in-flight requests finish within
  std::vector<std::string> trusted_proxies; // peers allowed X-Forwarded-For
};

struct actors_settings {
  unsigned threads = 2; // CAF scheduler threads
};

struct database_settings {
  std::string url; // empty: none configured (the run script starts one)
  unsigned pool_min = 2;
  unsigned pool_max = 8;
  duration acquire_timeout = 2s;   // queued longer: 503 + Retry-After
  duration statement_timeout = 5s; // server-side bound of one statement
  duration reconnect_min = 50ms;   // first reconnect delay, doubling ...
  duration reconnect_max = 2s;     // ... up to this
  duration slow_query = 1s;        // /admin/slow-queries threshold
};

struct admin_settings {
  std::string token;          // empty: admin endpoints answer 401
  bool metrics_public = true; // false: /metrics needs the admin token
};

struct auth_settings {
  unsigned hash_ops = 2;              // argon2id opslimit
  uint64_t hash_memory = 64ull << 20; // argon2id memlimit, bytes
  unsigned hash_concurrency = 2;      // hashes running at once
};

// Which entries a full cache shard keeps (docs/benchmarks.md, "Cache
// eviction: LRU vs W-TinyLFU", measures both on the API's mix).
enum class cache_eviction {
  lru,     // least recently used goes first
  tinylfu, // W-TinyLFU: admits a new entry only if it is used more often
};

struct cache_settings {
  unsigned shards = 4;
  uint64_t max_bytes = 256ull << 20;
  cache_eviction eviction = cache_eviction::tinylfu;
  duration ttl_users = 30min;
  duration ttl_classes = 15min;
  duration ttl_matches = 1h;
  duration ttl_feed = 5min;
  duration ttl_reviews = 1h;
  duration ttl_sessions = 5min;
  duration ttl_not_found = 5s;
  duration stale_grace = 10min; // served stale while the database is down
};

struct rate_policy {
  uint32_t limit = 100;
  duration window = 60s;
};

struct rate_limit_settings {
  bool enabled = true;
  rate_policy auth{5, 60s};
  rate_policy messages{20, 60s};
  rate_policy activity{10, 60s};
  rate_policy reviews{5, 3600s};
  rate_policy fallback{100, 60s}; // the contract's "default" policy
};

struct jobs_settings {
  duration ratings_interval = 15min;
  duration feed_interval = 5min;
  duration notifications_interval = 30min;
  duration idempotency_interval = 10min; // sweep of expired idempotency keys
  unsigned batch_size = 1000;            // rows per chunk of a job's batch work
};

struct settings {
  http_settings http;
  actors_settings actors;
  database_settings database;
  admin_settings admin;
  auth_settings auth;
  cache_settings cache;
  rate_limit_settings rate_limit;
  jobs_settings jobs;
};

} // namespace numina::config
