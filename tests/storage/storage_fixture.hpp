// What the storage operation tests share: a fresh database per test with
// the shipped schema, the real executor on it, and a plain connection to
// set up and inspect rows behind the operations' backs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/failure.hpp"
#include "storage/db_call.hpp"
#include "storage/executor.hpp"
#include "storage/page.hpp"
#include "tests/support/scratch_db.hpp"

namespace numina::testing {

class storage_fixture {
public:
  /// Creates the database and connects the executor (which migrates it).
  /// Stops the test binary when that fails: nothing could run.
  storage_fixture();
  ~storage_fixture();

  storage_fixture(const storage_fixture&) = delete;
  storage_fixture& operator=(const storage_fixture&) = delete;

  const std::string& url() const { return db_.url(); }

  /// A connected executor of its own (one per thread in the concurrency
  /// tests: an executor is one connection and belongs to one thread).
  std::unique_ptr<storage::executor> new_executor() const;

  /// Runs a call through the fixture's executor.
  outcome<storage::row_set> run(const storage::db_call& call);

  /// Runs a call that must succeed; its rows. A failure fails the test and
  /// yields an empty row_set.
  storage::row_set must(const storage::db_call& call);

  /// The one row `decode` reads from the rows of `call`, which must
  /// succeed; a failed check (and a default row) when there is not exactly
  /// one.
  template <class Decode>
  auto only_row(const storage::db_call& call, Decode decode) {
    auto rows = decode(must(call));
    using row = typename decltype(rows)::value_type;
    if (rows.size() != 1) {
      report_not_one(call.op, rows.size());
      return row{};
    }
    return std::move(rows.front());
  }

  /// Fails the running test: `op` returned `n` rows, not one.
  void report_not_one(const std::string& op, size_t n);

  /// The code a call that must fail failed with; error_code::none (and a
  /// failed check) when it succeeded.
  error_code refusal(const storage::db_call& call);

  /// Runs SQL directly (own transaction, committed). Test data only.
  void sql(const std::string& text);

  /// The first column of the first row of `text`; "" for NULL or no row.
  std::string sql_value(const std::string& text);

  /// Every row of `text`, each as its columns joined by '|'.
  std::vector<std::string> sql_rows(const std::string& text);

  /// The plan of `statement` (SQL with $1, $2, ...) run with `args` (SQL
  /// literals, comma-separated): as the custom plan a prepared statement
  /// gets at its first executions, or with `generic` as the generic plan
  /// PostgreSQL may cache later. One line of EXPLAIN per line.
  std::string query_plan(const std::string& statement, const std::string& args,
                         bool generic);

  /// Registers a user (auth.register) with a unique email; its id.
  int64_t make_user(const std::string& name = "User");

  /// Creates a class (classes.create) starting at `starts_at`; its id.
  int64_t make_class(int64_t provider, unix_seconds starts_at,
                     int64_t capacity = 10);

private:
  struct direct;
  scratch_db db_;
  std::unique_ptr<storage::executor> exec_;
  std::unique_ptr<direct> direct_;
  int users_ = 0;
};

/// A distinct valid token hash (64 lowercase hex digits) per `n`.
std::string token_hash(int64_t n);

/// A time in the future, in whole seconds: 2030-01-01T00:00:00Z + offset.
unix_seconds future(int64_t offset_s = 0);

/// Walks every page of a list with `limit` and returns the items in
/// order. Checks on the way that no page is longer than `limit`, that every
/// page but the last is full and has a next key, and that the last has
/// none.
template <class T>
std::vector<T> all_pages(const std::function<storage::page<T>(
                             const std::optional<storage::page_key>&)>& fetch,
                         int limit, bool& well_formed) {
  std::vector<T> out;
  std::optional<storage::page_key> after;
  well_formed = true;
  for (int pages = 0; pages < 10000; ++pages) {
    auto p = fetch(after);
    if (p.items.size() > static_cast<size_t>(limit))
      well_formed = false;
    for (auto& item : p.items)
      out.push_back(std::move(item));
    if (!p.next)
      return out;
    if (p.items.size() != static_cast<size_t>(limit))
      well_formed = false;
    after = p.next;
  }
  well_formed = false; // never ended
  return out;
}

} // namespace numina::testing
