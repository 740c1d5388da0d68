#include "http/pipeline.hpp"

#include <charconv>
#include <exception>

#include "core/log.hpp"
#include "core/text.hpp"
#include "http/steps.hpp"

namespace numina::http {

std::optional<int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 19)
    return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9')
      return std::nullopt;
  int64_t n = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (r.ec != std::errc{} || n <= 0)
    return std::nullopt;
  return n;
}

std::string_view bearer_token(const request& req) {
  auto h = req.header("authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (h.size() <= scheme.size())
    return {};
  if (!iequals(h.substr(0, scheme.size()), scheme))
    return {};
  h.remove_prefix(scheme.size());
  while (!h.empty() && h.front() == ' ')
    h.remove_prefix(1);
  return h;
}

namespace {

bool is_json_media_type(std::string_view ct) {
  return iequals(trim(ct.substr(0, ct.find(';'))), "application/json");
}

void run_handler(const route& r, const exchange_ptr& ex) {
  try {
    r.run(ex);
  } catch (const std::exception& e) {
    log_error("http", ex->req.request_id + " " + r.method + " " + r.pattern +
                          ": " + e.what());
    ex->fail(failure::of(error_code::internal));
  }
}

// After authentication: content type, path ids, idempotency, the handler.
void after_auth(const route& r, const exchange_ptr& ex) {
  auto& req = ex->req;
  if (req.has_body) {
    if (req.has_header("content-encoding")) {
      ex->fail(failure::of(error_code::unsupported_media_type,
                           "Request bodies must not be content-encoded."));
      return;
    }
    if (!is_json_media_type(req.header("content-type"))) {
      ex->fail(failure::of(error_code::unsupported_media_type));
      return;
    }
  }
  for (auto& param : ex->params) {
    // Parameters named `id` or `*_id` are ids; others (a job's name) are
    // checked by their handler.
    const auto& name = param.first;
    const bool is_id = name == "id" || (name.size() > 3 &&
                                        name.substr(name.size() - 3) == "_id");
    if (is_id && !parse_id(param.second)) {
      // The contract names every path id `id`, whatever the pattern says.
      ex->fail(failure::invalid("id", "id must be a positive 64-bit integer"));
      return;
    }
  }
  apply_idempotency(r, ex, run_handler);
}

// Authentication passed (or was not needed): the rate limit comes next.
void limit_then_rest(const route& r, const exchange_ptr& ex) {
  check_rate_limit(r, ex, after_auth);
}

} // namespace

void run_pipeline(const router& routes, const exchange_ptr& ex) {
  auto& req = ex->req;
  auto m = routes.match(req.method, req.path);
  if (m.found == nullptr) {
    if (m.allow.empty()) {
      ex->fail(failure::of(error_code::not_found));
      return;
    }
    auto r = error_response(failure::of(error_code::method_not_allowed));
    r.set("Allow", m.allow);
    ex->respond(std::move(r));
    return;
  }
  const route& r = *m.found;
  ex->params = std::move(m.params);
  // Every 200 GET under /api/v1 gets its validators, gzip and Vary.
  ex->finish_get = req.method == "GET" && req.path.rfind("/api/v1/", 0) == 0;
  switch (r.auth) {
  case auth_kind::none:
    break;
  case auth_kind::admin:
    if (!ex->svc.is_admin_token(bearer_token(req))) {
      ex->fail(failure::of(error_code::unauthorized,
                           "The admin token is required."));
      return;
    }
    break;
  case auth_kind::user:
    authenticate_user(r, ex, limit_then_rest);
    return;
  }
  limit_then_rest(r, ex);
}

} // namespace numina::http
