// The PostgreSQL executor: one libpqxx connection, rebuilt after a break
// (libpqxx 6.4's silent "reactivation" of a broken connection is not relied
// on; 7.x removed it).
#include <memory>

#include "core/log.hpp"
#include "storage/executor.hpp"
#include "storage/migrate.hpp"
#include "storage/migrate_internal.hpp"
#include "storage/operation.hpp"

namespace numina::storage {

namespace {

class pg_executor final : public executor {
public:
  pg_executor(std::string url, std::chrono::milliseconds statement_timeout)
    : url_(std::move(url)), statement_timeout_(statement_timeout) {}

  std::optional<failure> connect() override {
    conn_.reset();
    try {
      auto conn = std::make_unique<pqxx::connection>(url_);
      // Session settings first: every later statement relies on them.
      pqxx::nontransaction setup{*conn};
      setup.exec("SET TIME ZONE 'UTC'");
      setup.exec("SET statement_timeout = " +
                 std::to_string(statement_timeout_.count()));
      setup.commit();
      auto migrated = apply_migrations(*conn, shipped_migrations());
      if (!migrated)
        return migrated.error();
      conn_ = std::move(conn);
      return std::nullopt;
    } catch (const std::exception& e) {
      return failure::of(error_code::unavailable,
                         std::string{"cannot connect: "} + e.what());
    }
  }

  bool connected() const override { return conn_ != nullptr; }

  outcome<row_set> run(const db_call& call) override {
    const operation* op = find_operation(call.op);
    if (op == nullptr)
      return failure::of(error_code::internal,
                         "unknown storage operation " + call.op);
    // A connection that broke before COMMIT rolled back: running the
    // operation once more on a fresh connection is safe.
    for (int attempt = 1;; ++attempt) {
      if (!conn_) {
        if (auto err = connect())
          return *err;
      }
      try {
        return run_once(*op, call);
      } catch (const pqxx::broken_connection& e) {
        conn_.reset();
        if (attempt >= 2)
          return failure::of(error_code::unavailable,
                             "database connection lost");
      } catch (const pqxx::transaction_rollback& e) {
        // Serialization failure or deadlock: the whole operation retries.
        if (attempt >= 3)
          return failure::of(error_code::unavailable,
                             "database contention; retry");
      }
    }
  }

  void disconnect() override { conn_.reset(); }

private:
  outcome<row_set> run_once(const operation& op, const db_call& call) {
    try {
      pqxx::work tx{*conn_};
      auto rows = op.run(tx, params{call.params});
      tx.commit();
      return rows;
    } catch (const domain_error& e) {
      return e.why;
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::transaction_rollback&) {
      throw;
    } catch (const pqxx::in_doubt_error& e) {
      // The COMMIT's outcome is unknown: never retried, and the connection
      // is rebuilt.
      conn_.reset();
      log_error("storage", std::string{call.op} + ": in doubt: " + e.what());
      return failure::of(error_code::internal);
    } catch (const pqxx::unique_violation&) {
      return failure::of(error_code::conflict);
    } catch (const pqxx::check_violation&) {
      return failure::of(error_code::validation_failed);
    } catch (const pqxx::foreign_key_violation&) {
      return failure::of(error_code::not_found);
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() == "57014") // statement_timeout
        return failure::of(error_code::unavailable, "the query took too long");
      log_error("storage", call.op + ": " + e.what());
      return failure::of(error_code::internal);
    } catch (const std::exception& e) {
      log_error("storage", call.op + ": " + e.what());
      return failure::of(error_code::internal);
    }
  }

  std::string url_;
  std::chrono::milliseconds statement_timeout_;
  std::unique_ptr<pqxx::connection> conn_;
};

} // namespace

std::unique_ptr<executor>
make_pg_executor(std::string url, std::chrono::milliseconds statement_timeout) {
  return std::make_unique<pg_executor>(std::move(url), statement_timeout);
}

} // namespace numina::storage
