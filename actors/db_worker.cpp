#include "actors/db_worker.hpp"

#include "actors/error_convert.hpp"
#include "caf/all.hpp"

namespace numina::actors {

db_worker_actor::behavior_type
db_worker(db_worker_actor::stateful_pointer<db_worker_state> self,
          std::shared_ptr<storage::executor> exec) {
  self->state.exec = std::move(exec);
  // The connection closes when the state (and with it the executor) goes.
  return {
      [=](connect_atom) -> caf::result<caf::ok_atom> {
        auto& ex = *self->state.exec;
        if (!ex.connected())
          if (auto err = ex.connect())
            return to_error(*err);
        return caf::ok_atom::value;
      },
      [=](query_atom,
          const storage::db_call& call) -> caf::result<storage::row_set> {
        auto rows = self->state.exec->run(call);
        if (!rows)
          return to_error(rows.error());
        return std::move(rows.value());
      },
  };
}

} // namespace numina::actors
