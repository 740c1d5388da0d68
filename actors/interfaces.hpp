// The typed interfaces of every actor kind, in one place a reader can scan.
// replies_to<In...>::with<Out...> is a request; reacts_to<In...> one-way.
// Failures travel as caf::error in the "numina" category (error_convert.hpp).
#pragma once

#include "actors/messages.hpp"
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

/// Password hashing (argon2id): slow on purpose, so it runs on detached
/// workers behind a dispatcher that bounds how many hashes run and wait.
/// hash: password -> the self-describing hash string.
/// verify: password, stored hash -> whether they match.
using password_actor = caf::typed_actor<
    caf::replies_to<hash_atom, std::string>::with<std::string>,
    caf::replies_to<verify_atom, std::string, std::string>::with<bool>>;

} // namespace numina::actors
