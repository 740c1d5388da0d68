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

} // namespace numina::e2e
