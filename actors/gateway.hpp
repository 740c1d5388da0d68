// The narrow door from the HTTP edge into the actor world. No CAF here:
// http/ includes only this. Every call returns at once; `done` runs later on
// an actor thread and must do nothing but hand the result over (post it to
// the connection's executor). No Asio thread ever waits for an actor.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "actors/cache_entry.hpp"
#include "actors/cache_stats.hpp"
#include "actors/job_record.hpp"
#include "actors/pool_snapshot.hpp"
#include "actors/rate_limit_table.hpp"
#include "core/failure.hpp"
#include "storage/db_call.hpp"

namespace numina::actors {

class gateway {
public:
  using rows_done = std::function<void(outcome<storage::row_set>)>;
  using pool_done = std::function<void(outcome<pool_snapshot>)>;
  using text_done = std::function<void(outcome<std::string>)>;
  using check_done = std::function<void(outcome<bool>)>;

  virtual ~gateway() = default;

  /// Runs a storage operation on the DB pool.
  virtual void query(storage::db_call call, rows_done done) = 0;

  /// The DB pool's counters.
  virtual void pool_stats(pool_done done) = 0;

  /// argon2id hash of a password (slow: runs on the password pool).
  virtual void hash_password(std::string password, text_done done) = 0;

  /// Whether a password matches a stored hash (slow, as above).
  virtual void verify_password(std::string password, std::string stored,
                               check_done done) = 0;

  using rate_done = std::function<void(outcome<rate_verdict>)>;
  using rate_stats_done = std::function<void(outcome<rate_limit_snapshot>)>;

  /// Counts one request of `key` ("ip:...", "user:...") against `policy`
  /// and says whether it may pass (actors/rate_limit_policy.hpp).
  virtual void check_rate(rate_policy_id policy, std::string key,
                          rate_done done) = 0;

  /// The policies with their live limiters and allowed/rejected counts.
  virtual void rate_limit_stats(rate_stats_done done) = 0;

  /// Read-through: the cached answer for `read.key`, loaded and rendered on
  /// a miss (see actors/cache_entry.hpp). For after cached_fresh() said no:
  /// the shard does not count the key's use a second time (eviction
  /// policy, actors/cache_store.hpp).
  virtual void cached(cache_read read, cache_done done) = 0;

  /// A fresh cached entry for `key`, read on the caller's thread with no
  /// hop (actors/shard_store.hpp); null when only cached() can answer: a
  /// miss, an expired entry, or a gzip variant still to be made. Try this
  /// first on hot paths, then cached().
  virtual entry_ptr cached_fresh(const std::string& key, bool want_gzip) = 0;

  using count_done = std::function<void(outcome<uint64_t>)>;
  using cache_stats_done =
      std::function<void(outcome<std::vector<cache_shard_stats>>)>;

  /// Removes cached entries by key and by key prefix on every shard that
  /// may hold them; `done` runs once all of them confirmed.
  virtual void invalidate(std::vector<std::string> keys,
                          std::vector<std::string> prefixes,
                          count_done done) = 0;

  /// The counters of every cache shard.
  virtual void cache_stats(cache_stats_done done) = 0;

  using records_done = std::function<void(outcome<std::vector<job_record>>)>;
  using record_done = std::function<void(outcome<job_record>)>;

  /// Every background job's record.
  virtual void job_records(records_done done) = 0;

  /// Runs a job now; `done` gets that run's record once it finished
  /// (not_found for an unknown name).
  virtual void run_job(std::string name, record_done done) = 0;
};

} // namespace numina::actors
