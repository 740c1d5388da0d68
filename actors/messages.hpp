// The message vocabulary between actors: atoms and serializable types.
// Every type here has an inspect() overload and is registered in
// register_message_types(), because later these messages cross nodes.
// When you add a type, add it to the type ID block below as well.
#pragma once

#include <string>

#include "actors/cache_entry.hpp"
#include "actors/cache_stats.hpp"
#include "actors/job_record.hpp"
#include "actors/pool_snapshot.hpp"
#include "actors/rate_limit_reply.hpp"
#include "actors/rate_limit_table.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/allowed_unsafe_message_type.hpp"
#include "caf/atom.hpp"
#include "caf/meta/type_name.hpp"
#include "storage/db_call.hpp"

namespace numina::actors {

// Atom texts are at most 10 characters of [A-Za-z0-9_] and unique
// project-wide: two aliases with the same text are the same type.
using query_atom = caf::atom_constant<caf::atom("query")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
using hash_atom = caf::atom_constant<caf::atom("hash")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using rate_check_atom = caf::atom_constant<caf::atom("ratecheck")>;
using rate_idle_atom = caf::atom_constant<caf::atom("rateidle")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using invalidate_atom = caf::atom_constant<caf::atom("invalidate")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using records_atom = caf::atom_constant<caf::atom("records")>;
using chunk_atom = caf::atom_constant<caf::atom("chunk")>;

/// Registers every message type with the config; call before the actor
/// system is constructed, on every node.
void register_message_types(caf::actor_system_config& cfg);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pool_snapshot& x) {
  return f(caf::meta::type_name("numina::pool_snapshot"), x.size, x.idle,
           x.busy, x.connecting, x.down, x.waiting, x.queries, x.errors,
           x.timeouts, x.rejected, x.restarts, x.total_query_us, x.max_query_us,
           x.database_up);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_shard_stats& x) {
  return f(caf::meta::type_name("numina::cache_shard_stats"), x.shard,
           x.entries, x.bytes, x.hits, x.misses, x.loads, x.evictions,
           x.invalidations, x.stale_serves, x.load_failures);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_record& x) {
  return f(caf::meta::type_name("numina::job_record"), x.name, x.interval_ms,
           x.last_run_at, x.last_duration_ms, x.outcome, x.rows, x.next_run_at,
           x.runs, x.failures, x.restarts, x.running);
}

/// A read-through request with its answer callback. Node-local only: the
/// edge talks to the shards of its own node (the callback cannot travel).
struct cache_fetch {
  cache_read read;
  cache_done done;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate_check& x) {
  return f(caf::meta::type_name("numina::rate_check"), x.policy, x.key);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate_verdict& x) {
  return f(caf::meta::type_name("numina::rate_verdict"), x.allowed, x.limit,
           x.remaining, x.reset_seconds, x.retry_after_seconds);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate_policy_stats& x) {
  return f(caf::meta::type_name("numina::rate_policy_stats"), x.policy, x.limit,
           x.window_ms, x.live, x.allowed, x.rejected);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate_limit_snapshot& x) {
  return f(caf::meta::type_name("numina::rate_limit_snapshot"), x.enabled,
           x.policies);
}

} // namespace numina::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(numina::actors::cache_fetch)
// The edge's completion of a rate check: node-local, like cache_fetch
// (rate_limit_reply.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(numina::actors::rate_reply)

namespace numina::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cell& x) {
  return f(caf::meta::type_name("numina::cell"), x.text, x.null);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_call& x) {
  return f(caf::meta::type_name("numina::db_call"), x.op, x.params);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, row_set& x) {
  return f(caf::meta::type_name("numina::row_set"), x.columns, x.rows,
           x.affected);
}

} // namespace numina::storage
