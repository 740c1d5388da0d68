// Applying versioned migrations: see migrate.hpp for the contract.
#include "storage/migrate.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <set>
#include <string>

#include <pqxx/pqxx>

#include "storage/migrate_internal.hpp"

namespace numina::storage {

namespace {

// Serialises migrators: every node runs the migrations when it connects,
// and two nodes starting together must not both apply a version. The value
// spells "numinamg" in ASCII; nothing else may take this advisory lock.
constexpr std::int64_t migration_lock_key = 0x6e756d696e616d67;

// PostgreSQL's messages span lines (DETAIL, a caret under the SQL); a
// failure message is logged as one line.
std::string one_line(const char* text) {
  std::string out;
  bool space = false;
  for (const char* p = text; *p != '\0'; ++p) {
    if (std::isspace(static_cast<unsigned char>(*p))) {
      space = !out.empty();
      continue;
    }
    if (space)
      out += ' ';
    space = false;
    out += *p;
  }
  return out;
}

failure failed(error_code code, const std::string& step,
               const std::string& why) {
  return failure::of(code, step + " failed: " + why);
}

// The migrations in the order they are applied; a duplicate version would
// make that order (and the schema_migrations record) ambiguous.
outcome<std::vector<const migration*>>
in_version_order(const std::vector<migration>& list) {
  std::vector<const migration*> ordered;
  ordered.reserve(list.size());
  for (const migration& m : list)
    ordered.push_back(&m);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const migration* a, const migration* b) {
                     return a->version < b->version;
                   });
  auto dup = std::adjacent_find(ordered.begin(), ordered.end(),
                                [](const migration* a, const migration* b) {
                                  return a->version == b->version;
                                });
  if (dup != ordered.end())
    return failure::of(error_code::internal,
                       "two migrations share version " +
                           std::to_string((*dup)->version) + " (" +
                           (*dup)->name + ", " + (*std::next(dup))->name + ")");
  return ordered;
}

} // namespace

int latest_schema_version() {
  int latest = 0;
  for (const migration& m : shipped_migrations())
    latest = std::max(latest, m.version);
  return latest;
}

outcome<migrate_report> apply_migrations(pqxx::connection& conn,
                                         const std::vector<migration>& list) {
  auto ordered = in_version_order(list);
  if (!ordered)
    return ordered.error();
  // Names what was running when something failed.
  std::string step = "preparing schema_migrations";
  try {
    // READ COMMITTED (pqxx::work) on purpose: every statement takes a new
    // snapshot, so a migrator that waited for the lock reads the versions
    // the one before it committed. REPEATABLE READ would read a snapshot
    // from before the wait and apply everything a second time.
    pqxx::work txn{conn, "migrate"};
    // Neither a long migration nor waiting for another node's migrator is
    // a reason to give up: lift the session's statement timeout for this
    // transaction only, before taking the lock.
    txn.exec0("SET LOCAL statement_timeout = 0");
    txn.exec_params("SELECT pg_advisory_xact_lock($1::bigint)",
                    migration_lock_key);
    // Created under the lock and inside the transaction: two first-ever
    // migrators cannot race on it, and a failure removes it again. Looked
    // up first rather than IF NOT EXISTS, whose NOTICE every connect of
    // every worker would log.
    if (txn.exec1("SELECT to_regclass('schema_migrations')")[0].is_null())
      txn.exec0("CREATE TABLE schema_migrations ("
                " version integer PRIMARY KEY,"
                " name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())");
    std::set<int> applied;
    for (const pqxx::row& row :
         txn.exec("SELECT version FROM schema_migrations"))
      applied.insert(row[0].as<int>());

    migrate_report report;
    report.version_before = applied.empty() ? 0 : *applied.rbegin();
    report.version_after = report.version_before;
    // Every version not yet recorded is applied, also one below the
    // highest applied (a branch merged late): gaps are fine.
    for (const migration* m : ordered.value()) {
      if (applied.count(m->version) != 0)
        continue;
      step = "migration " + std::to_string(m->version) + " (" + m->name + ")";
      txn.exec(m->sql);
      txn.exec_params0(
          "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
          m->version, m->name);
      ++report.applied;
      report.version_after = std::max(report.version_after, m->version);
    }
    step = "committing the migrations";
    txn.commit();
    return report;
  } catch (const pqxx::in_doubt_error& e) {
    // The connection broke during COMMIT: whether the migrations landed is
    // unknown until someone looks (the next run will tell).
    return failed(error_code::internal, step,
                  std::string{"outcome unknown: "} + one_line(e.what()));
  } catch (const pqxx::broken_connection& e) {
    return failed(error_code::unavailable, step,
                  "connection lost: " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    return failed(error_code::internal, step,
                  one_line(e.what()) + " (SQLSTATE " + e.sqlstate() + ")");
  } catch (const std::exception& e) {
    // Also pqxx::transaction_rollback (a deadlock with DDL of another
    // session), which 6.4 does not derive from sql_error.
    return failed(error_code::internal, step, one_line(e.what()));
  }
}

outcome<migrate_report> migrate(const std::string& url,
                                const std::vector<migration>& list) {
  try {
    pqxx::connection conn{url};
    return apply_migrations(conn, list);
  } catch (const pqxx::broken_connection& e) {
    return failed(error_code::unavailable, "connecting to PostgreSQL",
                  one_line(e.what()));
  } catch (const std::exception& e) {
    return failed(error_code::internal, "connecting to PostgreSQL",
                  one_line(e.what()));
  }
}

} // namespace numina::storage
