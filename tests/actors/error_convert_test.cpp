#define CAF_SUITE error_convert
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actors/error_convert.hpp"
#include "caf/sec.hpp"

using namespace numina;

CAF_TEST(a failure survives the trip through caf error) {
  auto f = failure::invalid("title", "title is required");
  auto back = actors::to_failure(actors::to_error(f));
  CAF_CHECK(back.code == error_code::validation_failed);
  CAF_CHECK_EQUAL(back.field, "title");
  CAF_CHECK_EQUAL(back.message, "title is required");
}

CAF_TEST(caf errors map to unavailable or internal) {
  CAF_CHECK(
      actors::to_failure(caf::make_error(caf::sec::request_timeout)).code ==
      error_code::unavailable);
  CAF_CHECK(actors::to_failure(caf::make_error(caf::sec::request_receiver_down))
                .code == error_code::unavailable);
  CAF_CHECK(actors::to_failure(caf::make_error(caf::sec::runtime_error)).code ==
            error_code::internal);
}
