// The contract's error vocabulary (api.md section 1), shared by every layer.
// Client codes come before server codes. When you add a code here, also
// update error_code.cpp (name, status, default message) and docs/api.md.
#pragma once

#include <cstdint>
#include <string_view>

namespace numina {

enum class error_code : uint8_t {
  none = 0,
  // 4xx: the client can fix the request.
  bad_request,
  invalid_json,
  validation_failed,
  unauthorized,
  invalid_credentials,
  forbidden,
  not_found,
  method_not_allowed,
  conflict,
  email_taken,
  class_full,
  already_booked,
  already_reviewed,
  payload_too_large,
  unsupported_media_type,
  idempotency_mismatch,
  headers_too_large,
  rate_limited,
  // 5xx: the server or its database failed.
  unavailable,
  internal,
};

/// The snake_case code written into the error body.
std::string_view name_of(error_code code) noexcept;

/// The HTTP status the contract assigns to the code.
unsigned status_of(error_code code) noexcept;

/// A safe human sentence for the code, used when the caller has none.
std::string_view default_message(error_code code) noexcept;

/// The code for a name produced by name_of, or error_code::internal.
error_code error_code_from_name(std::string_view name) noexcept;

} // namespace numina
