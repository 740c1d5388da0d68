// Request bodies: parsed strictly (simdjson's DOM parser, which validates
// the whole document: UTF-8, depth, numbers) and checked for what simdjson
// lets through (duplicate keys, \u0000). The result is a small tree of our
// own, so that simdjson stays inside json_body.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/failure.hpp"

namespace numina::http {

struct json_value {
  enum class kind {
    null,
    boolean,
    integer,
    big_integer,
    number,
    string,
    array,
    object
  };
  kind type = kind::null;
  bool boolean = false;
  int64_t integer = 0;           // kind::integer
  uint64_t big = 0;              // kind::big_integer (above INT64_MAX)
  double number = 0;             // kind::number (fractions, exponents)
  std::string text;              // kind::string
  std::vector<json_value> items; // kind::array
  std::vector<std::pair<std::string, json_value>> members; // kind::object

  const json_value* find(std::string_view key) const;
};

/// Parses a request body that must be one JSON object. Failures are
/// `invalid_json` with a sentence saying what was wrong.
outcome<json_value> parse_json_object(const std::string& body);

/// The value written with sorted keys and no blanks: two bodies are "the
/// same JSON value once parsed" exactly when these strings are equal.
std::string canonical_json(const json_value& v);

/// Reads the fields of a body object with the contract's rules: unknown
/// fields are refused, strings are measured in code points, integers must
/// be written as integers. The first failure is kept in `error`.
class body_reader {
public:
  /// Refuses any member not in `allowed`.
  body_reader(const json_value& object,
              std::initializer_list<std::string_view> allowed);

  std::optional<failure> error;

  bool has(std::string_view name) const;
  /// A JSON null was given for the field.
  bool is_null(std::string_view name) const;

  std::optional<std::string> text(std::string_view name, size_t min_len,
                                  size_t max_len, bool required);
  std::optional<int64_t> integer(std::string_view name, int64_t min,
                                 int64_t max, bool required);
  /// An array of positive 64-bit integers.
  std::optional<std::vector<int64_t>> ids(std::string_view name,
                                          size_t max_items, bool required);

private:
  const json_value* field(std::string_view name, bool required);
  void fail(std::string_view name, std::string message);

  const json_value& object_;
};

} // namespace numina::http
