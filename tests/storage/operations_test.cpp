// The operation table: every storage operation the HTTP layer calls is
// registered under the name its call builder uses.
#define CAF_SUITE storage_operations
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <optional>
#include <string>
#include <vector>

#include "storage/classes.hpp"
#include "storage/idempotency.hpp"
#include "storage/operation.hpp"
#include "storage/users.hpp"

using namespace numina::storage;

CAF_TEST(every call builder names a registered operation) {
  const std::vector<db_call> calls{
      auth_register("a@example.com", "A", "h", "t"),
      auth_user_by_email("a@example.com"),
      auth_create_session(1, "t"),
      auth_session_user("t"),
      auth_revoke("t"),
      users_get(1),
      users_patch(1, std::nullopt, std::nullopt),
      users_profile(1),
      users_followers(1, std::nullopt, 10),
      users_following(1, page_key{1, 2}, 10),
      classes_create(new_class{}),
      classes_get(1),
      classes_list({}, std::nullopt, 10),
      classes_patch(1, 2, {}),
      bookings_create(1, 2),
      bookings_delete(1, 2),
      bookings_mine(1, std::nullopt, 10),
      idempotency_begin("s", "k", "h", std::chrono::seconds(600)),
      idempotency_finish("s", "k", 200, "", ""),
      idempotency_abort("s", "k"),
      idempotency_sweep(1000),
  };
  for (const auto& call : calls) {
    CAF_MESSAGE(call.op);
    CAF_CHECK(find_operation(call.op) != nullptr);
  }
}

CAF_TEST(absent optionals travel as null cells in a fixed order) {
  class_filter f;
  f.to = 200;
  const auto call = classes_list(f, page_key{100, 7}, 25);
  if (call.params.size() != 6) {
    CAF_ERROR("classes.list takes 6 parameters, got " << call.params.size());
    return;
  }
  CAF_CHECK(call.params[0].null);              // from
  CAF_CHECK_EQUAL(call.params[1].text, "200"); // to
  CAF_CHECK(call.params[2].null);              // provider
  CAF_CHECK_EQUAL(call.params[3].text, "100"); // after at
  CAF_CHECK_EQUAL(call.params[4].text, "7");   // after id
  CAF_CHECK_EQUAL(call.params[5].text, "25");  // limit
}
