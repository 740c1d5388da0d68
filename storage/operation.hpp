// Internal to storage/: how an operation is written. Each one runs inside
// the transaction the executor opened and turns its result into a row_set.
// Domain refusals throw domain_error; everything else is mapped by the
// executor (storage/pg_executor.cpp).
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "core/failure.hpp"
#include "storage/db_call.hpp"

namespace numina::storage {

/// A refusal the contract names (class_full, already_booked, ...).
struct domain_error : std::exception {
  explicit domain_error(failure f) : why(std::move(f)) {}
  const char* what() const noexcept override { return why.message.c_str(); }
  failure why;
};

/// Typed access to an operation's text parameters.
class params {
public:
  explicit params(const std::vector<cell>& cells) : cells_(cells) {}

  size_t size() const noexcept { return cells_.size(); }
  bool is_null(size_t i) const { return at(i).null; }
  int64_t i64(size_t i) const;
  const std::string& text(size_t i) const { return at(i).text; }
  /// nullptr for SQL NULL, else the text (libpqxx binds nullptr as NULL).
  const char* text_or_null(size_t i) const {
    return at(i).null ? nullptr : at(i).text.c_str();
  }

private:
  const cell& at(size_t i) const;
  const std::vector<cell>& cells_;
};

using op_fn = row_set (*)(pqxx::work&, const params&);

struct operation {
  std::string_view name;
  op_fn run;
  /// Read-only operations may be retried after a lost connection.
  bool read_only = false;
};

/// A named SQL statement of an operation. Names are unique across all
/// operations: libpqxx refuses a second definition of a name with other SQL.
struct statement {
  const char* name;
  const char* sql;
};

/// Runs `s` as a prepared statement with bound parameters ($1, $2, ...).
/// libpqxx 6.4's prepare() only records the SQL under its name on the
/// connection (a repeat with the same SQL is a no-op map lookup) and sends
/// it to the server at the first execution there, so calling it every time
/// prepares each statement once per connection. A connection the executor
/// rebuilds after a break is a new object and starts empty.
template <class... Args>
pqxx::result exec_statement(pqxx::work& tx, const statement& s,
                            Args&&... args) {
  tx.conn().prepare(s.name, s.sql);
  return tx.exec_prepared(s.name, std::forward<Args>(args)...);
}

/// Converts a libpqxx result into the text rows that travel back.
row_set to_row_set(const pqxx::result& r);

/// The operation with that name, or nullptr.
const operation* find_operation(std::string_view name);

/// Each domain file contributes its operations; operations.cpp joins them.
void add_health_operations(std::vector<operation>& out);
void add_auth_operations(std::vector<operation>& out);
void add_user_operations(std::vector<operation>& out);
void add_class_operations(std::vector<operation>& out);
void add_booking_operations(std::vector<operation>& out);
void add_idempotency_operations(std::vector<operation>& out);
void add_review_operations(std::vector<operation>& out);
void add_rating_job_operations(std::vector<operation>& out);
void add_notification_operations(std::vector<operation>& out);
void add_notification_job_operations(std::vector<operation>& out);
void add_social_operations(std::vector<operation>& out);
void add_feed_job_operations(std::vector<operation>& out);
void add_message_operations(std::vector<operation>& out);
void add_match_operations(std::vector<operation>& out);

} // namespace numina::storage
