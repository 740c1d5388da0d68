// Operations the health checks run: is the database there, and migrated?
#include "storage/operation.hpp"

namespace numina::storage {

namespace {

// One row: the highest applied schema version (0 when none).
row_set schema_version(pqxx::work& tx, const params&) {
  return to_row_set(tx.exec(
      "SELECT coalesce(max(version), 0) AS version FROM schema_migrations"));
}

} // namespace

void add_health_operations(std::vector<operation>& out) {
  out.push_back({"health.schema_version", schema_version, true});
}

} // namespace numina::storage
