// The rate-limit registry: a few shard actors, each owning the limiters of
// the (policy, key)s that hash to it. A shard spawns a key's limiter on
// first use, holds its handle (an unreferenced actor would die), monitors
// it, and forgets it when it stops; memory follows the clients active
// within their windows, not the clients ever seen.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "actors/interfaces.hpp"

namespace numina::actors {

/// Spawns `shards` (>= 1) registry shards sharing `table`.
std::vector<rate_registry_local>
spawn_rate_registry(caf::actor_system& sys,
                    std::shared_ptr<rate_limit_table> table, size_t shards);

/// The shard that owns `check`'s limiter.
size_t rate_shard_of(const rate_check& check, size_t shards) noexcept;

} // namespace numina::actors
