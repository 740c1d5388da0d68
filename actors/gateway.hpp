// The narrow door from the HTTP edge into the actor world. No CAF here:
// http/ includes only this. Every call returns at once; `done` runs later on
// an actor thread and must do nothing but hand the result over (post it to
// the connection's executor). No Asio thread ever waits for an actor.
#pragma once

#include <functional>
#include <string>

#include "actors/pool_snapshot.hpp"
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
};

} // namespace numina::actors
