// The rate-limit step (api.md sections 2 and 5): after authentication,
// before content type. A request that reaches it counts, whatever a later
// step decides; a refused one goes no further, so it has no effect.
#include <string>

#include "http/client_ip.hpp"
#include "http/steps.hpp"

namespace numina::http {

namespace {

using actors::rate_policy_id;
using actors::rate_verdict;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Whose budget the request spends: the auth policy is per client IP (it
// guards sign-in, where the user is unknown or the target); the others
// per user, or per client IP when anonymous.
std::string key_of(rate_policy_id policy, const exchange& ex) {
  if (policy != rate_policy_id::auth && ex.user_id != 0)
    return "user:" + std::to_string(ex.user_id);
  return "ip:" + client_ip_of(ex.req, ex.svc.settings.http.trusted_proxies);
}

void add_headers(response& r, const rate_verdict& v) {
  r.set("RateLimit-Limit", std::to_string(v.limit));
  r.set("RateLimit-Remaining", std::to_string(v.remaining));
  r.set("RateLimit-Reset", std::to_string(v.reset_seconds));
}

} // namespace

std::optional<rate_policy_id> rate_policy_for(std::string_view method,
                                              std::string_view pattern) {
  if (!starts_with(pattern, "/api/v1/"))
    return std::nullopt; // health, metrics, admin: never limited
  if (starts_with(pattern, "/api/v1/auth/"))
    return rate_policy_id::auth;
  if (method == "POST" && pattern == "/api/v1/messages/send")
    return rate_policy_id::messages;
  if (method == "POST" && pattern == "/api/v1/social/activity")
    return rate_policy_id::activity;
  if (method == "POST" && pattern == "/api/v1/classes/{id}/reviews")
    return rate_policy_id::reviews;
  return rate_policy_id::fallback;
}

void check_rate_limit(const route& r, const exchange_ptr& ex, next_step next) {
  if (!r.rate_policy || !ex->svc.settings.rate_limit.enabled) {
    next(r, ex);
    return;
  }
  const route* matched = &r;
  ex->svc.gate.check_rate(
      *r.rate_policy, key_of(*r.rate_policy, *ex),
      ex->on_executor([ex, matched, next](outcome<rate_verdict> verdict) {
        if (!verdict) {
          ex->fail(verdict.error()); // 503: fail closed, never unlimited
          return;
        }
        auto v = verdict.value();
        if (!v.allowed) {
          auto res = error_response(failure::of(error_code::rate_limited));
          add_headers(res, v);
          res.set("Retry-After", std::to_string(v.retry_after_seconds));
          ex->respond(std::move(res));
          return;
        }
        // Every answer from here on carries the headers, errors included.
        ex->wrap_responder([v](exchange::responder send) {
          return [v, send = std::move(send)](response res) {
            add_headers(res, v);
            send(std::move(res));
          };
        });
        next(*matched, ex);
      }));
}

} // namespace numina::http
