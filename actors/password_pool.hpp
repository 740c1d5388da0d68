// The password pool: `concurrency` detached workers hash and verify with
// argon2id; the dispatcher queues at most `max_waiting` more requests and
// refuses the rest with `unavailable`, so a burst of logins can neither
// exhaust memory (each hash holds its memlimit) nor starve other requests.
#pragma once

#include <cstdint>

#include "actors/interfaces.hpp"

namespace numina::actors {

struct password_pool_config {
  unsigned concurrency = 2;
  unsigned long long opslimit = 2;
  size_t memlimit = 64u << 20;
  size_t max_waiting = 256;
  /// Spawn workers detached (production) or scheduled (deterministic tests).
  bool detached = true;
};

password_actor spawn_password_pool(caf::actor_system& sys,
                                   password_pool_config cfg);

} // namespace numina::actors
