// Routes: a method, a path pattern with {name} segments, what the request
// must carry (auth), and the handler. Matching answers 404, 405 with the
// allowed methods, or the route with its path parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/rate_limit_policy.hpp"
#include "http/exchange.hpp"

namespace numina::http {

using handler = void (*)(const exchange_ptr&);

enum class auth_kind {
  none,  // anyone
  user,  // a user's bearer token
  admin, // the admin token
};

/// The rate-limit policy every request of a route passes (api.md section
/// 2); none outside /api/v1. The one place that maps routes to policies
/// (http/rate_limit_step.cpp).
std::optional<actors::rate_policy_id> rate_policy_for(std::string_view method,
                                                      std::string_view pattern);

struct route {
  std::string method;  // GET, POST, PATCH, DELETE
  std::string pattern; // "/api/v1/classes/{id}"
  auth_kind auth = auth_kind::none;
  handler run = nullptr;
  std::vector<std::string> segments; // the pattern split at '/'
  // Computed from the members above, so no route can miss its policy.
  std::optional<actors::rate_policy_id> rate_policy =
      rate_policy_for(method, pattern);
};

struct route_match {
  const route* found = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::string allow; // for 405: "GET, HEAD, POST"
};

class router {
public:
  router& add(std::string method, std::string pattern, auth_kind auth,
              handler run);

  /// `found` is null for no match; then a non-empty `allow` means 405.
  route_match match(std::string_view method, std::string_view path) const;

  const std::vector<route>& routes() const noexcept { return routes_; }

private:
  std::vector<route> routes_;
};

/// Splits "/a/b/c" into {"a","b","c"}; an empty path part is kept as "".
std::vector<std::string_view> split_path(std::string_view path);

} // namespace numina::http
