// An empty database of its own for one test, dropped when the test ends, so
// no test sees another's data.
//
// Where it lives: when the environment variable TEST_PG_URL names a running
// cluster (scripts/test.sh starts one for the whole run), there; otherwise
// on a private pg_server that this process starts at the first scratch_db
// and shares with every later one until it exits.
#pragma once

#include <string>

namespace numina::testing {

class scratch_db {
public:
  /// Creates the database `numina_t_<pid>_<n>` (blocking). Throws
  /// std::runtime_error when there is no cluster to create it on.
  scratch_db();

  /// Drops the database, ending any session still connected to it.
  ~scratch_db();

  scratch_db(const scratch_db&) = delete;
  scratch_db& operator=(const scratch_db&) = delete;

  /// libpq key=value connection string of the new database (the cluster's
  /// user, host and port).
  const std::string& url() const noexcept { return url_; }

  /// The database's name.
  const std::string& name() const noexcept { return name_; }

private:
  std::string admin_url_; // where CREATE and DROP DATABASE run
  std::string name_;
  std::string url_;
};

} // namespace numina::testing
