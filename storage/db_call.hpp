// What crosses from the request path to a database worker and back: a named
// storage operation with text parameters, and its rows as text. Plain data,
// serializable by CAF (actors/messages.hpp holds the inspect overloads), so
// a call can later travel to another node's pool.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace numina::storage {

/// One parameter or result value in PostgreSQL's text form; `null` is SQL
/// NULL (then `text` is empty).
struct cell {
  std::string text;
  bool null = false;

  static cell of(std::string s) { return cell{std::move(s), false}; }
  static cell of(int64_t n) { return cell{std::to_string(n), false}; }
  static cell none() { return cell{{}, true}; }
};

/// A storage operation by name (see storage/operations.cpp for the list).
struct db_call {
  std::string op;
  std::vector<cell> params;
};

/// The rows an operation returned, in column order.
struct row_set {
  std::vector<std::string> columns;
  std::vector<std::vector<cell>> rows;
  uint64_t affected = 0;

  bool empty() const noexcept { return rows.empty(); }
};

} // namespace numina::storage
