// What the suites of the v1 API share (api.md sections 1, 3 and 5): one
// numina per suite, users with unique emails, JSON requests with a bearer
// token, valid class bodies and timestamps in the future. Standard library
// and tests/support only.
//
// Tests that share the suite's numina never rely on one another's data:
// each registers its own users (unique_email()) and creates its own
// classes, and lists classes filtered by its own provider.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/e2e/e2e_support.hpp"

namespace numina::e2e {

/// The flags API suites start numina with: cheap password hashing (the
/// default argon2id cost makes each register take a large fraction of a
/// second) and no rate limits (the tests register and book from one address
/// faster than the auth policy allows).
std::vector<std::string> api_args();

/// The numina shared by every test of the running suite (ctest runs each
/// suite in a process of its own): started with api_args() on a database of
/// its own at the first call, killed and dropped when the process exits.
node& shared_node();

/// An address no other call in this process returns:
/// "<stem>-<pid>-<n>@example.com".
std::string unique_email(std::string_view stem = "user");

/// The password register_user() gives every user.
inline constexpr std::string_view test_password = "correct horse 42";

/// What register answered for a new user.
struct account {
  int64_t id = 0;
  std::string email;
  std::string token;
};

/// One keep-alive connection to numina speaking the v1 API. Not for use by
/// several threads at once; give each thread its own.
class api_client {
public:
  explicit api_client(uint16_t port) : port_(port) {}

  /// Opens the connection now (send() would open it at the first request),
  /// e.g. before a burst of concurrent requests. False when it cannot.
  bool connect() { return client_.connect(port_); }

  /// Sends a request: `Authorization: Bearer <token>` unless `token` is
  /// empty, and a body with `Content-Type: application/json` unless
  /// `headers` name another type. Connects (again) when needed. Nullopt when
  /// there was no response; last_error() says why.
  std::optional<http_response> send(std::string_view method,
                                    std::string_view path,
                                    std::string_view token = {},
                                    std::optional<std::string> body = {},
                                    header_list headers = {});

  std::optional<http_response> get(std::string_view path,
                                   std::string_view token) {
    return send("GET", path, token);
  }
  std::optional<http_response> post(std::string_view path,
                                    std::string_view token, std::string body,
                                    header_list headers = {}) {
    return send("POST", path, token, std::move(body), std::move(headers));
  }
  std::optional<http_response> patch(std::string_view path,
                                     std::string_view token, std::string body) {
    return send("PATCH", path, token, std::move(body));
  }
  std::optional<http_response> del(std::string_view path,
                                   std::string_view token) {
    return send("DELETE", path, token);
  }

  /// POST /api/v1/auth/register with these values.
  std::optional<http_response> register_as(std::string_view email,
                                           std::string_view password,
                                           std::string_view name);

  /// Registers a new user with a unique email and test_password. A failed
  /// check and an account with id 0 when register does not answer 201.
  account register_user(std::string_view name = "Test User");

  /// POST /api/v1/classes as `provider`: the new class's id, or 0 with a
  /// failed check when that does not answer 201.
  int64_t create_class(const account& provider, const json_object& body);

  /// POST /api/v1/classes/{id}/bookings as `member`: the booking's id, or 0
  /// with a failed check when that does not answer 201.
  int64_t book(const account& member, int64_t class_id);

  /// GET `path` as `token` parsed, or a missing value with a failed check
  /// when that does not answer 200.
  json_value get_json(std::string_view path, std::string_view token);

  const std::string& last_error() const noexcept {
    return client_.last_error();
  }

private:
  uint16_t port_;
  http_client client_;
};

/// The body of a response, parsed (a missing value when there is none).
json_value body_of(const std::optional<http_response>& res);

/// Seconds since the Unix epoch.
int64_t unix_now();

/// "YYYY-MM-DDTHH:MM:SSZ" of `unix_seconds`.
std::string utc_text(int64_t unix_seconds);

/// utc_text() of now + `from_now`.
std::string utc_from_now(std::chrono::seconds from_now);

/// The ids of the items of a list response, in order.
std::vector<int64_t> item_ids(const json_value& list);

/// A valid class body: a title, starts_at `from_now` from now (a day by
/// default), 60 minutes, room for `capacity`.
json_object class_body(int64_t capacity = 10,
                       std::chrono::seconds from_now = std::chrono::hours{24});

/// "/api/v1/classes/<id>" and friends.
std::string class_path(int64_t id);
std::string bookings_path(int64_t class_id);
std::string booking_path(int64_t booking_id);
std::string user_path(int64_t id);

/// The fixture of the API suites: the suite's numina and a connection to
/// it. Prints the end of numina's stderr when the test has a failed check.
struct api_fixture {
  node& numina = shared_node();
  api_client api{numina.port()};

  ~api_fixture();

  uint16_t port() const { return numina.port(); }
};

} // namespace numina::e2e
