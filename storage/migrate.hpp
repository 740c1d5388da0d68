// Versioned schema migrations, embedded from storage/migrations/*.sql at
// build time. Applied at connect by every database worker: all pending
// versions in ONE transaction under an advisory lock (so two nodes starting
// together do not race), each recorded in schema_migrations. A failing
// migration rolls the whole transaction back and leaves the schema as it was.
#pragma once

#include <string>
#include <vector>

#include "core/failure.hpp"

namespace numina::storage {

struct migration {
  int version = 0;  // from the file name: 0001_schema.sql -> 1
  std::string name; // "0001_schema"
  std::string sql;
};

/// The migrations this build ships, ordered by version.
const std::vector<migration>& shipped_migrations();

/// The highest shipped version: the schema a ready node expects.
int latest_schema_version();

struct migrate_report {
  int version_before = 0;
  int version_after = 0;
  int applied = 0;
};

/// Connects to `url` and applies what is pending of `list` (blocking).
outcome<migrate_report>
migrate(const std::string& url,
        const std::vector<migration>& list = shipped_migrations());

} // namespace numina::storage
