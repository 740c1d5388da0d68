// A database worker actor around one storage::executor. Spawned detached in
// production (its blocking calls get a thread of their own) and scheduled in
// deterministic tests.
#pragma once

#include <memory>

#include "actors/interfaces.hpp"
#include "storage/executor.hpp"

namespace numina::actors {

struct db_worker_state {
  std::shared_ptr<storage::executor> exec;
  static constexpr const char* name = "db_worker";
};

db_worker_actor::behavior_type
db_worker(db_worker_actor::stateful_pointer<db_worker_state> self,
          std::shared_ptr<storage::executor> exec);

} // namespace numina::actors
