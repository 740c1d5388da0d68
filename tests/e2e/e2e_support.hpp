// What the end-to-end suites share: a numina process on a database of its
// own, awaited until ready, and the checks every answer of the contract
// gets (api.md sections 1 and 5). Standard library and tests/support only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/numina_process.hpp"

namespace numina::e2e {

using namespace std::chrono_literals;
using testing::header_list;
using testing::http_client;
using testing::http_response;

/// The admin token every e2e numina is started with.
inline constexpr std::string_view admin_token = "e2e-admin-token-5Jq9";

/// The numina binary under test (the NUMINA_BINARY compile definition).
std::string numina_binary();

/// A numina process with NUMINA_DATABASE_URL and NUMINA_ADMIN_TOKEN set,
/// listening on a free port of 127.0.0.1 and, once constructed, ready
/// (`GET /health/ready` answered 200: the database is reachable and
/// migrated). The constructor fails the test, printing numina's stderr,
/// when that does not happen within 15 s. The destructor prints numina's
/// stderr when the test has a failed check, then kills the process if it
/// still runs.
class node {
public:
  explicit node(std::string database_url, std::vector<std::string> args = {},
                header_list extra_env = {});
  ~node();

  node(const node&) = delete;
  node& operator=(const node&) = delete;

  uint16_t port() const noexcept { return process_.port(); }
  testing::numina_process& process() noexcept { return process_; }

  /// Polls `GET /health/ready` (a new connection each time, a short pause
  /// between tries) until it answers 200 or `timeout` passes.
  bool await_ready(std::chrono::milliseconds timeout = 15s);

  /// Prints numina's stderr to the test log.
  void print_stderr();

private:
  testing::numina_process process_;
};

/// A fresh connection to 127.0.0.1:`port`; fails the test when it cannot
/// connect.
void connect_or_fail(http_client& client, uint16_t port);

/// Whether a new connection to `port` gets `GET /health/live` → 200.
bool answers_a_good_request(uint16_t port);

/// "" when `res` is the contract's error for `status` and `code`: the
/// status, a JSON body `{"error":{"code":code,"message":"<non-empty>"}}`
/// (and optionally `field`), `Content-Type: application/json` and
/// `Cache-Control: no-store`. Otherwise a description of what differs, for
/// the test log: use as CAF_CHECK_EQUAL(error_mismatch(...), "").
std::string error_mismatch(const std::optional<http_response>& res, int status,
                           std::string_view code);

/// The status of `res`, or -1 when there was no response (handy in
/// CAF_CHECK_EQUAL, which cannot print an optional).
int status_of(const std::optional<http_response>& res);

/// A header of `res`, or "" when there is no response or no such header.
std::string header_of(const std::optional<http_response>& res,
                      std::string_view name);

/// The string at a JSON pointer (RFC 6901, e.g. "/checks/database/status")
/// of a JSON document; nullopt when the document does not parse or the
/// value is missing or not a string.
std::optional<std::string> json_string_at(const std::string& json,
                                          std::string_view pointer);

/// Whether the value at a JSON pointer is a number (integer or not).
bool json_number_at(const std::string& json, std::string_view pointer);

/// error_mismatch(res, status, code), and also that `error.field` is
/// `field`.
std::string error_mismatch(const std::optional<http_response>& res, int status,
                           std::string_view code, std::string_view field);

/// A parsed JSON document that tests can walk without caring whether a
/// step exists: a member or item that is not there is a value of kind
/// `missing`, and asking it for more gives `missing` again. So
/// `doc["user"]["id"].integer()` is 0 both for a missing user and for a
/// missing id; check is_integer() where that matters.
class json_value {
public:
  enum class kind {
    missing,
    null,
    boolean,
    integer,
    number,
    string,
    array,
    object
  };

  /// The document, or a `missing` value when `text` is not JSON.
  static json_value parse(std::string_view text);

  kind type() const noexcept { return type_; }
  bool is_missing() const noexcept { return type_ == kind::missing; }
  bool is_null() const noexcept { return type_ == kind::null; }
  bool is_integer() const noexcept { return type_ == kind::integer; }
  bool is_string() const noexcept { return type_ == kind::string; }
  bool is_array() const noexcept { return type_ == kind::array; }
  bool is_object() const noexcept { return type_ == kind::object; }

  /// The member `key` of an object.
  const json_value& operator[](std::string_view key) const;
  /// The item `index` of an array.
  const json_value& operator[](size_t index) const;

  /// Items of an array or members of an object; 0 for anything else.
  size_t size() const noexcept;
  /// The member names of an object in document order.
  std::vector<std::string> keys() const;
  /// The items of an array (empty for anything else).
  const std::vector<json_value>& items() const noexcept { return items_; }

  /// The integer, or 0 when this is not an integer.
  int64_t integer() const noexcept { return type_ == kind::integer ? int_ : 0; }
  /// The number (integer or not), or 0 when this is not a number.
  double number() const noexcept;
  /// The string, or "" when this is not a string. A copy: the value is
  /// often a temporary (`body_of(res)["name"].text()`).
  std::string text() const { return text_; }
  bool boolean() const noexcept { return bool_; }

  /// The value written back as compact JSON with the members in document
  /// order ("<missing>" for a missing value): for comparing and printing.
  std::string dump() const;

private:
  friend struct json_builder;

  kind type_ = kind::missing;
  bool bool_ = false;
  int64_t int_ = 0;
  double number_ = 0;
  std::string text_;
  std::vector<json_value> items_;
  std::vector<std::pair<std::string, json_value>> members_;
};

/// The names of `keys` sorted, joined with commas: for comparing the key
/// set of an object with CAF_CHECK_EQUAL.
std::string sorted_keys(const json_value& object);

/// `text` as a JSON string literal (quotes and escapes added).
std::string json_quote(std::string_view text);

/// A JSON object written member by member, for request bodies:
/// `json_object{}.set("email", e).set("capacity", 5).str()`.
class json_object {
public:
  json_object& set(std::string_view key, std::string_view text);
  json_object& set(std::string_view key, const char* text) {
    return set(key, std::string_view{text});
  }
  json_object& set(std::string_view key, const std::string& text) {
    return set(key, std::string_view{text});
  }
  json_object& set(std::string_view key, int64_t number);
  json_object& set(std::string_view key, int number) {
    return set(key, static_cast<int64_t>(number));
  }
  /// A member whose value is already JSON text (null, 2.5, "\"5\"", ...).
  json_object& raw(std::string_view key, std::string_view json);
  /// Removes a member again.
  json_object& erase(std::string_view key);

  std::string str() const;

private:
  std::vector<std::pair<std::string, std::string>> members_;
};

/// Whether `text` is an RFC 3339 UTC timestamp in whole seconds, exactly
/// "YYYY-MM-DDTHH:MM:SSZ".
bool is_utc_timestamp(std::string_view text);

/// Milliseconds since `start` on the steady clock.
inline long long elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

/// `n` copies of `c`.
inline std::string repeat(char c, size_t n) {
  return std::string(n, c);
}

/// `n` copies of `unit`, e.g. repeat("\xc3\xa9", 100): 100 code points
/// (e acute) of two bytes each.
inline std::string repeat(std::string_view unit, size_t n) {
  std::string out;
  out.reserve(unit.size() * n);
  for (size_t i = 0; i < n; ++i)
    out.append(unit);
  return out;
}

} // namespace numina::e2e
