#include "core/error_code.hpp"

#include <array>

namespace numina {

namespace {

struct code_info {
  std::string_view name;
  unsigned status;
  std::string_view message;
};

// Indexed by error_code; keep in the enum's order.
constexpr std::array<code_info, 21> infos{{
    {"none", 200, "OK."},
    {"bad_request", 400, "The request is malformed."},
    {"invalid_json", 400, "The body is not valid JSON."},
    {"validation_failed", 400, "A value is not valid."},
    {"unauthorized", 401, "A valid bearer token is required."},
    {"invalid_credentials", 401, "The email or password is wrong."},
    {"forbidden", 403, "You may not do this."},
    {"not_found", 404, "No such resource."},
    {"method_not_allowed", 405, "The method is not allowed on this path."},
    {"conflict", 409, "The request conflicts with the current state."},
    {"email_taken", 409, "That email is already registered."},
    {"class_full", 409, "The class is full."},
    {"already_booked", 409, "You have already booked this class."},
    {"already_reviewed", 409, "You have already reviewed this class."},
    {"payload_too_large", 413, "The request body is too large."},
    {"unsupported_media_type", 415, "The body must be application/json."},
    {"idempotency_mismatch", 422,
     "The idempotency key was used with a different request."},
    {"headers_too_large", 431, "The request header section is too large."},
    {"rate_limited", 429, "Too many requests; retry later."},
    {"unavailable", 503, "The service is temporarily unavailable."},
    {"internal", 500, "An internal error occurred."},
}};

static_assert(infos.size() == static_cast<size_t>(error_code::internal) + 1,
              "every error_code needs an entry");

const code_info& info(error_code code) noexcept {
  auto i = static_cast<size_t>(code);
  return i < infos.size() ? infos[i] : infos.back();
}

} // namespace

std::string_view name_of(error_code code) noexcept {
  return info(code).name;
}

unsigned status_of(error_code code) noexcept {
  return info(code).status;
}

std::string_view default_message(error_code code) noexcept {
  return info(code).message;
}

error_code error_code_from_name(std::string_view name) noexcept {
  for (size_t i = 0; i < infos.size(); ++i)
    if (infos[i].name == name)
      return static_cast<error_code>(i);
  return error_code::internal;
}

} // namespace numina
