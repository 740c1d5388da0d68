// The typed interfaces of every actor kind, in one place a reader can scan.
// replies_to<In...>::with<Out...> is a request; reacts_to<In...> one-way.
// Failures travel as caf::error in the "numina" category (error_convert.hpp).
#pragma once

#include "actors/messages.hpp"
#include <string>
#include <vector>

#include "caf/replies_to.hpp"
#include "caf/typed_actor.hpp"

namespace numina::actors {

/// A database worker: one PostgreSQL connection on its own thread
/// (detached), so that blocking libpqxx calls never stall the scheduler.
/// connect: (re)opens the connection if it is not open; ok or an error.
using db_worker_actor = caf::typed_actor<
    caf::replies_to<connect_atom>::with<caf::ok_atom>,
    caf::replies_to<query_atom, storage::db_call>::with<storage::row_set>>;

/// The DB-pool supervisor: owns the workers, queues calls up to the
/// acquire timeout, restarts dead workers, reconnects with backoff.
using db_pool_actor = caf::typed_actor<
    caf::replies_to<query_atom, storage::db_call>::with<storage::row_set>,
    caf::replies_to<stats_atom>::with<pool_snapshot>>;

/// A cache shard: read-through fetches (node-local: they carry the loader
/// and the answer callback), invalidation by keys and prefixes (answers how
/// many entries went), counters.
using cache_shard_actor =
    caf::typed_actor<caf::reacts_to<fetch_atom, cache_fetch>,
                     caf::replies_to<invalidate_atom, std::vector<std::string>,
                                     std::vector<std::string>>::with<uint64_t>,
                     caf::replies_to<stats_atom>::with<cache_shard_stats>>;

/// A background job. run: run now (or wait for the run under way) and
/// answer its record once it finished; get: the current record.
using job_actor =
    caf::typed_actor<caf::replies_to<run_atom>::with<job_record>,
                     caf::replies_to<caf::get_atom>::with<job_record>>;

/// The job supervisor: every job's record; run one by name (an unknown
/// name is a not_found error); the actor that runs a job now.
using job_supervisor_actor = caf::typed_actor<
    caf::replies_to<records_atom>::with<std::vector<job_record>>,
    caf::replies_to<run_atom, std::string>::with<job_record>,
    caf::replies_to<caf::get_atom, std::string>::with<job_actor>>;

/// Password hashing (argon2id): slow on purpose, so it runs on detached
/// workers behind a dispatcher that bounds how many hashes run and wait.
/// hash: password -> the self-describing hash string.
/// verify: password, stored hash -> whether they match.
using password_actor = caf::typed_actor<
    caf::replies_to<hash_atom, std::string>::with<std::string>,
    caf::replies_to<verify_atom, std::string, std::string>::with<bool>>;

/// One rate limiter: the sliding window of one (policy, key). Spawned by a
/// registry shard on first use, stopped once idle longer than its window
/// (rate_limit_actor.cpp).
using rate_limiter_actor = caf::typed_actor<
    caf::replies_to<rate_check_atom, rate_check>::with<rate_verdict>>;

/// A shard of the rate-limit registry: owns the limiters of the keys that
/// hash to it (rate_limit_registry.cpp). check: counts one request with
/// the key's limiter, which answers; stats: limiters alive in this shard.
using rate_registry_actor = caf::typed_actor<
    caf::replies_to<rate_check_atom, rate_check>::with<rate_verdict>,
    caf::replies_to<stats_atom>::with<uint64_t>>;

/// The edge's entry into a shard: the same check with a node-local
/// completion instead of a reply, so the edge spawns no actor per check.
using rate_registry_local = rate_registry_actor::extend<
    caf::reacts_to<rate_check_atom, rate_check, rate_reply>>;

} // namespace numina::actors
