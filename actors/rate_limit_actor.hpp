// The rate limiter of one (policy, key) and what it and its registry shard
// say to each other beyond the public interfaces (interfaces.hpp). Only the
// registry spawns limiters.
//
// Stopping without losing a check: a limiter idle for a whole window asks
// its shard whether it may stop, telling how many checks it has handled.
// The shard agrees only when that equals the number it forwarded (none on
// the way), and forgets the limiter before answering, so a later check of
// the key spawns a fresh one and never reaches a stopped actor.
#pragma once

#include <memory>

#include "actors/interfaces.hpp"

namespace numina::actors {

/// A limiter as its shard sees it: also a check whose verdict goes to a
/// node-local completion (the edge's fast path).
using rate_limiter_impl =
    rate_limiter_actor::extend<caf::reacts_to<rate_check_atom, rate_reply>>;

/// A shard as its limiters see it: also "idle after `handled` checks, may I
/// stop?" (true: it was forgotten, stop now).
using rate_shard_impl = rate_registry_local::extend<
    caf::replies_to<rate_idle_atom, rate_check, uint64_t>::with<bool>>;

/// Spawns the limiter of `who` for `shard`; it counts its verdicts in
/// `table`.
rate_limiter_impl spawn_rate_limiter(caf::actor_system& sys,
                                     rate_shard_impl shard,
                                     std::shared_ptr<rate_limit_table> table,
                                     rate_check who);

} // namespace numina::actors
