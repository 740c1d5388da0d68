// One empty database per test.
#define CAF_SUITE scratch_db
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "tests/support/scratch_db.hpp"

using numina::testing::scratch_db;

namespace {

std::string value_of(const std::string& url, const std::string& sql) {
  pqxx::connection conn{url};
  pqxx::nontransaction txn{conn};
  return txn.exec1(sql)[0].as<std::string>();
}

} // namespace

CAF_TEST(two scratch databases are separate and start empty) {
  scratch_db a;
  scratch_db b;
  CAF_CHECK_NOT_EQUAL(a.name(), b.name());
  CAF_CHECK_EQUAL(value_of(a.url(), "SELECT current_database()"), a.name());
  CAF_CHECK_EQUAL(value_of(b.url(), "SELECT current_database()"), b.name());
  value_of(a.url(), "CREATE TABLE only_in_a (n int) ; SELECT 1");
  const std::string count_sql =
      "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
  CAF_CHECK_EQUAL(value_of(a.url(), count_sql), "1");
  CAF_CHECK_EQUAL(value_of(b.url(), count_sql), "0");
}

CAF_TEST(a scratch database is dropped even with a session still open) {
  scratch_db witness; // a database on the same cluster to look from
  std::string name;
  std::unique_ptr<pqxx::connection> left_open;
  {
    scratch_db db;
    name = db.name();
    left_open = std::make_unique<pqxx::connection>(db.url());
  }
  pqxx::connection conn{witness.url()};
  pqxx::nontransaction txn{conn};
  const auto found = txn.exec_params1(
      "SELECT count(*) FROM pg_database WHERE datname = $1", name);
  CAF_CHECK_EQUAL(found[0].as<int>(), 0);
}
