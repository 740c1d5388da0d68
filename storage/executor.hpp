// A database connection that runs storage operations: the part of a DB
// worker that blocks. The worker actor owns one; tests may hand it another.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/failure.hpp"
#include "storage/db_call.hpp"

namespace numina::storage {

class executor {
public:
  virtual ~executor() = default;

  /// Opens the connection (blocking). Nothing on success, else why not.
  virtual std::optional<failure> connect() = 0;

  /// Whether the last connect succeeded and no call has found it broken
  /// since. A worker whose executor lost its connection reconnects.
  virtual bool connected() const = 0;

  /// Runs one operation in its own transaction (blocking). Domain refusals
  /// come back as their contract codes; a lost connection as `unavailable`
  /// with connected() turning false.
  virtual outcome<row_set> run(const db_call& call) = 0;

  /// Closes the connection.
  virtual void disconnect() = 0;
};

/// The PostgreSQL executor (libpqxx). `statement_timeout` bounds each
/// statement on the server.
std::unique_ptr<executor>
make_pg_executor(std::string url, std::chrono::milliseconds statement_timeout);

} // namespace numina::storage
