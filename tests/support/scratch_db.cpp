// One empty database per test: see scratch_db.hpp.
#include "tests/support/scratch_db.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include "tests/support/pg_server.hpp"

namespace numina::testing {

namespace {

// The cluster shared by this process's scratch databases when TEST_PG_URL
// is not set: started at first use (initdb costs about a second), stopped
// when the process exits.
std::string shared_cluster_url() {
  static std::mutex mutex;
  static std::unique_ptr<pg_server> server;
  std::lock_guard<std::mutex> guard{mutex};
  if (!server)
    server = std::make_unique<pg_server>();
  return server->url();
}

std::string admin_url() {
  const char* from_env = std::getenv("TEST_PG_URL");
  if (from_env != nullptr && *from_env != '\0')
    return from_env;
  return shared_cluster_url();
}

std::string quoted_conninfo_value(const char* value) {
  std::string out = "'";
  for (const char* p = value; *p != '\0'; ++p) {
    if (*p == '\'' || *p == '\\')
      out += '\\';
    out += *p;
  }
  return out + "'";
}

// The same connection string with another database. libpq parses it, so
// TEST_PG_URL may be key=value or a postgresql:// URI.
std::string with_dbname(const std::string& conninfo,
                        const std::string& dbname) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    throw std::runtime_error("cannot parse the connection string: " + why);
  }
  std::string out;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string{o->keyword} == "dbname")
      continue;
    out += std::string{o->keyword} + "=" + quoted_conninfo_value(o->val) + " ";
  }
  PQconninfoFree(options);
  return out + "dbname=" + dbname;
}

} // namespace

scratch_db::scratch_db() : admin_url_(admin_url()) {
  static std::atomic<unsigned> counter{0};
  // Digits only: the name is pasted into SQL (CREATE DATABASE takes no
  // parameters), and the pid keeps concurrent test processes apart.
  name_ =
      "numina_t_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  url_ = with_dbname(admin_url_, name_);
  pqxx::connection admin{admin_url_};
  // CREATE DATABASE refuses to run inside a transaction block.
  pqxx::nontransaction txn{admin};
  // A database of this name can only be left over from an earlier process
  // with our pid that died before dropping it.
  txn.exec0("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  // FILE_COPY: on a cluster without fsync, copying template1's files is
  // about twice as fast as PostgreSQL 15's default of WAL-logging them.
  txn.exec0("CREATE DATABASE " + name_ + " STRATEGY FILE_COPY");
}

scratch_db::~scratch_db() {
  try {
    pqxx::connection admin{admin_url_};
    pqxx::nontransaction txn{admin};
    // FORCE: a test may leave a connection open (or a worker still
    // reconnecting); it must not keep its database alive.
    txn.exec0("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "scratch_db: could not drop " << name_ << ": " << e.what()
              << '\n';
  }
}

} // namespace numina::testing
