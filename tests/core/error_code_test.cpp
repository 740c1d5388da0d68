#define CAF_SUITE error_code
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "core/error_code.hpp"

using namespace numina;

CAF_TEST(every code has the status the contract gives it) {
  CAF_CHECK_EQUAL(status_of(error_code::validation_failed), 400u);
  CAF_CHECK_EQUAL(status_of(error_code::unauthorized), 401u);
  CAF_CHECK_EQUAL(status_of(error_code::forbidden), 403u);
  CAF_CHECK_EQUAL(status_of(error_code::class_full), 409u);
  CAF_CHECK_EQUAL(status_of(error_code::payload_too_large), 413u);
  CAF_CHECK_EQUAL(status_of(error_code::unsupported_media_type), 415u);
  CAF_CHECK_EQUAL(status_of(error_code::idempotency_mismatch), 422u);
  CAF_CHECK_EQUAL(status_of(error_code::rate_limited), 429u);
  CAF_CHECK_EQUAL(status_of(error_code::headers_too_large), 431u);
  CAF_CHECK_EQUAL(status_of(error_code::internal), 500u);
  CAF_CHECK_EQUAL(status_of(error_code::unavailable), 503u);
}

CAF_TEST(names round trip for every code) {
  for (int i = 1; i <= static_cast<int>(error_code::internal); ++i) {
    auto code = static_cast<error_code>(i);
    CAF_CHECK_EQUAL(static_cast<int>(error_code_from_name(name_of(code))), i);
    CAF_CHECK(!default_message(code).empty());
  }
  CAF_CHECK(error_code_from_name("no_such_code") == error_code::internal);
}
