// Inside storage/ only: applying migrations on a connection the caller
// already holds (the DB worker's executor, right after it connects). This
// header includes libpqxx, so no public header may include it.
#pragma once

#include <vector>

#include <pqxx/connection>

#include "core/failure.hpp"
#include "storage/migrate.hpp"

namespace numina::storage {

/// Applies what is pending of `list` on `conn` (blocking), in one
/// transaction under an advisory lock; see migrate.hpp. The connection must
/// have no open transaction. A failure leaves the schema as it was: code
/// `internal` naming the migration and PostgreSQL's error, or `unavailable`
/// when the connection broke.
outcome<migrate_report> apply_migrations(pqxx::connection& conn,
                                         const std::vector<migration>& list);

} // namespace numina::storage
