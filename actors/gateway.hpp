// The narrow door from the HTTP edge into the actor world. No CAF here:
// http/ includes only this. Every call returns at once; `done` runs later on
// an actor thread and must do nothing but hand the result over (post it to
// the connection's executor). No Asio thread ever waits for an actor.
#pragma once

#include <functional>

#include "actors/pool_snapshot.hpp"
#include "core/failure.hpp"
#include "storage/db_call.hpp"

namespace numina::actors {

class gateway {
public:
  using rows_done = std::function<void(outcome<storage::row_set>)>;
  using pool_done = std::function<void(outcome<pool_snapshot>)>;

  virtual ~gateway() = default;

  /// Runs a storage operation on the DB pool.
  virtual void query(storage::db_call call, rows_done done) = 0;

  /// The DB pool's counters.
  virtual void pool_stats(pool_done done) = 0;
};

} // namespace numina::actors
